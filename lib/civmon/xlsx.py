"""Writing a DataFrame to .xlsx so that text from the data stays text.

`DataFrame.to_excel` hands strings to openpyxl, which stores any string starting with "=" as a
formula: a place name or note such as `=HYPERLINK("http://…","点击")` in a bureau's file would run
when a clerk opens the workbook. Here every string cell is stored as a string, numbers as numbers,
and empty values (None, NaN, NaT, pd.NA) as empty cells. The file is written atomically.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

EXCEL_MAX_TEXT = 32767  # characters Excel keeps in one cell


def _empty(value) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def set_cell(cell, value) -> None:
    """Put one value into an openpyxl cell: text as text (never a formula), numbers as numbers."""
    if _empty(value):
        cell.value = None
        return
    if isinstance(value, (bool, np.bool_)):
        cell.value = bool(value)
        return
    if isinstance(value, numbers.Integral):
        cell.value = int(value)
        return
    if isinstance(value, numbers.Real):
        if math.isinf(value):  # Excel has no infinity; written as text, as pandas does
            value = "inf" if value > 0 else "-inf"
        else:
            cell.value = float(value)
            return
    if isinstance(value, pd.Timestamp):
        value = value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        cell.value = value
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:EXCEL_MAX_TEXT]
    cell.value = text
    cell.data_type = "s"  # after the assignment, which would have made "=..." a formula


def frame_to_sheet(ws, df: pd.DataFrame, index: bool = False) -> None:
    """Write df (header row, then one row per record) into an empty worksheet, from cell A1."""
    frame = df.reset_index() if index else df
    for j, name in enumerate(frame.columns, start=1):
        set_cell(ws.cell(row=1, column=j), name)
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
        for j, value in enumerate(row, start=1):
            set_cell(ws.cell(row=i, column=j), value)


def write_frame_xlsx(df: pd.DataFrame, path, sheet_name: str = "Sheet1", *, index: bool = False,
                     widths: dict[str, float] | list[float] | None = None, freeze_header: bool = False,
                     autofilter: bool = False) -> Path:
    """Write df as the only sheet of an .xlsx file, strings never formulas; atomically (temp file
    then os.replace). `widths` per column name or in column order; optionally freeze the header
    row and put an autofilter on it."""
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    frame_to_sheet(ws, df, index=index)
    ncols = len(df.columns) + (df.index.nlevels if index else 0)
    if widths is not None:
        names = list(df.reset_index().columns if index else df.columns)
        pairs = widths.items() if isinstance(widths, dict) else zip(names, widths)
        for name, width in pairs:
            if name in names:
                ws.column_dimensions[get_column_letter(names.index(name) + 1)].width = width
    if freeze_header:
        ws.freeze_panes = "A2"
    if autofilter and ncols:
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(len(df), 0) + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
