"""Bureau-style text of every column kind, CSV quoting, and deterministic XLSX bytes."""

from __future__ import annotations

import io
import time
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa

from civmon.data.spec import C, Dataset
from civmon.sample.writers import FIXED_TIME, csv_bytes, text_frame, write_csv, write_xlsx

DS = Dataset("demo", "演示", "demo", (
    C("code", "代码", "str"),
    C("day", "日期", "date", required=False),
    C("month", "月份", "month"),
    C("n", "人数", "int", required=False),
    C("amount", "金额", "money"),
    C("flag", "标志", "bool"),
    C("kind", "类别", "cat", values=("dibao", "tekun"), value_zh=("低保", "特困")),
))


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "code": pd.array(['a,b', 'say "hi"', "plain"], dtype="string"),
        "day": pd.to_datetime(["2023-01-05", None, "2023-12-31"]),
        "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-11-01"]),
        "n": pd.array([1, None, 30], dtype="Int64"),
        "amount": [1234567.5, 0.05, 999.999],
        "flag": pd.array([True, False, None], dtype="boolean"),
        "kind": pd.Categorical(["dibao", "tekun", None], categories=["dibao", "tekun"]),
    })


def test_english_text():
    t = text_frame(frame(), DS, "en")
    assert t.to_dict("list") == {
        "code": ['a,b', 'say "hi"', "plain"], "day": ["2023-01-05", "", "2023-12-31"],
        "month": ["2023-01", "2023-02", "2023-11"], "n": ["1", "", "30"],
        "amount": ["1234567.50", "0.05", "1000.00"], "flag": ["Y", "N", ""], "kind": ["dibao", "tekun", ""]}


def test_chinese_text_with_thousands_separators():
    t = text_frame(frame(), DS, "zh", thousands=True)
    assert list(t.columns) == ["代码", "日期", "月份", "人数", "金额", "标志", "类别"]
    assert t["日期"].tolist() == ["2023/1/5", "", "2023/12/31"]
    assert t["月份"].tolist() == ["2023年1月", "2023年2月", "2023年11月"]
    assert t["金额"].tolist() == ["1,234,567.50", "0.05", "1,000.00"]
    assert t["标志"].tolist() == ["是", "否", ""] and t["类别"].tolist() == ["低保", "特困", ""]


def test_csv_quotes_only_where_needed_and_encodes(tmp_path):
    path = tmp_path / "demo.csv"
    write_csv(frame(), DS, path, "zh", "gb18030", thousands=True)
    text = path.read_bytes().decode("gb18030")
    lines = text.split("\n")
    assert lines[0] == "代码,日期,月份,人数,金额,标志,类别"
    assert lines[1] == '"a,b",2023/1/5,2023年1月,1,"1,234,567.50",是,低保'
    assert lines[2] == '"say ""hi""",,2023年2月,,0.05,否,特困'
    assert pd.read_csv(path, encoding="gb18030", dtype=str).shape == (3, 7)
    assert csv_bytes(pa.table({"x": pa.array([], pa.string())}), True) == b"x\n"


def test_xlsx_bytes_are_deterministic(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_xlsx(frame(), DS, a)
    time.sleep(1.1)  # a different wall-clock second must not change the bytes
    write_xlsx(frame(), DS, b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(io.BytesIO(a.read_bytes())) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME.timetuple()[:6]}
        assert FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ") in z.read("docProps/core.xml").decode()
    rows = list(openpyxl.load_workbook(a).active.iter_rows(values_only=True))
    assert rows[0] == ("代码", "日期", "月份", "人数", "金额", "标志", "类别")
    assert rows[1][1].date().isoformat() == "2023-01-05" and rows[1][4] == 1234567.5 and rows[1][6] == "低保"
    assert rows[2][1] is None and rows[2][3] is None and np.isclose(rows[2][4], 0.05)
