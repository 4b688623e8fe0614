"""Encodings detected from the bytes, XLSX with Chinese headers, Parquet, and value formats."""

from __future__ import annotations

import codecs
from datetime import datetime

import pandas as pd
import pytest

from civmon.data import load
from civmon.data.parsing import parse_column
from civmon.data.readers import detect_encoding, read_raw
from civmon.data.spec import DATASETS

from .conftest import CHILD, P1, csv_text, one, write_csv, write_xlsx, zh_header


def _load(folder, **kw):
    return load(folder, key="k", use_cache=False, **kw)


def test_gb18030_csv_with_chinese_headers_is_detected(tmp_path, tables):
    header, rows = tables["relief_members"]
    path = write_csv(tmp_path / "relief_members.csv", zh_header("relief_members"), rows, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the file really is not UTF-8
    raw = read_raw(path, DATASETS["relief_members"])
    assert raw.encoding == "gb18030"
    assert raw.headers == zh_header("relief_members")
    res = _load(tmp_path, datasets=["relief_members"])
    assert res.report.ok, res.report.format()
    assert res.data["relief_members"]["relation"].tolist() == ["户主", "配偶", "户主"]
    rows[2][0] = ""  # a member without a household, in the GB18030 file's fourth row
    write_csv(tmp_path / "relief_members.csv", zh_header("relief_members"), rows, encoding="gb18030")
    p = one(_load(tmp_path, datasets=["relief_members"]).report, "empty value")
    assert (p.file, p.row, p.column, p.severity) == ("relief_members.csv", 4, "户编号", "error")


def test_gbk_bytes_named_like_utf8_are_still_detected(tmp_path, tables):
    header, rows = tables["relief_households"]
    path = tmp_path / "relief_households.utf8.csv"
    path.write_bytes(csv_text(zh_header("relief_households"), rows).encode("gbk"))
    assert read_raw(path, DATASETS["relief_households"]).encoding == "gb18030"


def test_utf8_bom_csv(tmp_path, tables):
    header, rows = tables["relief_payments"]
    path = write_csv(tmp_path / "relief_payments.csv", zh_header("relief_payments"), rows, encoding="utf-8-sig")
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    raw = read_raw(path, DATASETS["relief_payments"])
    assert raw.encoding == "utf-8-sig" and raw.headers[0] == "户编号"  # the BOM is not part of the header
    res = _load(tmp_path)
    assert res.report.ok, res.report.format()
    assert res.data["relief_payments"]["amount"].sum() == pytest.approx(3 * 1960 + 2 * 1274)


def test_utf16_tab_separated_export(tmp_path, tables):
    header, rows = tables["relief_payments"]
    text = "\n".join("\t".join(r) for r in [header] + rows) + "\n"
    (tmp_path / "relief_payments.csv").write_bytes(text.encode("utf-16"))
    res = _load(tmp_path)
    assert res.report.ok, res.report.format()
    assert len(res.data["relief_payments"]) == 5


def test_undecodable_bytes_are_reported(tmp_path):
    (tmp_path / "relief_payments.csv").write_bytes(b"household_id,month\nH1,\xff\xff\x80\n")
    p = one(_load(tmp_path).report, "unreadable encoding")
    assert (p.file, p.row) == ("relief_payments.csv", None)
    assert p.expected == "UTF-8, UTF-8 with BOM or GB18030 (GBK)"


def test_detect_encoding_prefers_utf8():
    text = "户编号,发放金额\nH1,100\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    assert detect_encoding(codecs.BOM_UTF8 + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"
    long = ("H1,100\n" * 300_000 + "户编号,发放金额\n").encode("gb18030")  # the first non-ASCII byte is 2 MB in
    assert detect_encoding(long) == "gb18030"


def test_xlsx_with_chinese_headers_title_row_and_excel_values(tmp_path):
    rows = [
        ["H1", "2023-01", "低保", 1960, datetime(2023, 1, 10), datetime(2023, 1, 10), "330502001"],
        ["H1", datetime(2023, 2, 1), "dibao", "1,960.00", 44967, "2023/2/11", 330502001],  # serial 44967 = 2023-02-10
        ["H2", "2023年1月", "特困", 1274.0, "2023年1月10日", None, "330502002"],
        ["H2", "2023-02", "特困", -5, "2023-02-10", None, "330502002"],
    ]
    write_xlsx(tmp_path / "低收入对象救助金发放.xlsx", zh_header("relief_payments"), rows, title="2023年救助金发放表")
    res = _load(tmp_path)
    p = one(res.report, "negative amount")
    assert (p.file, p.row, p.column, p.value) == ("低收入对象救助金发放.xlsx", 6, "发放金额", "-5")  # title row 1, header row 2
    df = res.data["relief_payments"]
    assert list(df.index) == [3, 4, 5, 6]
    assert df["month"].tolist() == list(pd.to_datetime(["2023-01-01", "2023-02-01", "2023-01-01", "2023-02-01"]))
    assert df["due_date"].tolist() == list(pd.to_datetime(["2023-01-10", "2023-02-10", "2023-01-10", "2023-02-10"]))
    assert df["paid_date"].iloc[1] == pd.Timestamp("2023-02-11") and df["paid_date"].isna().sum() == 2
    assert df["amount"].tolist() == [1960.0, 1960.0, 1274.0, -5.0]
    assert df["township_code"].astype(str).tolist() == ["330502001", "330502001", "330502002", "330502002"]
    assert df["category"].astype(str).tolist() == ["dibao", "dibao", "tekun", "tekun"]


def test_xlsx_sheet_named_after_the_dataset_is_preferred(tmp_path, tables):
    from openpyxl import Workbook

    header, rows = tables["relief_households"]
    wb = Workbook()
    wb.active.title = "封面"
    wb.active.append(["这不是数据"])
    ws = wb.create_sheet("低收入对象名册")
    ws.append(zh_header("relief_households"))
    for r in rows:
        ws.append(r)
    wb.save(tmp_path / "relief_households.xlsx")
    res = _load(tmp_path)
    assert res.report.ok, res.report.format()
    assert res.data["relief_households"]["household_id"].tolist() == ["H1", "H2"]


def test_parquet_typed_and_text(tmp_path):
    typed = pd.DataFrame({
        "id_number": [CHILD[0], CHILD[0]], "name": [CHILD[1], CHILD[1]], "township_code": ["330502002"] * 2,
        "month": pd.to_datetime(["2023-01-01", "2023-02-01"]), "child_type": ["孤儿", "in_difficulty"],
        "amount": [1400, -1],
    })
    typed.to_parquet(tmp_path / "child_subsidy.parquet")
    res = _load(tmp_path)
    p = one(res.report, "negative amount")
    assert (p.file, p.row, p.column) == ("child_subsidy.parquet", 3, "amount")
    df = res.data["child_subsidy"]
    assert df["month"].tolist() == list(pd.to_datetime(["2023-01-01", "2023-02-01"]))
    assert df["child_type"].astype(str).tolist() == ["orphan", "in_difficulty"]
    assert df["birth_date"].iloc[0] == pd.Timestamp("2015-06-10")


def test_bad_parquet_file(tmp_path):
    (tmp_path / "child_subsidy.parquet").write_bytes(b"not parquet at all")
    p = one(_load(tmp_path).report, "unreadable Parquet file")
    assert p.file == "child_subsidy.parquet"


def test_headers_tolerate_fullwidth_brackets_spaces_and_case(tmp_path):
    write_csv(tmp_path / "relief_standards.csv", ["类别", " 执行日期 ", "标准(元/人/月)"],
              [["低保", "2023-01-01", "1,130"], ["TEKUN", "2023-01-01", "1,469"]])
    res = _load(tmp_path)
    assert res.report.ok, res.report.format()
    assert res.data["relief_standards"]["standard"].tolist() == [1130.0, 1469.0]
    write_csv(tmp_path / "relief_standards.csv", ["CATEGORY", "Effective_Date", "standard"], [["dibao", "2023-01-01", "1"]])
    assert _load(tmp_path).report.ok


def test_repeated_header_is_an_error(tmp_path):
    write_csv(tmp_path / "relief_standards.csv", ["category", "类别", "effective_date", "standard"],
              [["dibao", "dibao", "2023-01-01", "1"]])
    p = one(_load(tmp_path).report, "column appears twice")
    assert (p.row, p.column) == (1, "类别")


@pytest.mark.parametrize("text, expected", [
    ("2023-01-05", "2023-01-05"), ("2023/1/5", "2023-01-05"), ("2023年1月5日", "2023-01-05"),
    ("44931", "2023-01-05"), ("20230105", "2023-01-05"), ("2023.1.5", "2023-01-05"),
    ("2023-01-05 00:00:00", "2023-01-05"), (" 2023-01-05\u3000", "2023-01-05"),
    ("61", "1900-03-01"),  # Excel serials count the non-existent 1900-02-29
])
def test_date_formats(text, expected):
    p = parse_column(pd.Series([text]), DATASETS["temp_relief"].column("date"))
    assert not p.bad[0] and p.values[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2023-02-30", "05/01/2023", "next week", "2023-1-5x"])
def test_bad_dates(text):
    p = parse_column(pd.Series([text]), DATASETS["temp_relief"].column("date"))
    assert p.bad[0] and pd.isna(p.values[0])


@pytest.mark.parametrize("text, expected", [
    ("2023-01", "2023-01-01"), ("2023/1", "2023-01-01"), ("2023年1月", "2023-01-01"), ("202301", "2023-01-01"),
    ("2023-01-15", "2023-01-01"), ("2023.12", "2023-12-01"),
])
def test_month_formats(text, expected):
    p = parse_column(pd.Series([text]), DATASETS["relief_payments"].column("month"))
    assert not p.bad[0] and p.values[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text, expected", [
    ("1,234.50", 1234.5), ("¥1,234", 1234.0), ("1，234元", 1234.0), (" 12 ", 12.0), ("-3", -3.0), ("0", 0.0),
])
def test_money(text, expected):
    p = parse_column(pd.Series([text]), DATASETS["relief_payments"].column("amount"))
    assert not p.bad[0] and p.values[0] == expected


def test_bool_and_empty_cells():
    p = parse_column(pd.Series(["是", "否", "Y", "n", "1", "0", "TRUE", "false", "", None, "也许"]),
                     DATASETS["relief_households"].column("labour_capacity"))
    assert p.values.tolist()[:8] == [True, False, True, False, True, False, True, False]
    assert p.values.isna().tolist()[8:] == [True, True, True]
    assert p.bad.tolist() == [False] * 10 + [True]


def test_parsing_many_rows_maps_distinct_values(tables):
    values = pd.Series(["2023/1/5", "2023年2月1日", "bad"] * 50_000)
    p = parse_column(values, DATASETS["temp_relief"].column("date"))
    assert p.bad.sum() == 50_000
    assert (p.values[0::3] == pd.Timestamp("2023-01-05")).all()
    assert (p.values[1::3] == pd.Timestamp("2023-02-01")).all()


def test_template_headers_english_row_is_skipped(tmp_path, tables):
    from civmon.data import write_templates

    (path,) = write_templates(tmp_path / "t", datasets=["relief_members"])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == zh_header("relief_members")
    assert [c.value for c in ws[2]] == DATASETS["relief_members"].column_names
    bad = P1[0][:-1] + ("0" if P1[0][-1] != "0" else "1")
    for r in tables["relief_members"][1] + [["H3", bad, "某某", "", "", "330502001"]]:
        ws.append(r)
    wb.save(path)
    res = _load(tmp_path / "t")
    p = one(res.report, "bad ID number checksum")
    assert (p.file, p.row, p.column) == ("relief_members.xlsx", 6, "身份证号")  # rows 1-2 headers, data from row 3
    assert len(res.data["relief_members"]) == 4


def test_excel_csv_with_trailing_empty_columns(tmp_path, tables):
    header, rows = tables["relief_payments"]
    text = "\r\n".join(",".join(f'"{v}"' if "," in v else v for v in r) + ",," for r in [header] + rows) + "\r\n"
    (tmp_path / "relief_payments.csv").write_text(text, encoding="utf-8")
    res = _load(tmp_path)
    assert res.report.ok and res.report.problems == [], res.report.format()
    assert len(res.data["relief_payments"]) == 5


def test_tab_separated_with_title_line(tmp_path, tables):
    header, rows = tables["relief_payments"]
    rows[4][header.index("amount")] = "-2"
    text = "救助金发放表\n" + "\n".join("\t".join(r) for r in [header] + rows) + "\n"
    (tmp_path / "relief_payments.csv").write_text(text, encoding="utf-8")
    p = one(_load(tmp_path).report, "negative amount")
    assert p.row == 7


def test_xlsx_id_number_stored_as_a_number(tmp_path, tables):
    header, rows = tables["relief_members"]
    rows[1][1] = float(rows[1][1][:17] + "0")  # what Excel does to an ID typed into a General cell
    write_xlsx(tmp_path / "relief_members.xlsx", zh_header("relief_members"), rows)
    p = one(_load(tmp_path).report, "not an 18-character ID number")
    assert (p.row, p.column) == (3, "身份证号")
    assert "stored as text" in p.expected


def test_headers_with_asterisks_and_units(tmp_path, tables):
    header, rows = tables["relief_payments"]
    zh = zh_header("relief_payments")
    zh[0] = "*户编号"
    zh[zh.index("发放金额")] = "发放金额（元）"
    write_csv(tmp_path / "relief_payments.csv", zh, rows)
    write_csv(tmp_path / "relief_standards.csv", ["类别", "执行日期", "标准"], [["低保", "2023-01-01", "1,130"]])
    res = _load(tmp_path)
    assert res.report.ok and res.report.problems == [], res.report.format()
    assert res.data["relief_payments"]["amount"].sum() == pytest.approx(3 * 1960 + 2 * 1274)
    assert res.data["relief_standards"]["standard"].tolist() == [1130.0]
