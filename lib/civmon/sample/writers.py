"""Write sample frames as a bureau hands files over: English or Chinese headers, CSV or XLSX.

Three styles, chosen per dataset by `civmon.sample.generate.FILE_FORMATS`:
  en CSV (UTF-8): English headers and codes, ISO dates, Y/N;
  zh CSV (GB18030): Chinese headers and category values, dates like 2023/1/5, months like 2023年1月, 是/否;
  zh XLSX: Chinese headers and values, real Excel dates.
Money columns may carry thousands separators (1,234.50). Output is byte-deterministic: XLSX
files are rewritten with fixed document-property and zip-entry timestamps.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from civmon.data.spec import Dataset

FIXED_TIME = datetime(2023, 7, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _dates(s: pd.Series, style: str) -> pd.Series:
    d = pd.to_datetime(s)
    if style == "en":
        out = d.dt.strftime("%Y-%m-%d")
    else:
        out = d.dt.year.astype("Int64").astype("string") + "/" + d.dt.month.astype("Int64").astype("string") \
            + "/" + d.dt.day.astype("Int64").astype("string")
    return out.astype(object).where(d.notna(), "")


def _months(s: pd.Series, style: str) -> pd.Series:
    d = pd.to_datetime(s)
    if style == "en":
        out = d.dt.strftime("%Y-%m")
    else:
        out = d.dt.year.astype("Int64").astype("string") + "年" + d.dt.month.astype("Int64").astype("string") + "月"
    return out.astype(object).where(d.notna(), "")


def _money(s: pd.Series, thousands: bool) -> pd.Series:
    x = s.to_numpy(dtype=float, na_value=np.nan)
    fmt = "{:,.2f}" if thousands else "{:.2f}"
    return pd.Series([fmt.format(v) if v == v else "" for v in x], index=s.index, dtype=object)


def text_frame(df: pd.DataFrame, ds: Dataset, style: str, thousands: bool = False) -> pd.DataFrame:
    """Every cell as the text a bureau's file would hold, headers in English or Chinese."""
    out = {}
    for col in ds.columns:
        if col.name not in df.columns:
            continue
        s = df[col.name]
        if col.kind == "date":
            v = _dates(s, style)
        elif col.kind == "month":
            v = _months(s, style)
        elif col.kind == "money":
            v = _money(s, thousands)
        elif col.kind == "num":
            v = _money(s, False)
        elif col.kind == "int":
            v = pd.Series(pd.array(s, dtype="Int64"), index=s.index).astype("string").fillna("").astype(object)
        elif col.kind == "bool":
            yes, no = ("Y", "N") if style == "en" else ("是", "否")
            b = pd.array(s, dtype="boolean")
            v = pd.Series(np.where(b.isna(), "", np.where(b.fillna(False), yes, no)), index=s.index)
        elif col.kind == "cat" and style == "zh" and col.value_zh:
            mapping = dict(zip(col.values, col.value_zh))
            v = s.astype(object).map(mapping).where(s.notna(), "")
        else:
            v = s.astype(object).where(s.notna(), "")
        out[col.zh if style == "zh" else col.name] = v
    return pd.DataFrame(out)


def write_csv(df: pd.DataFrame, ds: Dataset, path: Path, style: str, encoding: str, thousands: bool = False) -> None:
    """A CSV file in the given header style and encoding."""
    text_frame(df, ds, style, thousands).to_csv(path, index=False, encoding=encoding, lineterminator="\n")


def write_xlsx(df: pd.DataFrame, ds: Dataset, path: Path) -> None:
    """An XLSX workbook with Chinese headers; dates as Excel dates; byte-deterministic."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    wb.properties.creator = "civmon synthetic sample"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.create_sheet(ds.zh[:31])
    text = text_frame(df, ds, "zh")
    ws.append(list(text.columns))
    kinds = [c.kind for c in ds.columns if c.name in df.columns]
    names = [c.name for c in ds.columns if c.name in df.columns]
    columns = []
    for name, kind, zh in zip(names, kinds, text.columns):
        if kind == "date":
            columns.append([None if pd.isna(v) else v.to_pydatetime() for v in pd.to_datetime(df[name])])
        elif kind in ("money", "num"):
            columns.append(df[name].astype(float).tolist())
        elif kind == "int":
            columns.append([None if pd.isna(v) else int(v) for v in df[name]])
        else:
            columns.append(text[zh].tolist())
    for row in zip(*columns):
        cells = []
        for kind, v in zip(kinds, row):
            if v is None or v == "" or (isinstance(v, float) and v != v) or v is pd.NaT:
                cells.append(None)
            elif kind == "date":
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "yyyy/m/d"
                cells.append(c)
            else:
                cells.append(v)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(fix_zip_times(buf.getvalue()))


def fix_zip_times(data: bytes) -> bytes:
    """Rewrite an Office zip with fixed entry timestamps and fixed document-property times."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIME.sub(lambda m: m.group(1) + stamp + m.group(3), body)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, body)
    return out.getvalue()
