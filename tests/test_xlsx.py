"""Strings written to .xlsx stay strings: a cell from the data can never become an Excel formula."""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from civmon.xlsx import write_frame_xlsx

HOSTILE = ['=HYPERLINK("http://example.com","点击")', "+1", "@SUM(A1)", "-2", "=1+1", "织里镇"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "text": HOSTILE,
        "count": [1, 2, 3, 4, 5, 6],
        "value": [1.5, np.nan, -2.25, 0.0, 1e6, 3.0],
        "note": ["a", None, np.nan, "=A1", "", "b"],
    })


def test_strings_are_never_formulas(tmp_path):
    df = _frame()
    path = write_frame_xlsx(df, tmp_path / "out.xlsx", sheet_name="indicators")
    assert path == tmp_path / "out.xlsx" and list(tmp_path.iterdir()) == [path]  # no temp file left
    wb = load_workbook(path)
    assert wb.sheetnames == ["indicators"]
    ws = wb["indicators"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in ws[1]] == list(df.columns)
    assert [ws.cell(row=i, column=1).value for i in range(2, 8)] == HOSTILE
    assert all(ws.cell(row=i, column=1).data_type == "s" for i in range(2, 8))
    assert [ws.cell(row=i, column=2).value for i in range(2, 8)] == [1, 2, 3, 4, 5, 6]
    assert all(ws.cell(row=i, column=2).data_type == "n" for i in range(2, 8))
    assert ws.cell(row=3, column=3).value is None  # NaN is an empty cell
    assert ws.cell(row=3, column=4).value is None and ws.cell(row=4, column=4).value is None
    assert ws.cell(row=5, column=4).value == "=A1"


def test_pandas_reads_back_the_same_frame(tmp_path):
    df = _frame()
    path = write_frame_xlsx(df, tmp_path / "out.xlsx", sheet_name="indicators")
    back = pd.read_excel(path, sheet_name="indicators")
    expected = df.copy()
    expected["note"] = ["a", np.nan, np.nan, "=A1", np.nan, "b"]  # Excel keeps no empty string
    pd.testing.assert_frame_equal(back, expected)


def test_widths_frozen_header_and_filter(tmp_path):
    df = _frame()
    path = write_frame_xlsx(df, tmp_path / "w.xlsx", widths={"text": 40, "note": 12}, freeze_header=True,
                            autofilter=True)
    ws = load_workbook(path).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D7"
    assert ws.column_dimensions["A"].width == 40 and ws.column_dimensions["D"].width == 12


def test_overwrites_atomically(tmp_path):
    path = tmp_path / "x.xlsx"
    write_frame_xlsx(pd.DataFrame({"a": [1]}), path)
    write_frame_xlsx(pd.DataFrame({"a": ["=2"]}), path)
    assert pd.read_excel(path)["a"].tolist() == ["=2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]
