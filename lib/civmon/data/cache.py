"""A cache of validated, pseudonymised datasets: Parquet keyed by the sha256 of the source file.

The entry key also covers the file name, a fingerprint of the pseudonymisation key (an HMAC of a
fixed label, never the key itself: a different key gives different person keys) and a fingerprint
of the reading code and spec, so a change in any of them reads the file afresh. Only files that
read without errors are cached; their warnings are cached with them for the reports' appendix.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd

from civmon.data.validation import DatasetSummary, Problem, ValidationReport

CACHE_ENV = "CIVMON_CACHE"
_CODE_MODULES = ("spec", "pseudonymise", "parsing", "readers", "canonical", "contracts", "validation", "cache")


def default_cache_dir() -> Path:
    """$CIVMON_CACHE, else ~/.cache/civmon."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "civmon")


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def key_fingerprint(key: str) -> str:
    """Identifies a pseudonymisation key without revealing it."""
    return hmac.new(key.encode(), b"civmon cache fingerprint", hashlib.sha256).hexdigest()[:16]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of the reading code and spec, plus library versions that shape the stored frames."""
    import pyarrow

    here = Path(__file__).parent
    h = hashlib.sha256(f"pandas {pd.__version__} pyarrow {pyarrow.__version__}".encode())
    for mod in _CODE_MODULES:
        h.update((here / f"{mod}.py").read_bytes())
    return h.hexdigest()[:16]


def entry_key(dataset: str, path: Path, sha256: str, key: str) -> str:
    text = "|".join([dataset, path.name, sha256, key_fingerprint(key), code_fingerprint()])
    return hashlib.sha256(text.encode()).hexdigest()


def _summary_to_json(s: DatasetSummary) -> dict:
    return {"dataset": s.dataset, "file": s.file, "rows": s.rows, "period_column": s.period_column,
            "first": None if s.first is None else s.first.isoformat(),
            "last": None if s.last is None else s.last.isoformat()}


def _summary_from_json(s: dict) -> DatasetSummary:
    return DatasetSummary(s["dataset"], s["file"], s["rows"], s["period_column"],
                          pd.Timestamp(s["first"]) if s["first"] else None,
                          pd.Timestamp(s["last"]) if s["last"] else None)


def report_to_json(report: ValidationReport) -> dict:
    """A validation report as JSON-ready data (problems, omitted counts, dataset summaries, coverage)."""
    return {"problems": [p.__dict__ for p in report.problems],
            "omitted": [[list(k), n] for k, n in report.omitted.items()],
            "datasets": [_summary_to_json(s) for s in report.datasets.values()],
            "coverage": report.coverage}


def report_from_json(data: dict) -> ValidationReport:
    """The inverse of report_to_json."""
    report = ValidationReport([Problem(**p) for p in data["problems"]])
    for k, n in data["omitted"]:
        report.omitted[tuple(k)] = n
    for s in data.get("datasets", []):
        summary = _summary_from_json(s)
        report.datasets[summary.dataset] = summary
    report.coverage = data.get("coverage")
    return report


@contextmanager
def atomic_folder(final: Path, prefix: str = ".tmp-"):
    """A temporary folder beside `final`, renamed into place when the block succeeds; on an OSError
    it is removed, and the error raised unless another process wrote `final` meanwhile."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
    try:
        yield tmp
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not final.exists():
            raise


class DatasetCache:
    """Folder of entries `<entry key>/data.parquet` + `meta.json` (problems, summary, headers)."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()

    def get(self, entry: str) -> tuple[pd.DataFrame, ValidationReport, DatasetSummary, dict[str, str]] | None:
        folder = self.root / entry
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            data = pd.read_parquet(folder / "data.parquet")
        except (OSError, ValueError):
            return None
        report = report_from_json(meta)
        summary = _summary_from_json(meta["summary"])
        report.datasets[summary.dataset] = summary
        return data, report, summary, meta["headers"]

    def put(self, entry: str, data: pd.DataFrame, report: ValidationReport, summary: DatasetSummary,
            headers: dict[str, str]) -> None:
        """Write an entry atomically (a temporary folder renamed into place)."""
        final = self.root / entry
        if final.exists():
            return
        with atomic_folder(final) as tmp:
            data.to_parquet(tmp / "data.parquet")
            meta = {**report_to_json(report), "summary": _summary_to_json(summary), "headers": headers}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
