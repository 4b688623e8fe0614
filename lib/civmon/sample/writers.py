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
import pyarrow as pa
import pyarrow.compute as pc

from civmon.data.spec import Dataset

FIXED_TIME = datetime(2023, 7, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


CHUNK_ROWS = 500_000


def _valid(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy(dtype=bool)


def _strings(values, valid: np.ndarray) -> pa.Array:
    """A string array with nulls (written as empty cells) where not valid."""
    arr = pa.array(values)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.string()))


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _dates(s: pd.Series, style: str, month: bool = False) -> pa.Array:
    """Dates as text; each distinct day is formatted once (files repeat few distinct dates)."""
    d = pd.to_datetime(s)
    valid = _valid(d)
    days = d.to_numpy(dtype="datetime64[D]").astype(np.int64)
    uniq, inverse = np.unique(np.where(valid, days, 0), return_inverse=True)
    stamps = pd.DatetimeIndex(uniq.astype("datetime64[D]"))
    if style == "en":
        labels = stamps.strftime("%Y-%m" if month else "%Y-%m-%d")
    elif month:
        labels = [f"{t.year}年{t.month}月" for t in stamps]
    else:
        labels = [f"{t.year}/{t.month}/{t.day}" for t in stamps]
    codes = inverse.reshape(-1).astype(np.int32)
    dic = pa.DictionaryArray.from_arrays(pa.array(codes, mask=~valid), pa.array(list(labels), pa.string()))
    return pc.cast(dic, pa.string())


def _decimal(s: pd.Series, thousands: bool) -> pa.Array:
    """Two decimals (1234.50), optionally with thousands separators (1,234.50)."""
    x = s.to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(x)
    cents = np.round(np.abs(np.nan_to_num(x)) * 100).astype(np.int64)
    whole, frac = cents // 100, cents % 100
    frac_s = pc.utf8_lpad(_strings(frac, valid), width=2, padding="0")
    if thousands:
        g = [whole // 10**9, (whole // 10**6) % 1000, (whole // 1000) % 1000, whole % 1000]
        lead = [_strings(v, valid) for v in g]
        pad = [pc.utf8_lpad(v, width=3, padding="0") for v in lead]
        text = pc.case_when(
            pc.make_struct(pa.array(whole >= 10**9), pa.array(whole >= 10**6), pa.array(whole >= 1000)),
            _join(lead[0], ",", pad[1], ",", pad[2], ",", pad[3]),
            _join(lead[1], ",", pad[2], ",", pad[3]),
            _join(lead[2], ",", pad[3]),
            lead[3])
    else:
        text = _strings(whole, valid)
    sign = pa.array(np.where(x < 0, "-", ""))
    return _join(sign, text, ".", frac_s)


def text_column(s: pd.Series, col, style: str, thousands: bool = False) -> pa.Array:
    """One column as the text a bureau's file would hold (null = empty cell)."""
    kind = col.kind
    if kind in ("date", "month"):
        return _dates(s, style, month=kind == "month")
    if kind == "money":
        return _decimal(s, thousands)
    if kind == "num":
        return _decimal(s, False)
    if kind == "int":
        valid = _valid(s)
        return _strings(pd.array(s, dtype="Int64").to_numpy(dtype=np.int64, na_value=0), valid)
    if kind == "bool":
        b = pd.array(s, dtype="boolean")
        yes, no = ("Y", "N") if style == "en" else ("是", "否")
        return _strings(np.where(b.fillna(False).to_numpy(dtype=bool), yes, no), ~b.isna())
    if kind == "cat":
        cat = pd.Categorical(s, categories=list(col.values)) if col.values else pd.Categorical(s)
        labels = list(cat.categories.astype(str))
        if style == "zh" and col.value_zh:
            labels = [dict(zip(col.values, col.value_zh)).get(v, v) for v in labels]
        codes = cat.codes.astype(np.int32)
        dic = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(labels, pa.string()))
        return pc.cast(dic, pa.string())
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype(np.int32)
        dic = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                             pa.array(s.cat.categories.astype(str), pa.string()))
        return pc.cast(dic, pa.string())
    return _strings(s.astype("string").to_numpy(dtype=object, na_value=None), _valid(s))


def text_table(df: pd.DataFrame, ds: Dataset, style: str, thousands: bool = False) -> pa.Table:
    """Every cell as text, headers in English (spec names) or Chinese (spec zh)."""
    cols = [c for c in ds.columns if c.name in df.columns]
    return pa.table({(c.zh if style == "zh" else c.name): text_column(df[c.name], c, style, thousands)
                     for c in cols})


def text_frame(df: pd.DataFrame, ds: Dataset, style: str, thousands: bool = False) -> pd.DataFrame:
    """The text table as a pandas frame of strings ('' for empty cells)."""
    return text_table(df, ds, style, thousands).to_pandas().fillna("")


SAFE_KINDS = ("date", "month", "int", "bool", "num")  # text of these kinds never needs CSV quoting


def _quoted(arr: pa.Array) -> pa.Array:
    """CSV quoting where a cell needs it (comma, quote or line break), as RFC 4180 says."""
    needs = pc.or_(pc.or_(pc.match_substring(arr, ","), pc.match_substring(arr, '"')),
                   pc.or_(pc.match_substring(arr, "\n"), pc.match_substring(arr, "\r")))
    if not pc.any(needs).as_py():
        return arr
    quoted = _join('"', pc.replace_substring(arr, '"', '""'), '"')
    return pc.if_else(needs, quoted, arr)


def csv_bytes(table: pa.Table, header: bool, safe: list[bool] | None = None) -> bytes:
    """The table as UTF-8 CSV lines (empty cells for nulls), built column-wise without Python loops.

    `safe[i]` marks columns whose text cannot need quoting (skips the check).
    """
    safe = safe or [False] * table.num_columns
    cols = []
    for c, ok in zip(table.columns, safe):
        c = c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c
        cols.append(c if ok else _quoted(c))
    lines = pc.binary_join_element_wise(*cols, ",", null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(lines, "\n", "")
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    head = (",".join(str(n) for n in table.column_names) + "\n").encode() if header else b""
    if len(lines) == 0:
        return head
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset:lines.offset + len(lines) + 1]
    return head + lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def write_csv(df: pd.DataFrame, ds: Dataset, path: Path, style: str, encoding: str, thousands: bool = False) -> None:
    """A CSV file in the given header style and encoding, written in chunks to bound memory."""
    utf8 = encoding.lower().replace("-", "") == "utf8"
    safe = [c.kind in SAFE_KINDS or (c.kind == "money" and not thousands) or (c.kind == "cat" and style == "en")
            for c in ds.columns if c.name in df.columns]
    with open(path, "wb") as f:
        for start in range(0, max(len(df), 1), CHUNK_ROWS):
            table = text_table(df.iloc[start:start + CHUNK_ROWS], ds, style, thousands)
            data = csv_bytes(table, start == 0, safe)
            f.write(data if utf8 else data.decode("utf-8").encode(encoding))


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
