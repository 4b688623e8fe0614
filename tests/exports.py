"""A bureau's own exports, built in code from the synthetic sample: the same records, named, headed
and split the way the systems and clerks make them (tests of civmon.data's discovery and reading)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd

from civmon.data.readers import header_aliases, normalise_header, read_raw
from civmon.data.spec import DATASETS
from civmon.sample import sample_dir


def raw_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """A sample dataset's cells as text, with English column names (as in the file, before parsing)."""
    folder = folder or sample_dir()
    ds = DATASETS[name]
    path = next(p for p in folder.iterdir() if p.stem in (name, ds.zh))
    raw = read_raw(path, ds)
    aliases = header_aliases(ds)
    names = [aliases.get(normalise_header(h), h) for h in raw.headers]
    return pd.DataFrame(raw.frame.to_numpy(dtype=object), columns=names).astype(object).where(raw.frame.notna().to_numpy(), None)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    """Rows as Excel saves a sheet as CSV: every row as wide as the widest (title and footer rows too)."""
    width = max(len(r) for r in rows)
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([list(r) + [""] * (width - len(r)) for r in rows])
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list]], hidden=(), merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook of several sheets (in order), some hidden, with merged cell ranges per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(list(r))
        for rng in (merges or {}).get(title, []):
            ws.merge_cells(rng)
        if title in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def rows_of(df: pd.DataFrame, header: list[str], columns: list[str]) -> list[list]:
    return [header] + df[columns].astype(object).where(df[columns].notna(), "").values.tolist()


def township_names() -> dict[str, str]:
    a = raw_table("areas")
    t = a[a["level"] == "township"]
    return dict(zip(t["area_code"], t["area_name"]))


def bureau_exports(folder: Path) -> Path:
    """The sample as a bureau hands it over: every dataset's records unchanged, but
    - relief payments: one GB18030 CSV under a clerk's name, a title row, headers as the relief system
      writes them (发放年月, 保障类别, 实际发放日期, 乡镇(街道) ...) with townships by name (full or
      short), a 备注 column, and 合计 and 制表人 rows at the bottom;
    - disability subsidies: one CSV a year, GB18030, headers with synonyms (公民身份号码 ...), the
      2023 file repeating December 2022;
    - institutions and care centres: two sheets of one workbook named after neither, beside a hidden
      and an empty sheet;
    - centre services: a header over two rows (服务情况 merged above 服务人次 and 助餐人数);
    - everything else as in the sample."""
    folder.mkdir(parents=True, exist_ok=True)
    moved = {"relief_payments", "disability_subsidy", "institutions", "care_centres", "centre_services"}
    for p in sample_dir().iterdir():
        if p.is_file() and p.stem not in moved and p.stem not in {DATASETS[n].zh for n in moved}:
            shutil.copy2(p, folder / p.name)

    pay = raw_table("relief_payments")
    names = township_names()
    pay["township_code"] = [names[c] if i % 3 else names[c].removesuffix("街道").removesuffix("镇").removesuffix("乡")
                            for i, c in enumerate(pay["township_code"])]
    pay["note"] = ["补发" if i % 97 == 0 else "" for i in range(len(pay))]
    rows = rows_of(pay, ["户编号", "发放年月", "保障类别", "实发金额", "应发日期", "实际发放日期", "乡镇(街道)", "备注"],
                   ["household_id", "month", "category", "amount", "due_date", "paid_date", "township_code", "note"])
    total = sum(float(a) for a in pay["amount"])
    rows = [["吴兴区2023年上半年低保资金发放明细表"]] + rows + [["合计", "", "", f"{total:.2f}"], [],
                                                             ["制表人：张三", "", "审核人：李四", "", "制表日期：2023年7月3日"]]
    write_csv(folder / "2023年上半年低保资金发放明细.csv", rows, encoding="gb18030")

    dis = raw_table("disability_subsidy")
    header = ["公民身份号码", "姓名", "所属乡镇", "发放年月", "补贴类型", "补贴金额"]
    cols = ["id_number", "name", "township_code", "month", "subsidy_type", "amount"]
    for year in ("2021", "2022", "2023"):
        part = dis[dis["month"].str.startswith(year) | ((year == "2023") & (dis["month"] == "2022-12"))]
        write_csv(folder / f"残疾人两项补贴发放{year}年.csv", rows_of(part, header, cols), encoding="gb18030")

    inst, centres = raw_table("institutions"), raw_table("care_centres")
    zh = {c.name: c.zh for ds in ("institutions", "care_centres") for c in DATASETS[ds].columns}
    write_xlsx(folder / "养老机构与照料中心名单.xlsx", {
        "机构": rows_of(inst, [zh[c] for c in inst.columns], list(inst.columns)),
        "旧数据": [["作废"], ["x"]],
        "照料中心": rows_of(centres, [zh[c] for c in centres.columns], list(centres.columns)),
        "Sheet3": [],
    }, hidden=("旧数据",))

    svc = raw_table("centre_services")
    rows = [["中心编号", "乡镇街道代码", "月份", "服务情况", None], [None, None, None, "服务人次", "助餐人数"]]
    rows += svc[["centre_id", "township_code", "month", "service_person_times", "meal_users"]].values.tolist()
    write_xlsx(folder / "照料中心月度服务统计.xlsx", {"统计": rows}, merges={"统计": ["A1:A2", "B1:B2", "C1:C2", "D1:E1"]})
    return folder


def relief_only(folder: Path) -> Path:
    """A bureau that holds only its relief files (and the area list)."""
    from civmon import programmes

    folder.mkdir(parents=True, exist_ok=True)
    for p in sample_dir().iterdir():
        if p.stem in programmes.get("relief").reads or p.name == "SYNTHETIC_SAMPLE":
            shutil.copy2(p, folder / p.name)
    return folder


def sample_with_cells(folder: Path, dataset: str, column: str, value: str, rows: int) -> Path:
    """A copy of the sample whose first `rows` cells of one dataset's column read `value`."""
    shutil.copytree(sample_dir(), folder)
    df = raw_table(dataset)
    df.loc[: rows - 1, column] = value
    for p in folder.iterdir():
        if p.stem in (dataset, DATASETS[dataset].zh):
            p.unlink()
    write_csv(folder / f"{dataset}.csv", rows_of(df, list(df.columns), list(df.columns)))
    return folder
