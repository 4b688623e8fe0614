"""Vectorised parsing of cell values into the canonical dtypes, one column kind at a time.

Every parser works on the distinct values of a column (`pd.factorize`) and maps the result back,
so a million-row column of a few hundred distinct dates costs a few hundred parses, and no Python
loop runs per row. A parser returns the typed column and a mask of cells that could not be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from civmon.data.spec import Column

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y-%m-%d %H:%M:%S",
                "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f")
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y年%m月", "%Y.%m")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel serial day 1 is 1900-01-01 (with its 1900 leap-year bug)
_SERIAL = re.compile(r"^\d{1,5}(\.\d+)?$")
_BLANKS = " \t\r\n\u3000\u00a0\ufeff"

TRUE_WORDS = ("是", "y", "yes", "1", "1.0", "true", "t")
FALSE_WORDS = ("否", "n", "no", "0", "0.0", "false", "f")

# kind -> (message, expected) for a cell that cannot be read
PARSE_MESSAGES = {
    "date": ("not a date", "a date such as 2023-01-05, 2023/1/5, 2023年1月5日 or an Excel date"),
    "month": ("not a month", "a month such as 2023-01, 2023/1 or 2023年1月"),
    "money": ("not an amount", "an amount in yuan such as 1,234.50"),
    "num": ("not a number", "a number"),
    "int": ("not a whole number", "a whole number"),
    "bool": ("not yes/no", "是/否, Y/N, 1/0 or true/false"),
    "id_number": ("not an 18-character ID number",
                  "17 digits then a digit or X, stored as text (Excel shows long numbers as 3.3E+17)"),
}


@dataclass(frozen=True)
class Parsed:
    """A parsed column: typed values and the cells (True) that were present but unreadable."""

    values: pd.Series
    bad: np.ndarray


def expected_categories(col: Column) -> str:
    """'one of 低保 (dibao), 特困 (tekun)' for a categorical column."""
    zh = col.value_zh or ("",) * len(col.values)
    return "one of " + ", ".join(f"{z} ({v})" if z else v for v, z in zip(col.values, zh))


def parse_message(col: Column) -> tuple[str, str]:
    """(message, expected) for an unreadable cell of this column."""
    if col.kind == "cat":
        return "unknown value", expected_categories(col)
    return PARSE_MESSAGES[col.kind]


ARROW_STRING = pd.StringDtype("pyarrow")  # string operations run as Arrow kernels, not per value


def clean_text(values: pd.Series) -> pd.Series:
    """Strip blanks (including full-width spaces) and turn empty cells into NA (Arrow-backed strings)."""
    if not isinstance(values.dtype, pd.StringDtype) and values.dtype == object:
        values = values.map(lambda v: v if v is None or isinstance(v, str) else str(v), na_action="ignore")
    s = values.astype(ARROW_STRING).str.strip(_BLANKS)
    return s.mask(s == "")


def parse_column(raw: pd.Series, col: Column, as_category: bool = False) -> Parsed:
    """Parse one column of raw cells (text, or already typed from Parquet) into its canonical dtype.

    `as_category` makes a text column categorical (with object categories) straight from its
    distinct values, for codes that repeat on every row such as township codes.
    """
    kind = col.kind
    if kind in ("date", "month") and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        v = pd.to_datetime(raw).astype("datetime64[ns]").dt.tz_localize(None) if getattr(raw.dtype, "tz", None) \
            else raw.astype("datetime64[ns]")
        v = v.dt.to_period("M").dt.to_timestamp() if kind == "month" else v.dt.normalize()
        return Parsed(v, np.zeros(len(raw), bool))
    if kind in ("int", "num", "money") and pd.api.types.is_numeric_dtype(raw.dtype) \
            and not pd.api.types.is_bool_dtype(raw.dtype):
        return _finish_number(pd.Series(raw.to_numpy(dtype="float64", na_value=np.nan), index=raw.index),
                              np.zeros(len(raw), bool), kind)
    if kind == "bool" and pd.api.types.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("boolean"), np.zeros(len(raw), bool))
    if kind == "cat" and isinstance(raw.dtype, pd.CategoricalDtype):
        raw = raw.astype(object)
    return _parse_text(raw, col, as_category)


def _parse_text(raw: pd.Series, col: Column, as_category: bool = False) -> Parsed:
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    u = clean_text(pd.Series(uniques))
    present = u.notna().to_numpy()
    kind = col.kind
    if kind == "str" and as_category:
        # cleaning may merge distinct raw values (' A' and 'A'): factorize the cleaned ones again
        clean_codes, categories = pd.factorize(u.astype(object), use_na_sentinel=True)
        row_codes = np.where(codes >= 0, clean_codes[np.maximum(codes, 0)], -1) if len(u) else codes
        values = pd.Categorical.from_codes(row_codes, categories=pd.Index(categories, dtype=object))
        return Parsed(pd.Series(values, index=raw.index), np.zeros(len(raw), bool))
    if kind == "cat":
        lookup = {v.lower(): v for v in col.values}
        lookup.update(dict(zip(col.value_zh, col.values)))
        mapped = u.str.lower().map(lookup).where(u.notna())
        mapped = mapped.where(mapped.notna(), u.map(lookup))
        cat_codes = pd.Categorical(mapped.astype(object), categories=list(col.values)).codes
        row_codes = np.where(codes >= 0, cat_codes[np.maximum(codes, 0)], -1) if len(u) else codes
        values = pd.Series(pd.Categorical.from_codes(row_codes, categories=list(col.values)), index=raw.index)
        bad_u = present & mapped.isna().to_numpy()
        return Parsed(values, _spread(bad_u, codes))
    if kind == "date":
        typed = parse_dates(u)
    elif kind == "month":
        typed = parse_months(u)
    elif kind in ("money", "num", "int"):
        text = u
        if kind == "money":
            text = u.str.replace(r"[,，¥￥元\s]", "", regex=True)
        typed = pd.to_numeric(text, errors="coerce").astype("float64")
    elif kind == "bool":
        low = u.str.lower()
        typed = pd.Series(pd.NA, index=u.index, dtype="boolean")
        typed[low.isin(TRUE_WORDS).fillna(False).to_numpy(bool)] = True
        typed[low.isin(FALSE_WORDS).fillna(False).to_numpy(bool)] = False
    elif kind == "id_number":
        typed = u.str.upper().str.replace(r"\s", "", regex=True)
        typed = typed.where(typed.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
    else:  # str, name, phone
        typed = u
    if kind in ("str", "name", "phone", "id_number"):
        typed = typed.astype("string")  # the canonical (Python-backed) string dtype
    bad_u = present & typed.isna().to_numpy()
    arr = typed.to_numpy() if typed.dtype == np.float64 else typed.array
    values = pd.Series(take(arr, codes, allow_fill=True), index=raw.index)
    parsed = Parsed(values, _spread(bad_u, codes))
    if kind in ("money", "num", "int"):
        return _finish_number(parsed.values, parsed.bad, kind)
    return parsed


def _spread(bad_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    if len(bad_unique) == 0:
        return np.zeros(len(codes), bool)
    return np.where(codes >= 0, bad_unique[np.maximum(codes, 0)], False)


def _finish_number(values: pd.Series, bad: np.ndarray, kind: str) -> Parsed:
    """Numbers that are infinite (1e400), or not whole or beyond 2**53 for `int`, are unreadable."""
    limit = 2.0 ** 53 if kind == "int" else np.inf
    ok = values.isna() | (np.isfinite(values) & (values.abs() < limit))
    if kind == "int":
        ok &= values.isna() | (values == np.round(values))
    v = values.where(ok)
    bad = bad | (values.notna() & ~ok).to_numpy()
    return Parsed(v.astype("Int64") if kind == "int" else v.astype("float64"), bad)


def _try_formats(u: pd.Series, formats, compact_pattern: str, compact_format: str) -> tuple[pd.Series, pd.Series]:
    """Parse text with each format in turn, then all-digit values (e.g. 20230105) with `compact_format`;
    returns the parsed values and the mask of values still unparsed."""
    out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    todo = u.notna()
    for fmt in formats:
        if not todo.any():
            break
        got = pd.to_datetime(u[todo], format=fmt, errors="coerce")
        out[got.index] = got.where(got.notna(), out[got.index])
        todo = todo & out.isna()
    compact = todo & u.str.fullmatch(compact_pattern).fillna(False).astype(bool)
    if compact.any():
        out[compact] = pd.to_datetime(u[compact], format=compact_format, errors="coerce")
        todo = todo & out.isna()
    return out, todo


def parse_dates(u: pd.Series) -> pd.Series:
    """Dates from text: the formats of DATE_FORMATS tried in turn, then Excel serial numbers."""
    out, todo = _try_formats(u, DATE_FORMATS, r"\d{8}", "%Y%m%d")
    serial = todo & u.str.fullmatch(_SERIAL.pattern).fillna(False).astype(bool)
    if serial.any():
        days = pd.to_numeric(u[serial], errors="coerce")
        days = days.where((days >= 1) & (days < 2958466))
        out[serial] = EXCEL_EPOCH + pd.to_timedelta(np.floor(days), unit="D")
    return out.dt.normalize()


def parse_months(u: pd.Series) -> pd.Series:
    """Months from text (MONTH_FORMATS, 202301, or any date), as the first day of the month."""
    out, todo = _try_formats(u, MONTH_FORMATS, r"\d{6}", "%Y%m")
    if todo.any():
        out[todo] = parse_dates(u[todo])
    return out.dt.to_period("M").dt.to_timestamp()
