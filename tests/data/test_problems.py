"""The problems workbook, built from a report made in code and read back with openpyxl."""

from __future__ import annotations

import importlib
import pkgutil

from openpyxl import load_workbook

import civmon.data
from civmon.data.canonical import mask_id
from civmon.data.parsing import PARSE_MESSAGES
from civmon.data.problems import COLUMNS, DEFAULT_FIX_ZH, FIX_ZH, fix_zh, write_problems_workbook
from civmon.data.validation import ERROR, WARNING, Problem, ValidationReport

from .conftest import P1

MASKED = mask_id(P1[0])


def _report() -> ValidationReport:
    report = ValidationReport()
    report.extend([
        Problem("低保发放.xlsx", 1, "备注", None, "only the columns of relief_payments; this one is ignored", WARNING,
                "extra column", "relief_payments", sheet="1月"),
        Problem("低保发放.xlsx", 7, "发放金额", "-5", "an amount >= 0", ERROR, "negative amount", "relief_payments",
                sheet="2月"),
        Problem("低保发放.xlsx", 3, "发放金额", "=HYPERLINK(\"http://x\",\"点\")", "an amount in yuan such as 1,234.50",
                ERROR, "not an amount", "relief_payments", sheet="1月"),
        Problem("members.csv", 4, "身份证号", MASKED, "a valid check character (GB 11643)", ERROR,
                "bad ID number checksum", "relief_members"),
        Problem("members.csv", 2, "户编号", "H9", "a household_id listed in 低收入对象名册 (relief_households)", ERROR,
                "household_id not in relief_households", "relief_members"),
        Problem("areas.csv", 5, "区划代码", "x", "whatever", ERROR, "some message nobody wrote a fix for", "areas"),
    ])
    report.omitted[("低保发放.xlsx", "发放金额", "negative amount", ERROR)] += 1234
    return report


def _rows(path):
    wb = load_workbook(path)
    ws = wb.active
    return wb, ws, [[c.value for c in row] for row in ws.iter_rows()]


def test_workbook_rows_order_and_layout(tmp_path):
    path = write_problems_workbook(_report(), tmp_path / "out" / "data-problems.xlsx")
    assert path == tmp_path / "out" / "data-problems.xlsx"
    assert sorted(p.name for p in path.parent.iterdir()) == ["data-problems.xlsx"]  # no temp file left
    _, ws, rows = _rows(path)
    assert rows[0] == COLUMNS == ["文件", "工作表", "Excel行号", "列", "值", "问题", "应为", "严重程度", "如何修改"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:I{len(rows)}"
    assert ws.column_dimensions["I"].width >= 40 and ws.column_dimensions["A"].width >= 20
    body = rows[1:]
    assert len(body) == 7  # six problems and one omitted count
    # errors first, then by file, sheet and row; the omitted count after its file's rows
    assert [(r[0], r[1], r[2], r[7]) for r in body] == [
        ("areas.csv", None, 5, "错误"),
        ("members.csv", None, 2, "错误"),
        ("members.csv", None, 4, "错误"),
        ("低保发放.xlsx", "1月", 3, "错误"),
        ("低保发放.xlsx", "2月", 7, "错误"),
        ("低保发放.xlsx", "2月", None, "错误"),
        ("低保发放.xlsx", "1月", 1, "警告"),
    ]
    by_row = {(r[0], r[2]): r for r in body}
    assert by_row[("members.csv", 2)][5] == "户编号在低收入对象名册中不存在"
    assert "低收入对象名册" in by_row[("members.csv", 2)][8]
    assert by_row[("members.csv", 4)][4] == MASKED and P1[0] not in str(rows)
    assert by_row[("members.csv", 4)][5] == "身份证号校验位错误"
    assert by_row[("低保发放.xlsx", 7)][5] == "金额为负数" and by_row[("低保发放.xlsx", 7)][6] == "an amount >= 0"
    assert by_row[("低保发放.xlsx", 7)][8] == FIX_ZH["negative amount"]
    assert by_row[("areas.csv", 5)][8] == DEFAULT_FIX_ZH
    more = by_row[("低保发放.xlsx", None)]
    assert more[3] == "发放金额" and more[4] is None
    assert more[5] == "金额为负数：另有 1,234 行有同样的问题（未逐行列出）"
    assert by_row[("低保发放.xlsx", 1)][5] == "多余的列（已忽略）"


def test_hostile_value_stays_text(tmp_path):
    path = write_problems_workbook(_report(), tmp_path / "p.xlsx")
    _, ws, rows = _rows(path)
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    hostile = next(r for r in rows if r[2] == 3)
    assert hostile[4] == "=HYPERLINK(\"http://x\",\"点\")"
    assert all(isinstance(r[2], int) for r in rows[1:] if r[2] is not None)


def test_empty_report_writes_the_header_only(tmp_path):
    _, _, rows = _rows(write_problems_workbook(ValidationReport(), tmp_path / "e.xlsx"))
    assert rows == [COLUMNS]


def test_every_message_of_the_data_layer_has_a_fix():
    messages = {m for m, _ in PARSE_MESSAGES.values()} | {"unknown value"}
    for info in pkgutil.iter_modules(civmon.data.__path__):
        module = importlib.import_module(f"civmon.data.{info.name}")
        messages |= {v for k, v in vars(module).items() if k.startswith("MSG_") and isinstance(v, str)}
    assert sorted(m for m in messages if fix_zh(m) == DEFAULT_FIX_ZH) == []
