"""Reading one dataset file (CSV, XLSX or Parquet) into a raw table of cells with Excel row numbers.

CSV encodings are detected from the bytes, never from the file name: a byte-order mark decides
UTF-8-with-BOM or UTF-16; otherwise the whole file must decode strictly as UTF-8 or else as
GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows writes); anything else is
reported with charset-normalizer's best guess. The header row may sit below a title row, may be in
Chinese or English, and a second header row (the templates' English names under the Chinese ones)
is skipped. The frame's index is the row number a person sees in Excel (header row + 1 onwards).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from civmon.data.spec import Dataset
from civmon.data.validation import ERROR, WARNING, Problem
from civmon.errors import UnreadableFile

SUFFIXES = (".csv", ".xlsx", ".parquet")
MSG_ENCODING = "unreadable encoding"
MSG_EMPTY_FILE = "empty file"
MSG_TRUNCATED = "truncated last line"
MSG_FIELDS = "wrong number of fields"
MSG_OPEN_QUOTE = "file ends inside a quoted value (truncated?)"
MSG_NO_FINAL_NEWLINE = "file does not end with a line break"
MSG_BAD_XLSX = "unreadable Excel file"
MSG_BAD_PARQUET = "unreadable Parquet file"
MSG_BAD_CSV = "unreadable CSV file"
MSG_NO_SHEET = "no such sheet"
HEADER_SEARCH_ROWS = 10


@dataclass
class RawTable:
    """Cells of one file as read: columns c0..cN, headers as written, index = Excel row numbers."""

    frame: pd.DataFrame
    headers: list[str]
    header_row: int  # Excel row number of the header
    encoding: str | None = None
    problems: list[Problem] = field(default_factory=list)


def normalise_header(text) -> str:
    """Compare headers loosely: NFKC (full-width brackets and letters), no blanks, no required-field
    asterisks (*户编号), lower case."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(s.split()).strip("*").lower()


def without_unit(header: str) -> str:
    """'标准(元/人/月)' -> '标准': the header without a bracketed unit or note."""
    return re.sub(r"\([^()]*\)$", "", header)


def header_aliases(ds: Dataset, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Normalised header text -> column name: the English name, the Chinese header, the Chinese
    header with or without its bracketed unit (发放金额（元） for 发放金额), and the synonyms the
    ministry's and the province's systems use (civmon.data.synonyms), each when unambiguous within
    the dataset; `extra` (a mapping file's `columns`: source header -> column) comes first."""
    from civmon.data.synonyms import COLUMN_SYNONYMS

    out = {normalise_header(h): c for h, c in (extra or {}).items()}
    for c in ds.columns:
        out.setdefault(normalise_header(c.name), c.name)
        out.setdefault(normalise_header(c.zh), c.name)
    loose: dict[str, set[str]] = {}
    for c in ds.columns:
        zh = normalise_header(c.zh)
        for variant in (without_unit(zh), zh + "(元)"):
            loose.setdefault(variant, set()).add(c.name)
    for c in ds.columns:
        for synonym in COLUMN_SYNONYMS.get(c.name, ()):
            loose.setdefault(normalise_header(synonym), set()).add(c.name)
    for variant, names in loose.items():
        if len(names) == 1 and variant not in out:
            out[variant] = names.pop()
    return out


def column_of(aliases: dict[str, str], header) -> str | None:
    """The column a header names: as written, else without a bracketed unit (实发金额（元）)."""
    key = normalise_header(header)
    return aliases.get(key) or (aliases.get(without_unit(key)) if key.endswith(")") else None)


def _file_problem(path: Path, ds: Dataset, message: str, expected: str, row=None, severity=ERROR,
                  column=None, value=None) -> Problem:
    return Problem(path.name, row, column, value, expected, severity, message, ds.name)


# --- encodings ----------------------------------------------------------------------------------
def _decodes(data: bytes, encoding: str, chunk: int = 1 << 23) -> bool:
    """True if the bytes decode strictly; checked in chunks so no copy of the text is kept."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for i in range(0, len(data), chunk):
            decoder.decode(data[i:i + chunk], final=i + chunk >= len(data))
        if not data:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """The encoding of CSV bytes, from their content; raise ValueError with a guess if undecodable."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(data, encoding):
            return encoding
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    raise ValueError(best.encoding if best is not None else "unknown")


def _sniff_delimiter(head: str) -> str:
    """The most frequent of comma, tab and semicolon in the first lines (comma if none)."""
    counts = {d: head.count(d) for d in (",", "\t", ";")}
    return max(counts, key=counts.get) if max(counts.values()) > 0 else ","


def _text(v) -> str:
    return "" if v is None else str(v).strip()


def _two_row_headers(parent_row: list, child_row: list, aliases: dict[str, str]) -> list[str]:
    """Headers of a header over two rows (a parent cell merged across the children under it): each
    column reads "parent child", or the child alone where only that names a known column, or the
    parent where the column has no child (merged down)."""
    width = max(len(parent_row), len(child_row))
    parent = [_text(v) for v in parent_row] + [""] * (width - len(parent_row))
    child = [_text(v) for v in child_row] + [""] * (width - len(child_row))
    out, last = [], ""
    for p, c in zip(parent, child):
        last = p or (last if c else "")
        if not c:
            out.append(p)
        elif last and column_of(aliases, f"{last} {c}") is None and column_of(aliases, c) is not None:
            out.append(c)
        else:
            out.append(f"{last} {c}".strip())
    return out


@dataclass(frozen=True)
class HeaderRow:
    """Where the header is: its first row (0-based), how many rows it spans, the headers as read."""

    index: int
    rows: int
    headers: list[str]

    @property
    def data_start(self) -> int:
        return self.index + self.rows


def find_header(rows: list[list], aliases: dict[str, str]) -> HeaderRow:
    """The row (among the first few) whose cells match the most known headers, or a pair of rows
    read as one header when that matches more (a title cell merged over sub-headers)."""
    best, best_hits = HeaderRow(0, 1, [_text(v) for v in rows[0]] if rows else []), 0
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        single = [_text(v) for v in cells]
        hits = len({column_of(aliases, c) for c in single} - {None})
        if hits > best_hits:
            best, best_hits = HeaderRow(i, 1, single), hits
        if i + 1 < len(rows) and hits:
            double = _two_row_headers(cells, rows[i + 1], aliases)
            hits2 = len({column_of(aliases, c) for c in double} - {None})
            if hits2 > max(hits, best_hits):
                best, best_hits = HeaderRow(i, 2, double), hits2
    return best


# --- CSV ----------------------------------------------------------------------------------------
def read_csv(path: Path, ds: Dataset, aliases: dict[str, str] | None = None) -> RawTable:
    """Read a CSV file as text cells; problems for empty files, bad rows and a truncated end."""
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except ValueError as exc:
        raise UnreadableFile(_file_problem(
            path, ds, MSG_ENCODING, "UTF-8, UTF-8 with BOM or GB18030 (GBK)",
            value=f"looks like {exc}")) from None
    if encoding == "utf-16":  # rare (Excel's "Unicode text"): transcode once, then treat as UTF-8
        data, encoding = data.decode("utf-16").encode("utf-8"), "utf-16"
    if not data or data.isspace():
        raise UnreadableFile(_file_problem(path, ds, MSG_EMPTY_FILE, "a header row and data rows"))
    # Only the head is decoded here; Arrow decodes the rest. '"' and line breaks are single bytes
    # that cannot occur inside a multi-byte UTF-8 or GB18030 character, so they are counted on bytes.
    pa_encoding = "gb18030" if encoding == "gb18030" else "utf8"
    head = data[:100_000].decode("gb18030" if encoding == "gb18030" else "utf-8", errors="ignore").lstrip("\ufeff")
    head_lines = re.split(r"\r\n|\n|\r", head)[:HEADER_SEARCH_ROWS]
    delimiter = _sniff_delimiter("\n".join(head_lines))
    head_rows = list(csv.reader(head_lines, delimiter=delimiter))
    found = find_header(head_rows, aliases or header_aliases(ds))
    h, headers = found.data_start - 1, found.headers  # h: the last header line
    if not any(headers):
        raise UnreadableFile(_file_problem(path, ds, MSG_EMPTY_FILE, "a header row and data rows"))
    names = [f"c{i}" for i in range(len(headers))]
    skipped: list[tuple[int | None, int]] = []  # (row number, fields); never the text: it may hold an ID

    def on_bad_row(row) -> str:
        skipped.append((row.number, row.actual_columns))
        return "skip"

    def parse(threads: bool) -> pa.Table:
        skipped.clear()
        return pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(use_threads=threads, skip_rows=h + 1, column_names=names,
                                          block_size=1 << 22, encoding=pa_encoding),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                            ignore_empty_lines=False, invalid_row_handler=on_bad_row),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))

    ends_cleanly = data.endswith((b"\n", b"\r"))
    open_quote = data.count(b'"') % 2 == 1
    try:
        table = parse(threads=True)
        if any(n is None for n, _ in skipped):
            table = parse(threads=False)  # only a single-threaded read numbers the bad rows
    except pa.ArrowInvalid as exc:
        if "skip" not in str(exc):
            # not the exception text: Arrow quotes the offending row, which may hold an ID number
            raise UnreadableFile(_file_problem(path, ds, MSG_BAD_CSV, "a CSV file with one record per line")) from None
        table = pa.table({n: pa.array([], pa.string()) for n in names})  # a header and nothing more
    del data  # the bytes are no longer needed; free them before building the frame
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    first = h + 2  # Excel row number of the first data row
    bad_rows = np.array(sorted(n for n, _ in skipped), dtype=np.int64)
    all_rows = np.arange(first, first + len(frame) + len(bad_rows), dtype=np.int64)
    frame.index = pd.Index(np.setdiff1d(all_rows, bad_rows, assume_unique=True), name="source_row")
    last_row = int(all_rows[-1]) if len(all_rows) else h + 1
    problems = []
    for number, actual in sorted(skipped):
        if number == last_row and not ends_cleanly:
            problems.append(_file_problem(
                path, ds, MSG_TRUNCATED, f"{len(headers)} fields like the header",
                row=number, value=f"{actual} fields"))
        else:
            problems.append(_file_problem(
                path, ds, MSG_FIELDS, f"{len(headers)} fields like the header",
                row=number, value=f"{actual} fields"))
    if open_quote:
        problems.append(_file_problem(path, ds, MSG_OPEN_QUOTE,
                                      "a closing quote", row=last_row))
    elif not ends_cleanly and not any(p.message == MSG_TRUNCATED for p in problems):
        problems.append(_file_problem(path, ds, MSG_NO_FINAL_NEWLINE,
                                      "a complete last line (check it was not cut short)",
                                      row=last_row, severity=WARNING))
    return RawTable(frame, headers, h + 1, encoding, problems)


# --- XLSX ---------------------------------------------------------------------------------------
def _cell_text(v) -> str | None:
    """One Excel cell as text: dates ISO, whole numbers without '.0', empty as None."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d") if v.time() == time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _pick_sheet(wb, ds: Dataset, sheet: str | None = None):
    """The named sheet; else the one named after the dataset; else the first."""
    if sheet is not None:
        return wb[sheet]
    wanted = {normalise_header(ds.name), normalise_header(ds.zh)}
    for ws in wb.worksheets:
        if normalise_header(ws.title) in wanted:
            return ws
    return wb.worksheets[0]


def read_xlsx(path: Path, ds: Dataset, sheet: str | None = None, aliases: dict[str, str] | None = None) -> RawTable:
    """Read one sheet (`sheet`, else the one named after the dataset, else the first) as text cells."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(_file_problem(path, ds, MSG_BAD_XLSX, "an .xlsx workbook",
                                           value=type(exc).__name__)) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise UnreadableFile(_file_problem(path, ds, MSG_NO_SHEET, f"one of the sheets {', '.join(wb.sheetnames)}",
                                               value=sheet))
        ws = _pick_sheet(wb, ds, sheet)
        rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and all(v is None or not str(v).strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFile(_file_problem(path, ds, MSG_EMPTY_FILE, "a header row and data rows"))
    found = find_header(rows, aliases or header_aliases(ds))
    headers = list(found.headers)
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    start = found.data_start
    body = [(r + [None] * width)[:width] for r in rows[start:]]
    frame = pd.DataFrame(body, columns=[f"c{i}" for i in range(width)], dtype=object)
    frame.index = pd.Index(np.arange(start + 1, start + 1 + len(body), dtype=np.int64), name="source_row")
    return RawTable(frame.astype("string"), headers, start, None, [])


# --- Parquet ------------------------------------------------------------------------------------
def read_parquet(path: Path, ds: Dataset) -> RawTable:
    """Read a Parquet file; typed columns are kept as they are and parsed by dtype."""
    try:
        df = pd.read_parquet(path)
    except Exception as exc:
        raise UnreadableFile(_file_problem(path, ds, MSG_BAD_PARQUET, "a Parquet file",
                                           value=type(exc).__name__)) from None
    if df.shape[1] == 0:
        raise UnreadableFile(_file_problem(path, ds, MSG_EMPTY_FILE, "a header row and data rows"))
    headers = [str(c) for c in df.columns]
    frame = df.reset_index(drop=True)
    frame.columns = [f"c{i}" for i in range(len(headers))]
    frame.index = pd.Index(np.arange(2, 2 + len(frame), dtype=np.int64), name="source_row")
    return RawTable(frame, headers, 1, None, [])


# --- heads: the first rows of every table, for recognising what a file holds -------------------
def csv_head(path: Path, max_bytes: int = 100_000) -> list[list[str]]:
    """The first rows of a CSV file as cells (empty if it cannot be decoded)."""
    with open(path, "rb") as f:
        data = f.read(max_bytes)
    try:
        encoding = detect_encoding(data)
    except ValueError:
        encoding = "gb18030"
    text = data.decode("utf-16" if encoding == "utf-16" else "gb18030" if encoding == "gb18030" else "utf-8",
                       errors="ignore").lstrip("\ufeff")
    lines = re.split(r"\r\n|\n|\r", text)[:HEADER_SEARCH_ROWS + 1]
    return list(csv.reader(lines, delimiter=_sniff_delimiter("\n".join(lines))))


@dataclass(frozen=True)
class SheetHead:
    """A workbook sheet's name, whether it is visible, and its first rows as cells."""

    title: str
    visible: bool
    rows: list[list]


def workbook_heads(path: Path) -> list[SheetHead]:
    """Every sheet of a workbook with its first rows (empty list if the file cannot be opened)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # reported when the dataset is read
        return []
    try:
        out = []
        for ws in wb.worksheets:
            rows = [[_cell_text(v) for v in r] for _, r in zip(range(HEADER_SEARCH_ROWS + 1), ws.iter_rows(values_only=True))]
            out.append(SheetHead(ws.title, ws.sheet_state == "visible", rows))
        return out
    finally:
        wb.close()


def parquet_head(path: Path) -> list[list[str]]:
    """A Parquet file's column names, as a one-row head."""
    import pyarrow.parquet as pq

    try:
        return [list(pq.read_schema(path).names)]
    except Exception:
        return []


def read_raw(path: Path, ds: Dataset, sheet: str | None = None, aliases: dict[str, str] | None = None) -> RawTable:
    """Dispatch on the file suffix; `sheet` picks a workbook's sheet, `aliases` adds a mapping file's headers."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, ds, aliases)
    if suffix == ".xlsx":
        return read_xlsx(path, ds, sheet, aliases)
    if suffix == ".parquet":
        return read_parquet(path, ds)
    raise ValueError(f"unsupported file type {suffix}: use one of {', '.join(SUFFIXES)}")
