"""A bureau's own exports (tests/exports.py: the sample renamed, re-headed, split, with names for codes,
footer rows and a two-row header) read exactly as the sample; the mapping file; `civmon inspect`;
partial data."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from civmon.cli import app
from civmon.data import load
from civmon.data.mapping import MAPPING_FILE
from civmon.data.pseudonymise import SAMPLE_KEY
from civmon.sample import sample_dir

from exports import bureau_exports, raw_table, relief_only, rows_of, sample_with_cells, write_csv, write_xlsx

runner = CliRunner()


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal records, whatever the row numbers and order."""
    def norm(df):
        out = df.reset_index(drop=True).astype(str)
        return out.sort_values(list(out.columns)).reset_index(drop=True)

    return norm(a).equals(norm(b))


@pytest.fixture(scope="module")
def sample_load():
    return load(sample_dir(), key=SAMPLE_KEY, use_cache=False)


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    return bureau_exports(tmp_path_factory.mktemp("bureau"))


def params_file(tmp_path, folder, extra: str = "") -> str:
    p = tmp_path / "p.yaml"
    p.write_text(f"data: {folder}\n{extra}", encoding="utf-8")
    return str(p)


def test_a_bureaus_exports_read_exactly_as_the_sample(bureau, sample_load):
    res = load(bureau, key=SAMPLE_KEY, use_cache=False)
    assert res.report.ok, res.report.format()
    assert set(res.data) == set(sample_load.data)
    for name, frame in sample_load.data.items():
        assert same(res.data[name], frame), name
    how = {t.source.label: (t.dataset, t.how) for t in res.discovery.tables}
    assert how["2023年上半年低保资金发放明细.csv"] == ("relief_payments", "headers")
    assert how["养老机构与照料中心名单.xlsx [照料中心]"] == ("care_centres", "headers")
    assert how["照料中心月度服务统计.xlsx"] == ("centre_services", "headers")
    assert [s.path.name for s in res.sources["disability_subsidy"]] == [
        f"残疾人两项补贴发放{y}年.csv" for y in (2021, 2022, 2023)]


def test_what_real_exports_carry_around_the_data_is_a_warning_each(bureau):
    report = load(bureau, key=SAMPLE_KEY, use_cache=False).report
    got = sorted((p.file, p.sheet, p.message) for p in report.warnings)
    assert got == sorted([
        ("2023年上半年低保资金发放明细.csv", None, "extra column"),
        ("2023年上半年低保资金发放明细.csv", None, "total or signature row dropped"),
        ("2023年上半年低保资金发放明细.csv", None, "total or signature row dropped"),
        ("养老机构与照料中心名单.xlsx", "旧数据", "hidden sheet ignored"),
        ("养老机构与照料中心名单.xlsx", "Sheet3", "empty sheet ignored"),
        ("残疾人两项补贴发放2023年.csv", None, "rows repeated in another file (kept once)"),
    ])
    repeated = next(p for p in report.warnings if p.message.startswith("rows repeated"))
    december = raw_table("disability_subsidy")["month"].eq("2022-12").sum()
    assert repeated.value.startswith(f"{december:,} rows")


def test_validate_prints_what_each_table_was_taken_for(bureau, tmp_path):
    result = runner.invoke(app, ["validate", params_file(tmp_path, bureau)])
    assert result.exit_code == 0, result.output
    assert "2023年上半年低保资金发放明细.csv -> relief_payments (headers, score 0.93)" in result.output
    assert "can run   relief" in result.output and "can run   overview" in result.output


def test_a_problem_in_a_stacked_file_names_that_file_and_its_row(bureau, tmp_path):
    folder = tmp_path / "b"
    shutil.copytree(bureau, folder)
    path = folder / "残疾人两项补贴发放2022年.csv"
    lines = path.read_bytes().decode("gb18030").splitlines()
    cells = lines[3].split(",")
    cells[-1] = "-5"
    lines[3] = ",".join(cells)
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    report = load(folder, key=SAMPLE_KEY, use_cache=False, datasets=["areas", "disability_subsidy"]).report
    bad = [p for p in report.errors]
    assert [(p.file, p.row, p.column, p.message) for p in bad] == [(path.name, 4, "补贴金额", "negative amount")]


# --- the mapping file ------------------------------------------------------------------------------

def clerk_payments(folder) -> None:
    """relief_payments under a name and headers no synonym covers, categories as a clerk writes them."""
    pay = raw_table("relief_payments")
    pay["category"] = pay["category"].map({"dibao": "城市低保", "dibian": "低保边缘家庭", "tekun": "特困供养"})
    write_xlsx(folder / "发放明细（财政导出）.xlsx", {"明细": rows_of(
        pay, ["家庭户号", "资金所属期", "对象", "金额（元）", "计划日", "到账日", "镇街"],
        ["household_id", "month", "category", "amount", "due_date", "paid_date", "township_code"])})
    (folder / "relief_payments.csv").unlink()


MAPPING = """relief_payments:
  files: ["发放明细*.xlsx"]
  sheet: 明细
  columns: {家庭户号: household_id, 资金所属期: month, 对象: category, 计划日: due_date, 到账日: paid_date}
  values:
    category: {城市低保: dibao, 低保边缘家庭: dibian, 特困供养: tekun}
"""


def test_a_mapping_file_names_files_headers_and_codes(tmp_path, sample_load):
    folder = tmp_path / "m"
    shutil.copytree(sample_dir(), folder)
    clerk_payments(folder)
    (folder / MAPPING_FILE).write_text(MAPPING, encoding="utf-8")
    res = load(folder, key=SAMPLE_KEY, use_cache=False, datasets=["areas", "relief_households", "relief_payments"])
    assert res.report.ok, res.report.format()
    assert same(res.data["relief_payments"], sample_load.data["relief_payments"])
    assert {t.source.label: t.how for t in res.discovery.tables}["发放明细（财政导出）.xlsx [明细]"] == "mapping file"
    assert res.sources["relief_payments"][0].sheet == "明细"


def test_a_bad_mapping_file_lists_every_problem_with_its_line(tmp_path, monkeypatch):
    from civmon.data.pseudonymise import KEY_ENV

    monkeypatch.setenv(KEY_ENV, "test-key")
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / MAPPING_FILE).write_text("relief_paymnts:\n  files: [a.xlsx]\nrelief_payments:\n"
                                       "  colums: {a: month}\n"
                                       "temp_relief:\n  columns: {日期: dat}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", params_file(tmp_path, folder)])
    assert result.exit_code == 2
    out = result.output
    assert "line 1: unknown dataset 'relief_paymnts'; did you mean 'relief_payments'?" in out
    assert "line 4: relief_payments 'colums'" in out and "did you mean 'columns'?" in out
    assert "line 6: temp_relief: '日期' is mapped to unknown column 'dat'; did you mean 'date'?" in out
    assert "Traceback" not in out


# --- civmon inspect --------------------------------------------------------------------------------

def test_inspect_write_gives_a_mapping_that_validates_unchanged(tmp_path, sample_load):
    folder = tmp_path / "i"
    shutil.copytree(sample_dir(), folder)
    pay = raw_table("relief_payments")
    write_csv(folder / "资金发放台账.csv", rows_of(  # headers a letter off the contract's and no synonym
        pay, ["户编码", "发放月", "类别", "发放金额", "应发日", "实发日", "乡镇街道代码"],
        ["household_id", "month", "category", "amount", "due_date", "paid_date", "township_code"]))
    (folder / "relief_payments.csv").unlink()
    result = runner.invoke(app, ["inspect", str(folder)])
    assert result.exit_code == 0, result.output
    assert "资金发放台账.csv -> relief_payments (headers" in result.output
    assert "(fuzzy guess)" in result.output
    result = runner.invoke(app, ["inspect", str(folder), "--write"])
    assert result.exit_code == 0, result.output
    text = (folder / MAPPING_FILE).read_text(encoding="utf-8")
    assert "confirm" in text and '"户编码": household_id' in text
    res = load(folder, key=SAMPLE_KEY, use_cache=False, datasets=["areas", "relief_households", "relief_payments"])
    assert res.report.n_errors == 0, res.report.format()
    assert same(res.data["relief_payments"], sample_load.data["relief_payments"])
    again = runner.invoke(app, ["inspect", str(folder), "--write"])
    assert again.exit_code == 2 and "never overwritten" in again.output


# --- places by name --------------------------------------------------------------------------------

def test_an_unknown_place_name_is_an_error_that_suggests_the_nearest(tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(sample_dir(), folder)
    needs = raw_table("alliance_needs")
    needs.loc[0, "township_code"] = "织理镇"
    needs.loc[1, "township_code"] = "织里"
    zh = ["需求编号", "乡镇街道代码", "需求类型", "采集日期", "化解日期"]
    write_csv(folder / "alliance_needs.csv", rows_of(needs, zh, list(needs.columns)))
    res = load(folder, key=SAMPLE_KEY, use_cache=False, datasets=["areas", "alliance_needs"])
    bad = [p for p in res.report.errors]
    assert [(p.file, p.row, p.message, p.value) for p in bad] == [("alliance_needs.csv", 2, "unknown place name", "织理镇")]
    assert "织里镇" in bad[0].expected
    assert res.data["alliance_needs"]["township_code"].astype(str).iloc[1] == "330502009"


# --- partial data --------------------------------------------------------------------------------

def test_validate_says_which_reports_partial_data_can_feed_and_stops_a_named_one(tmp_path):
    folder = relief_only(tmp_path / "relief")
    result = runner.invoke(app, ["validate", params_file(tmp_path, folder)])
    assert result.exit_code == 2, result.output  # the params name eldercare and migrants too
    assert "can run   relief" in result.output
    assert "cannot    eldercare" in result.output and "lacks care_centres" in result.output
    assert "eldercare: lacks" in result.output and "programmes: available" in result.output
    result = runner.invoke(app, ["validate", params_file(tmp_path, folder, "programmes: available\n")])
    assert result.exit_code == 0, result.output


def test_validate_writes_every_problem_to_a_workbook(tmp_path):
    folder = sample_with_cells(tmp_path / "w", "alliance_needs", "collected_date", "=HYPERLINK(\"x\")", 3)
    out = tmp_path / "problems.xlsx"
    result = runner.invoke(app, ["validate", params_file(tmp_path, folder), "--problems", str(out)])
    assert result.exit_code == 2
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert [r[2] for r in rows[1:]] == [2, 3, 4]
