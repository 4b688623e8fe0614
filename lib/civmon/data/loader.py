"""Load a folder of the bureau's files: find each dataset's file, read it (or take it from the
cache), run the cross-dataset checks, and return canonical frames with one report of all problems.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from civmon.data import pseudonymise as ps
from civmon.data.cache import DatasetCache, entry_key, file_sha256
from civmon.data.canonical import read_dataset
from civmon.data.crosschecks import Coverage, cross_check
from civmon.data.readers import SUFFIXES
from civmon.data.spec import DATASETS
from civmon.data.validation import ERROR, WARNING, DataValidationError, Problem, ValidationReport

SAMPLE_MARKER = "SYNTHETIC_SAMPLE"
MSG_TWO_FILES = "two files for one dataset"
MSG_NO_FILE = "no file for dataset"
MSG_UNKNOWN_FILE = "file not recognised as a dataset"
MSG_NO_FOLDER = "folder not found"
MSG_UNKNOWN_DATASET = "unknown dataset"


@dataclass
class LoadResult:
    """Canonical, pseudonymised frames; the validation report; which file each dataset came from."""

    data: dict[str, pd.DataFrame] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)
    files: dict[str, Path] = field(default_factory=dict)
    sha256: dict[str, str] = field(default_factory=dict)
    coverage: Coverage | None = None
    from_cache: dict[str, bool] = field(default_factory=dict)

    def raise_for_errors(self) -> "LoadResult":
        """Raise DataValidationError(report) if there is any error; return self otherwise."""
        if not self.report.ok:
            raise DataValidationError(self.report)
        return self


def is_sample(folder: Path | str) -> bool:
    """A folder holding the synthetic sample is marked by a file named SYNTHETIC_SAMPLE."""
    return (Path(folder) / SAMPLE_MARKER).exists()


def resolve_key(folder: Path | str) -> str:
    """The pseudonymisation key for a folder: the published sample key, else the environment's."""
    return ps.key_from_env(sample=is_sample(folder))


def _file_names() -> dict[str, str]:
    names = {}
    for ds in DATASETS.values():
        names[ds.name.lower()] = ds.name
        names[ds.zh] = ds.name
    return names


def discover(folder: Path | str) -> tuple[dict[str, list[Path]], list[Path]]:
    """Dataset -> files found for it (`<name>.<ext>` or `<中文名>.<ext>`), and unrecognised data files."""
    names = _file_names()
    found: dict[str, list[Path]] = {}
    unknown = []
    for p in sorted(Path(folder).iterdir()):
        if not p.is_file() or p.suffix.lower() not in SUFFIXES or p.name.startswith(("~$", ".")):
            continue
        name = names.get(p.stem) or names.get(p.stem.lower())
        if name is None:
            unknown.append(p)
        else:
            found.setdefault(name, []).append(p)
    return found, unknown


def load(folder: Path | str, *, key: str, datasets=None, cache_dir: Path | str | None = None,
         use_cache: bool = True, coverage: tuple | Coverage | None = None, today: date | None = None) -> LoadResult:
    """Read, validate and pseudonymise the datasets in `folder`; problems go into `.report`, never raised.

    datasets=None reads every dataset whose file is present; a listed dataset without a file is an
    error. `coverage=(start, end)` (or anything with .start and .end, such as a Period) states the
    span the data should cover; without it the span is inferred from the monthly records.
    """
    folder = Path(folder)
    result = LoadResult()
    report = result.report
    if not folder.is_dir():
        report.add(Problem(str(folder), None, None, None, "a folder of data files", ERROR, MSG_NO_FOLDER))
        return result
    found, unknown = discover(folder)
    for p in unknown:
        report.add(Problem(p.name, None, None, None, "a file named after a dataset, e.g. relief_payments.csv or "
                           f"{DATASETS['relief_payments'].zh}.xlsx", WARNING, MSG_UNKNOWN_FILE))
    wanted = list(found) if datasets is None else list(datasets)
    for name in wanted:
        if name not in DATASETS:
            report.add(Problem(str(folder), None, None, name, "a dataset name from the spec", ERROR, MSG_UNKNOWN_DATASET))
    wanted = [n for n in DATASETS if n in wanted]  # spec order
    cache = DatasetCache(cache_dir) if use_cache else None
    headers: dict[str, dict[str, str]] = {}
    for name in wanted:
        ds = DATASETS[name]
        paths = found.get(name, [])
        if not paths:
            report.add(Problem(str(folder), None, None, name,
                               f"a file {name}.csv/.xlsx/.parquet or {ds.zh}.csv/.xlsx/.parquet",
                               ERROR, MSG_NO_FILE, name))
            continue
        if len(paths) > 1:
            report.add(Problem(paths[1].name, None, None, ", ".join(p.name for p in paths),
                               "one file per dataset", ERROR, MSG_TWO_FILES, name))
        path = paths[0]
        sha = file_sha256(path)
        result.files[name], result.sha256[name] = path, sha
        entry = entry_key(name, path, sha, key)
        cached = cache.get(entry) if cache else None
        if cached is not None:
            data, sub, _, written = cached
            result.from_cache[name] = True
        else:
            read = read_dataset(path, ds, key)
            data, sub, written = read.data, read.report, read.headers
            result.from_cache[name] = False
            if cache and sub.ok:
                cache.put(entry, data, sub, read.summary, written)
        report.merge(sub)
        result.data[name] = data
        headers[name] = written
    if coverage is not None and not isinstance(coverage, Coverage):
        start, end = (coverage.start, coverage.end) if hasattr(coverage, "end") else coverage  # a Period too
        coverage = Coverage(pd.Timestamp(start), pd.Timestamp(end), inferred=False)
    files = {n: p.name for n, p in result.files.items()}
    result.coverage = cross_check(result.data, files, headers, report, coverage, today)
    report.coverage = result.coverage.label() if result.coverage else None
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

