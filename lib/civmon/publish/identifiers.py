"""What the gate looks for that only the input knows: the names (and pseudonymised IDs) of the
people in the raw files of a data folder, read from just those columns."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pandas as pd

from civmon.data.pseudonymise import hash_ids
from civmon.data.spec import DATASETS


def _header(text) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).lower()


def _headers(kind: str) -> frozenset[str]:
    """Normalised English and Chinese headers of every column of this kind in the spec."""
    return frozenset(_header(h) for ds in DATASETS.values() for c in ds.columns if c.kind == kind
                     for h in (c.name, c.zh))


NAME_HEADERS = _headers("name")
ID_HEADERS = _headers("id_number")


def raw_names_from_folder(folder, recursive: bool = False) -> set[str]:
    """Every value of a name column (per the dataset spec: 姓名, 申请人姓名, ...) in the CSV, XLSX
    and Parquet files of a data folder, whatever the files are called; only those columns are
    read. Blanks inside a name are removed ("张　伟" -> "张伟"); one-character values are dropped."""
    values = _column_values(Path(folder), NAME_HEADERS, recursive)
    names = {"".join(v.split()) for v in values}
    return {n for n in names if len(n) >= 2}


def raw_pseudonyms_from_folder(folder, key: str, recursive: bool = False) -> set[str]:
    """The pseudonymised keys of every ID number in the folder's raw files (hashed with `key`),
    so the gate can recognise any of them exactly."""
    ids = sorted(_column_values(Path(folder), ID_HEADERS, recursive))
    return set(hash_ids(pd.Series(ids, dtype="string"), key).dropna()) if ids else set()


def _column_values(folder: Path, headers: frozenset[str], recursive: bool) -> set[str]:
    files = folder.rglob("*") if recursive else folder.iterdir()
    out: set[str] = set()
    for p in sorted(files):
        if not p.is_file() or p.name.startswith(("~$", ".")):
            continue
        suffix = p.suffix.lower()
        if suffix == ".csv":
            frames = [_csv_columns(p, headers)]
        elif suffix == ".xlsx":
            frames = _xlsx_columns(p, headers)
        elif suffix == ".parquet":
            frames = [_parquet_columns(p, headers)]
        else:
            continue
        for f in frames:
            for c in f.columns:
                out.update(str(v).strip() for v in f[c].dropna())
    out.discard("")
    return out


def _positions(header_rows: list[list], headers: frozenset[str]) -> tuple[int, list[int]]:
    """The header row (of the first ten) holding any of `headers`, and those columns' positions."""
    for h, row in enumerate(header_rows[:10]):
        cols = [j for j, v in enumerate(row) if v is not None and _header(v) in headers]
        if cols:
            return h, cols
    return -1, []


def _csv_columns(path: Path, headers: frozenset[str]) -> pd.DataFrame:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        lines = data[:200_000].decode(enc, errors="ignore").splitlines()[:10]
        for sep in (",", "\t", ";"):
            h, cols = _positions(list(csv.reader(lines, delimiter=sep)), headers)
            if h >= 0:
                return pd.read_csv(path, header=None, skiprows=h + 1, usecols=cols, dtype=str, encoding=enc,
                                   sep=sep, on_bad_lines="skip")
        return pd.DataFrame()
    return pd.DataFrame()


def _xlsx_columns(path: Path, headers: frozenset[str]) -> list[pd.DataFrame]:
    out = []
    for sheet, head in pd.read_excel(path, sheet_name=None, header=None, nrows=10, dtype=str).items():
        h, cols = _positions(head.values.tolist(), headers)
        if h >= 0:
            out.append(pd.read_excel(path, sheet_name=sheet, header=None, skiprows=h + 1, usecols=cols, dtype=str))
    return out


def _parquet_columns(path: Path, headers: frozenset[str]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    cols = [c for c in pq.read_schema(path).names if _header(c) in headers]
    return pd.read_parquet(path, columns=cols).astype("string") if cols else pd.DataFrame()
