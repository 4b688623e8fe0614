"""From one file's raw cells to the dataset's canonical frame: headers mapped, values parsed,
the contract checked, then pseudonymised. Every problem is collected; nothing raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.extensions import take

from civmon.data import contracts
from civmon.data.parsing import parse_column, parse_message
from civmon.data.pseudonymise import hash_ids, pseudonymise
from civmon.data.readers import RawTable, UnreadableFile, column_of, header_aliases, read_raw
from civmon.data.spec import Dataset
from civmon.data.validation import ERROR, MAX_SAME_PROBLEM, WARNING, DatasetSummary, Problem, ValidationReport

MSG_MISSING = "missing column"
MSG_EXTRA = "extra column"
MSG_TWICE = "column appears twice"
MSG_ID_ELSEWHERE = "ID number in a column that is not an ID column"
MSG_NO_ROWS = "no data rows"


@dataclass
class DatasetRead:
    """The canonical frame of one dataset, the problems found in its file, and a summary."""

    data: pd.DataFrame
    report: ValidationReport
    summary: DatasetSummary
    headers: dict[str, str]  # column name -> header as written in the file
    # Columns of the dataset (required or not) the file does not have: checks on them are not run.
    missing: set[str] = field(default_factory=set)


def mask_id(value) -> str:
    """Show an ID number the way Chinese forms do, hiding the birth date and sequence: 330502********123X."""
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()
    if len(s) >= 14:
        return s[:6] + "*" * (len(s) - 10) + s[-4:]
    return "*" * len(s)


def display_value(value, kind: str) -> str | None:
    """A cell as shown in a problem: ID numbers masked, names and phones never shown."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "id_number":
        return mask_id(value)
    if kind in ("name", "phone"):
        return "(hidden)"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m}" if kind == "month" else f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_canonical(typed: pd.DataFrame, ds: Dataset, key: str) -> pd.DataFrame:
    """Typed frame -> canonical frame: area codes categorical, identifiers pseudonymised.

    `pseudonymise` runs on the distinct ID numbers of each ID column only (a person appears in
    many monthly rows) and its columns are spread back to the rows: same result, a fraction of the
    hashing and date parsing.
    """
    df = typed.copy()
    for name in contracts.CODE_CATEGORIES:
        if name in df and not isinstance(df[name].dtype, pd.CategoricalDtype):
            # object categories, which is what a Parquet round trip (the cache) gives back
            df[name] = pd.Categorical(df[name].to_numpy(dtype=object, na_value=None))
    personal = [c for c in ds.columns if c.kind in ("id_number", "name", "phone") and c.name in df]
    out = df.drop(columns=[c.name for c in personal])
    for col in personal:
        if col.kind != "id_number":
            continue
        codes, uniques = pd.factorize(df[col.name], use_na_sentinel=True)
        distinct = pd.DataFrame({col.name: pd.Series(np.asarray(uniques, dtype=object), dtype="string")})
        mini = pseudonymise(distinct, replace(ds, columns=(col,), key=(), references={}, period_column=None), key)
        for name in mini.columns:
            out[name] = take(mini[name].array, codes, allow_fill=True)
    out = out[[c for c in contracts.output_columns(ds) if c in out.columns]]
    out.index.name = "source_row"
    return out


def empty_frame(ds: Dataset) -> pd.DataFrame:
    """A zero-row canonical frame (for a dataset whose file could not be read)."""
    typed = pd.DataFrame({c.name: pd.Series([], dtype=contracts.dtype_for(c)) for c in ds.columns},
                         index=pd.Index([], dtype="int64"))
    return to_canonical(typed, ds, "unused")


def _blank(s: pd.Series) -> pd.Series:
    """True where a raw cell is empty (text of blanks, or missing)."""
    if isinstance(s.dtype, pd.StringDtype):
        text = _arrow_text(s)
        empty = pc.equal(pc.utf8_trim_whitespace(text), "")
        return pd.Series(pc.fill_null(empty, True).to_numpy(zero_copy_only=False), index=s.index)
    return s.isna()


def _arrow_text(s: pd.Series) -> pa.ChunkedArray | pa.Array:
    """A text column as an Arrow string array (no copy when it is Arrow-backed already)."""
    arr = s.array
    if hasattr(arr, "_pa_array"):
        return arr._pa_array
    return pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())


def map_headers(raw: RawTable, ds: Dataset, path: Path,
                aliases: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str], list[Problem]]:
    """(column name -> raw column c0.., column name -> header as written, problems) for the
    file's header row: missing columns are errors, repeated ones errors, extra ones warnings."""
    aliases = aliases or header_aliases(ds)
    found: dict[str, str] = {}
    written: dict[str, str] = {}
    problems = []
    for i, header in enumerate(raw.headers):
        name = column_of(aliases, header)
        if name is None:
            if header == "" and _blank(raw.frame[f"c{i}"]).all():
                continue  # an unused, unnamed column Excel left behind
            problems.append(Problem(path.name, raw.header_row, header or f"(column {i + 1} without header)",
                                    None, f"only the columns of {ds.name}; this one is ignored",
                                    WARNING, MSG_EXTRA, ds.name))
        elif name in found:
            problems.append(Problem(path.name, raw.header_row, header, None,
                                    f"one column for {name}; the first is used", ERROR, MSG_TWICE, ds.name))
        else:
            found[name] = f"c{i}"
            written[name] = header
    for c in ds.columns:
        if c.name not in found:
            note = "" if c.required else " (cells may be empty)"
            problems.append(Problem(path.name, raw.header_row, f"{c.zh} / {c.name}", None,
                                    f"a column headed {c.zh} or {c.name}{note}", ERROR, MSG_MISSING, ds.name))
            written[c.name] = c.zh
    return found, written, problems


# What exports carry below or between the data: total rows and the signature block.
FOOTER_STARTS = ("合计", "总计", "小计", "本页合计", "本页小计", "累计")
FOOTER_WORDS = ("制表人", "制表日期", "制表单位", "审核人", "审核日期", "填报人", "填报日期", "填表人", "负责人")
MSG_FOOTER = "total or signature row dropped"


def footer_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for rows whose first filled cell is a total (合计, 总计, 小计 ...) or a signature line
    (制表人, 审核人, 制表日期 ...): they are not records and are never counted. Arrow kernels, so a
    ten-million-row file costs a few passes over its columns, not a Python call per cell."""
    if not len(frame.columns) or not len(frame):
        return np.zeros(len(frame), bool)
    cells = []
    for col in frame.columns:
        s = frame[col]
        text = _arrow_text(s if isinstance(s.dtype, pd.StringDtype) else s.astype(pd.StringDtype("pyarrow")))
        text = pc.utf8_trim_whitespace(text)
        cells.append(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
    first = pc.coalesce(*cells)
    text = pc.replace_substring_regex(pc.fill_null(first, ""), r"\s", "")
    hit = pc.match_substring_regex(text, "^(" + "|".join(FOOTER_STARTS) + ")|" + "|".join(FOOTER_WORDS))
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _data_rows(raw: RawTable, found: dict[str, str], ds: Dataset, aliases: dict[str, str] | None = None,
               problems: list[Problem] | None = None, file: str = "") -> pd.DataFrame:
    """The raw rows that hold data: blank rows, total and signature rows (one warning each) and a
    second (English) header row dropped."""
    frame = raw.frame
    if not found:
        return frame.iloc[:0]
    blank = np.ones(len(frame), bool)
    for col in found.values():
        blank &= _blank(frame[col]).to_numpy(bool)
    if blank.any():
        frame = frame.loc[~blank]
    footer = footer_rows(frame) if len(frame) else np.zeros(0, bool)
    if footer.any():
        for row in frame.index[footer]:
            if problems is not None:
                problems.append(Problem(file, int(row), None, None, "a data row (totals and signatures are not data)",
                                        WARNING, MSG_FOOTER, ds.name))
        frame = frame.loc[~footer]
    if len(frame):
        aliases = aliases or header_aliases(ds)
        first = frame.iloc[0]
        if all(column_of(aliases, first[raw_col]) == name for name, raw_col in found.items()):
            frame = frame.iloc[1:]  # the English header row under the Chinese one (templates)
    return frame


def recode(frame: pd.DataFrame, found: dict[str, str], values: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Source values replaced by codes (a mapping file's `values`), before parsing."""
    frame = frame.copy()
    for col, table in values.items():
        if col in found:
            frame[found[col]] = frame[found[col]].replace(table)
    return frame


def read_dataset(path: Path, ds: Dataset, key: str, sheet: str | None = None, mapping=None) -> DatasetRead:
    """Read, parse, check and pseudonymise one dataset table (a file, or one sheet of a workbook with
    `sheet`; `mapping` is the dataset's entry of the folder's mapping file); all problems are
    returned, none raised."""
    report = ValidationReport()
    aliases = header_aliases(ds, mapping.columns if mapping else None)
    try:
        raw = read_raw(path, ds, sheet, aliases)
    except UnreadableFile as exc:
        report.add(exc.problem)
        summary = DatasetSummary(ds.name, path.name, 0, ds.period_column)
        report.datasets[ds.name] = summary
        return DatasetRead(empty_frame(ds), report, summary, {}, {c.name for c in ds.columns})
    report.extend(raw.problems)
    found, written, header_problems = map_headers(raw, ds, path, aliases)
    report.extend(header_problems)
    missing = {c.name for c in ds.columns if c.name not in found}
    footers: list[Problem] = []
    frame = _data_rows(raw, found, ds, aliases, footers, path.name)
    report.extend(footers)
    if mapping and mapping.values:
        frame = recode(frame, found, mapping.values)
    if len(frame) == 0:
        report.add(Problem(path.name, None, None, None, "at least one data row", WARNING, MSG_NO_ROWS, ds.name))

    df, bad_cells = _parse_columns(frame, found, written, ds, path, report)
    raw = frame = None  # free the raw cells before validating

    fails = contracts.failures(df, ds.name)
    if len(fails):
        fails = fails[fails["column"].isin(list(found))]
        for name, rows in bad_cells.items():
            fails = fails[~((fails["column"] == name) & fails["row"].isin(rows))]
        _contract_problems(report, fails, df, ds, path, written, missing)

    _ids_in_text_columns(report, df, ds, path, written, key)
    out = to_canonical(df, ds, key)
    summary = summarise(out, ds, path.name)
    report.datasets[ds.name] = summary
    return DatasetRead(out, report, summary, written, missing)


def _parse_columns(frame: pd.DataFrame, found: dict[str, str], written: dict[str, str], ds: Dataset,
                   path: Path, report: ValidationReport) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The typed frame (a missing column is all empty) and, per column, the rows that could not be read."""
    typed = {}
    bad_cells: dict[str, np.ndarray] = {}
    rows = frame.index.to_numpy()
    for c in ds.columns:
        if c.name not in found:
            typed[c.name] = pd.Series(index=frame.index, dtype=contracts.dtype_for(c))
            continue
        rawcol = frame[found[c.name]]
        parsed = parse_column(rawcol, c, as_category=c.name in contracts.CODE_CATEGORIES)
        typed[c.name] = parsed.values
        if parsed.bad.any():
            message, expected = parse_message(c)
            bad_cells[c.name] = rows[parsed.bad]
            shown = [display_value(v, c.kind) for v in rawcol.to_numpy()[parsed.bad][:MAX_SAME_PROBLEM]]
            report.add_cells(path.name, written[c.name], message, expected, ERROR, ds.name, bad_cells[c.name], shown)
    df = pd.DataFrame(typed, index=frame.index)
    df.index.name = "source_row"
    return df, bad_cells


def _contract_problems(report: ValidationReport, fails: pd.DataFrame, df: pd.DataFrame, ds: Dataset,
                       path: Path, written: dict[str, str], missing: set[str] = frozenset()) -> None:
    """Turn the contract's failing cells into problems (duplicates name the first row of the key).

    No cascade: nothing is reported on a column the file lacks (its one error is the missing
    column), duplicate keys are not checked when a key column is missing, and a row whose
    required key cell is empty or unreadable (already an error) is not also a duplicate."""
    if missing:
        fails = fails[~fails["column"].isin(list(missing))]
    for (column, message), group in fails.groupby(["column", "message"], sort=False):
        rows = group["row"].to_numpy()
        col = ds.column(column)
        if message == contracts.MSG_DUPLICATE:
            if any(k in missing for k in ds.key):
                continue
            required = [k for k in ds.key if ds.column(k).required]
            if required:
                rows = rows[df.loc[rows, required].notna().all(axis=1).to_numpy(bool)]
            if len(rows) == 0:
                continue
            keyed = df[list(ds.key)].reset_index()
            firsts = keyed.groupby(list(ds.key), dropna=False, observed=True, sort=False)["source_row"].transform("min")
            first_row = pd.Series(firsts.to_numpy(), index=keyed["source_row"].to_numpy())
            column_text = " + ".join(written.get(k, k) for k in ds.key)
            kind = (path.name, column_text, message, ERROR)
            for row in rows[:MAX_SAME_PROBLEM]:
                parts = [display_value(df.at[row, k], ds.column(k).kind) or "" for k in ds.key]
                report.add(Problem(path.name, int(row), column_text, " / ".join(parts),
                                   f"one row per {' + '.join(ds.key)} (first at row {first_row[row]})",
                                   ERROR, message, ds.name))
            if len(rows) > MAX_SAME_PROBLEM:
                report.omitted[kind] += len(rows) - MAX_SAME_PROBLEM
            continue
        values = [None] * min(len(rows), MAX_SAME_PROBLEM) if message == contracts.MSG_EMPTY else \
            [display_value(v, col.kind) for v in group["value"].to_numpy()[:MAX_SAME_PROBLEM]]
        report.add_cells(path.name, written.get(column, column), message, contracts.expected_text(col, message),
                         ERROR, ds.name, rows, values)


def _ids_in_text_columns(report: ValidationReport, df: pd.DataFrame, ds: Dataset, path: Path,
                         written: dict[str, str], key: str) -> None:
    """Valid resident ID numbers typed into a free-text column are reported and replaced by keys."""
    for c in ds.columns:
        if c.kind != "str" or c.name not in df:
            continue
        s = df[c.name]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, uniques = s.cat.codes.to_numpy(), s.cat.categories
        else:
            codes, uniques = pd.factorize(s)  # distinct values only: codes repeat on every row
        u = pd.Series(np.asarray(uniques, dtype=object), dtype=pd.StringDtype("pyarrow")).str.upper()
        looks = u.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
        if not looks.any():
            continue
        is_id = (looks & contracts.id_checksum_ok(u.where(looks))).to_numpy()
        hit = np.zeros(len(df), bool)
        hit[codes >= 0] = is_id[codes[codes >= 0]]
        if not hit.any():
            continue
        report.add_cells(path.name, written.get(c.name, c.name), MSG_ID_ELSEWHERE,
                         "a code, not a person's ID number (the value was hashed)", ERROR, ds.name,
                         df.index.to_numpy()[hit], [mask_id(v) for v in s[hit][:MAX_SAME_PROBLEM]])
        if isinstance(s.dtype, pd.CategoricalDtype):
            hashed = hash_ids(pd.Series(np.asarray(uniques, dtype=object)), key).to_numpy(dtype=object)
            df[c.name] = s.cat.rename_categories(np.where(is_id, hashed, np.asarray(uniques, dtype=object)))
        else:
            df.loc[hit, c.name] = hash_ids(s[hit], key)


def summarise(df: pd.DataFrame, ds: Dataset, file: str) -> DatasetSummary:
    """Row count and the first and last value of the period column."""
    first = last = None
    if ds.period_column and ds.period_column in df and len(df):
        col = df[ds.period_column]
        first, last = col.min(), col.max()
        if ds.column(ds.period_column).kind == "month" and not pd.isna(last):
            last = last + pd.offsets.MonthEnd(0)
        first = None if pd.isna(first) else first
        last = None if pd.isna(last) else last
    return DatasetSummary(ds.name, file, len(df), ds.period_column, first, last)
