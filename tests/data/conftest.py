"""Small, consistent data folders built in code, and writers for CSV, XLSX and Parquet files."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path

import pytest

from civmon.data.pseudonymise import id_checksum
from civmon.data.spec import DATASETS


def make_id(birth: str = "19800101", seq: str = "001", region: str = "330502") -> str:
    """A resident ID number with a correct check character."""
    first17 = region + birth + seq
    return first17 + id_checksum(first17)


def bad_checksum(id_number: str) -> str:
    """The same ID number with a wrong check character."""
    right = id_number[-1]
    return id_number[:-1] + ("0" if right != "0" else "1")


# People of the valid folder: (id, name, phone)
P1 = (make_id("19800101", "011"), "张伟", "13912345678")    # H1 head, male
P2 = (make_id("19820315", "022"), "王芳", "13787654321")    # H1 spouse, female
P3 = (make_id("19450720", "031"), "李秀英", "")              # H2 alone, male
CHILD = (make_id("20150610", "042"), "赵小明", "")           # child subsidy, female
PEOPLE = (P1, P2, P3, CHILD)


def valid_tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    """dataset -> (English header, rows of text cells): a small folder that passes every check."""
    return copy.deepcopy({
        "areas": (DATASETS["areas"].column_names, [
            ["330502001", "月河街道", "township", "", "urban", "52000"],
            ["330502002", "织里镇", "township", "", "rural", "210000"],
            ["330502001001", "月河社区", "community", "330502001", "urban", "6000"],
            ["330502002001", "红星村", "village", "330502002", "rural", "3000"],
        ]),
        "relief_households": (DATASETS["relief_households"].column_names, [
            ["H1", "低保", "330502001", "330502001001", "2", "300", "2020-01-05", "", "", "是", "否"],
            ["H2", "特困", "330502002", "330502002001", "1", "0", "2021/6/1", "2023年2月28日", "死亡", "否", "否"],
        ]),
        "relief_members": (DATASETS["relief_members"].column_names, [
            ["H1", P1[0], P1[1], P1[2], "户主", "330502001"],
            ["H1", P2[0], P2[1], P2[2], "配偶", "330502001"],
            ["H2", P3[0], P3[1], P3[2], "户主", "330502002"],
        ]),
        "relief_payments": (DATASETS["relief_payments"].column_names, [
            ["H1", "2023-01", "低保", "1,960.00", "2023-01-10", "2023-01-10", "330502001"],
            ["H1", "2023-02", "低保", "1,960.00", "2023-02-10", "2023-02-11", "330502001"],
            ["H1", "2023-03", "低保", "1,960.00", "2023-03-10", "", "330502001"],
            ["H2", "2023-01", "特困", "1,274.00", "2023-01-10", "2023-01-10", "330502002"],
            ["H2", "2023-02", "特困", "1,274.00", "2023-02-10", "2023-02-10", "330502002"],
        ]),
        "child_subsidy": (DATASETS["child_subsidy"].column_names, [
            [CHILD[0], CHILD[1], "330502002", "2023-01", "困境儿童", "1,400"],
            [CHILD[0], CHILD[1], "330502002", "2023-02", "困境儿童", "1,400"],
            [CHILD[0], CHILD[1], "330502002", "2023-03", "困境儿童", "1,400"],
        ]),
    })


def csv_text(header, rows, final_newline: bool = True) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    text = buf.getvalue()
    return text if final_newline else text.rstrip("\n")


def write_csv(path: Path, header, rows, encoding: str = "utf-8", final_newline: bool = True) -> Path:
    path.write_bytes(csv_text(header, rows, final_newline).encode(encoding))
    return path


def write_xlsx(path: Path, header, rows, title: str | None = None, sheet: str | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if sheet:
        ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def zh_header(dataset: str) -> list[str]:
    return [c.zh for c in DATASETS[dataset].columns]


def write_folder(folder: Path, tables=None, skip=()) -> Path:
    """Write tables (default: the valid ones) as UTF-8 CSV files named after their datasets."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in (tables or valid_tables()).items():
        if name not in skip:
            write_csv(folder / f"{name}.csv", header, rows)
    return folder


@pytest.fixture
def tables():
    return valid_tables()


@pytest.fixture
def folder(tmp_path):
    return write_folder(tmp_path / "data")


def problems_with(report, message):
    return [p for p in report.problems if p.message == message]


def one(report, message):
    """The single problem with this message (fails listing all problems otherwise)."""
    found = problems_with(report, message)
    assert len(found) == 1, report.format()
    return found[0]
