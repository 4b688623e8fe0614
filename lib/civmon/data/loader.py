"""Load a folder of the bureau's files: find each dataset's file, read it (or take it from the
cache), run the cross-dataset checks, and return canonical frames with one report of all problems.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from civmon.data import pseudonymise as ps
from civmon.data.cache import DatasetCache, entry_key, file_sha256
from civmon.data.canonical import read_dataset, summarise
from civmon.data.crosschecks import Coverage, cross_check
from civmon.data.discovery import Discovery, Source, discover_tables
from civmon.data.mapping import MAPPING_FILE, DataMapping, MappingError, load_mapping
from civmon.data.places import resolve_places
from civmon.data.spec import DATASETS
from civmon.data.validation import ERROR, MAX_SAME_PROBLEM, WARNING, DataValidationError, Problem, ValidationReport

SAMPLE_MARKER = "SYNTHETIC_SAMPLE"
MSG_NO_FILE = "no file for dataset"
MSG_NO_FOLDER = "folder not found"
MSG_UNKNOWN_DATASET = "unknown dataset"
MSG_BAD_MAPPING = "mapping file problem"
MSG_REPEATED_ROWS = "rows repeated in another file (kept once)"
MSG_KEY_ACROSS_FILES = "same key in two files"
# Rows of the k-th of several stacked tables are numbered k * ROW_BASE + their Excel row, so every
# row of a dataset has its own number; problems are reported with the table and the Excel row.
ROW_BASE = 10 ** 8


@dataclass
class LoadResult:
    """Canonical, pseudonymised frames; the validation report; which tables each dataset came from."""

    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    files: dict[str, Path] = field(default_factory=dict)  # the first file of each dataset
    sha256: dict[str, str] = field(default_factory=dict)
    coverage: Coverage | None = None
    from_cache: dict[str, bool] = field(default_factory=dict)
    sources: dict[str, list[Source]] = field(default_factory=dict)
    discovery: Discovery | None = None

    def raise_for_errors(self) -> "LoadResult":
        """Raise DataValidationError(report) if there is any error; return self otherwise."""
        if not self.report.ok:
            raise DataValidationError(self.report)
        return self

    def locate(self, dataset: str, row: int) -> tuple[Source, int]:
        """The table and Excel row of a dataset's row number."""
        return self.sources[dataset][int(row) // ROW_BASE], int(row) % ROW_BASE


def is_sample(folder: Path | str) -> bool:
    """A folder holding the synthetic sample is marked by a file named SYNTHETIC_SAMPLE."""
    return (Path(folder) / SAMPLE_MARKER).exists()


def resolve_key(folder: Path | str) -> str:
    """The pseudonymisation key for a folder: the published sample key, else the environment's."""
    return ps.key_from_env(sample=is_sample(folder))


def _entry_digest(entry) -> str:
    return hashlib.sha256(entry.model_dump_json().encode()).hexdigest()[:16] if entry else ""


def _read_source(name: str, source: Source, key: str, entry, cache: DatasetCache | None):
    """(frame, report, headers, missing columns, from cache, sha256) of one table, from the cache when
    it is there (only tables without errors are cached, so a cached one lacks no column)."""
    ds = DATASETS[name]
    sha = file_sha256(source.path)
    variant = "|".join(x for x in (name, source.sheet or "", _entry_digest(entry)) if x) \
        if source.sheet or entry else name
    entry_id = entry_key(variant, source.path, sha, key)
    cached = cache.get(entry_id) if cache else None
    if cached is not None:
        data, sub, _, written = cached
        return data, sub, written, set(), True, sha
    read = read_dataset(source.path, ds, key, source.sheet, entry)
    if cache and read.report.ok:
        cache.put(entry_id, read.data, read.report, read.summary, read.headers)
    return read.data, read.report, read.headers, read.missing, False, sha


def _tag_sheet(report: ValidationReport, source: Source) -> ValidationReport:
    """The table's problems carry its sheet."""
    if source.sheet:
        report.problems = [replace(p, sheet=source.sheet) if p.file == source.path.name else p for p in report.problems]
    return report


def _stack(name: str, parts: list[pd.DataFrame], sources: list[Source], report: ValidationReport) -> pd.DataFrame:
    """Several tables of one dataset as one frame: rows repeated in an earlier table kept once (one
    warning per table), a key in two tables with different values an error."""
    ds = DATASETS[name]
    for k, part in enumerate(parts):
        part.index = part.index + k * ROW_BASE
    stacked = pd.concat(parts)
    table = stacked.index.to_numpy() // ROW_BASE
    repeated = stacked.duplicated(keep="first").to_numpy() & (table > 0)
    for k in sorted(set(table[repeated])):
        rows = stacked.index[repeated & (table == k)] % ROW_BASE
        report.add(Problem(sources[k].path.name, None, None, f"{len(rows):,} rows, e.g. row {int(rows[0])}",
                           "each record in one file", WARNING, MSG_REPEATED_ROWS, name, sources[k].sheet))
    stacked = stacked[~repeated]
    key = [ps.key_column(k) if ds.column(k).kind == "id_number" else k for k in ds.key]
    if key:
        keyed = stacked[key].reset_index()
        keyed["table"] = keyed["source_row"] // ROW_BASE
        groups = keyed.groupby(key, dropna=False, observed=True, sort=False)["table"]
        across = (groups.transform("nunique") > 1).to_numpy() & (keyed["table"] > 0).to_numpy()
        first = groups.transform("min").to_numpy()
        for i in np.flatnonzero(across)[:MAX_SAME_PROBLEM]:
            k, row = int(keyed.at[i, "table"]), int(keyed.at[i, "source_row"] % ROW_BASE)
            report.add(Problem(sources[k].path.name, row, " + ".join(ds.key), None,
                               f"one row per {' + '.join(ds.key)}; the same key is in {sources[first[i]].label}",
                               ERROR, MSG_KEY_ACROSS_FILES, name, sources[k].sheet))
    return stacked


def _relabel(report: ValidationReport, result: LoadResult) -> None:
    """Problems the cross-dataset checks found in stacked rows name their own table and Excel row."""
    stacked = {n for n, s in result.sources.items() if len(s) > 1}
    if not stacked:
        return
    out = []
    for p in report.problems:
        if p.dataset in stacked and p.row is not None and p.row >= ROW_BASE:
            source, row = result.locate(p.dataset, p.row)
            p = replace(p, file=source.path.name, sheet=source.sheet, row=row)
        out.append(p)
    report.problems = out


def _digest(name: str, sources: list[Source], shas: list[str], entry) -> str:
    """A dataset's input digest: its file's sha256, or one over its tables and mapping entry."""
    if len(sources) == 1 and sources[0].sheet is None and entry is None:
        return shas[0]
    text = "|".join([name, _entry_digest(entry), *(f"{s.label}={h}" for s, h in zip(sources, shas))])
    return hashlib.sha256(text.encode()).hexdigest()


def load(folder: Path | str, *, key: str, datasets=None, cache_dir: Path | str | None = None,
         use_cache: bool = True, coverage: tuple | Coverage | None = None, today: date | None = None) -> LoadResult:
    """Read, validate and pseudonymise the datasets in `folder`; problems go into `.report`, never raised.

    Each table is recognised by its mapping-file entry, its name or its headers (civmon.data.discovery);
    several tables of one dataset are stacked. datasets=None reads every dataset found; a listed
    dataset without a table is an error. `coverage=(start, end)` (or anything with .start and .end,
    such as a Period) states the span the data should cover; without it the span is inferred from the
    monthly records.
    """
    folder = Path(folder)
    result = LoadResult()
    report = result.report
    if not folder.is_dir():
        report.add(Problem(str(folder), None, None, None, "a folder of data files", ERROR, MSG_NO_FOLDER))
        return result
    try:
        mapping = load_mapping(folder)
    except MappingError as e:
        for line in str(e).splitlines():
            report.add(Problem(MAPPING_FILE, None, None, line, "a valid mapping file", ERROR, MSG_BAD_MAPPING))
        mapping = DataMapping()
    disc = result.discovery = discover_tables(folder, mapping)
    report.extend(disc.notes)
    wanted = disc.datasets if datasets is None else list(datasets)
    for name in wanted:
        if name not in DATASETS:
            report.add(Problem(str(folder), None, None, name, "a dataset name from the spec", ERROR, MSG_UNKNOWN_DATASET))
    wanted = [n for n in DATASETS if n in wanted]  # spec order
    cache = DatasetCache(cache_dir) if use_cache else None
    headers: dict[str, dict[str, str]] = {}
    missing: dict[str, set[str]] = {}  # columns some table of the dataset lacks: checks on them are not run
    for name in wanted:
        ds = DATASETS[name]
        sources = disc.sources(name)
        if not sources:
            report.add(Problem(str(folder), None, None, name,
                               f"a file {name}.csv/.xlsx/.parquet or {ds.zh}.csv/.xlsx/.parquet, a table whose "
                               f"header names its columns, or an entry in {MAPPING_FILE}", ERROR, MSG_NO_FILE, name))
            continue
        entry = mapping.get(name)
        parts, shas = [], []
        for source in sources:
            data, sub, written, lacks, hit, sha = _read_source(name, source, key, entry, cache)
            missing.setdefault(name, set()).update(lacks)
            report.merge(_tag_sheet(sub, source))
            parts.append(data)
            shas.append(sha)
            headers.setdefault(name, written)
            result.from_cache[name] = result.from_cache.get(name, True) and hit
        result.sources[name], result.files[name] = sources, sources[0].path
        result.sha256[name] = _digest(name, sources, shas, entry)
        if len(parts) == 1:
            result.data[name] = parts[0]
        else:
            result.data[name] = _stack(name, parts, sources, report)
            more = f" + {len(sources) - 1} more" if len(sources) > 1 else ""
            report.datasets[name] = summarise(result.data[name], ds, sources[0].label + more)
    if "areas" in result.data and not missing.get("areas", set()) & {"area_code", "area_name", "level"}:
        resolve_places(result.data, result.data["areas"], {n: s[0].label for n, s in result.sources.items()},
                       headers, report)
    if coverage is not None and not isinstance(coverage, Coverage):
        start, end = (coverage.start, coverage.end) if hasattr(coverage, "end") else coverage  # a Period too
        coverage = Coverage(pd.Timestamp(start), pd.Timestamp(end), inferred=False)
    files = {n: p.name for n, p in result.files.items()}
    result.coverage = cross_check(result.data, files, headers, report, coverage, today, missing=missing)
    report.coverage = result.coverage.label() if result.coverage else None
    _relabel(report, result)
    return result


def validate_folder(folder: Path | str, key: str | None = None, *, datasets=None, cache_dir=None,
                    coverage=None) -> ValidationReport:
    """All problems of a folder (what `civmon validate` prints).

    The key: given, else the sample key for a SYNTHETIC_SAMPLE folder, else the environment's.
    Without any, a random throw-away key is used and nothing is cached: validation needs no
    stable key, and staff without the secret can still check their files.
    """
    use_cache = True
    if key is None:
        try:
            key = resolve_key(folder)
        except ps.MissingKeyError:
            key, use_cache = secrets.token_hex(16), False
    return load(folder, key=key, datasets=datasets, cache_dir=cache_dir, use_cache=use_cache,
                coverage=coverage).report

