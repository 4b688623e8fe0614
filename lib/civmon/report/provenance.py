"""Provenance: where a report's numbers came from (parameters, input digests, versions, timing)."""

from __future__ import annotations

import platform
import subprocess
import time
from datetime import datetime, timezone
from importlib import metadata

import pandas as pd

import civmon
from civmon.params import REPO_ROOT

MAIN_PACKAGES = ("pandas", "numpy", "statsmodels", "scipy", "matplotlib", "papermill", "nbconvert", "weasyprint", "pandera")
_STARTED = time.time()


def git_commit() -> str:
    """The civmon checkout's commit (with '+dirty' when it has uncommitted changes), or 'unknown'."""
    try:
        sha = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except Exception:  # noqa: BLE001 - not a git checkout (e.g. an installed wheel)
        return "unknown"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "civmon": civmon.__version__}
    for name in MAIN_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(params, sha256: dict[str, str], files: dict | None = None) -> dict:
    """A JSON-ready record: params (no secrets exist in them), input digests, versions, commit, timing."""
    return {
        "params": params.model_dump(mode="json"),
        "inputs": {name: {"sha256": digest, "file": str((files or {}).get(name, ""))} for name, digest in sorted(sha256.items())},
        "civmon_version": civmon.__version__,
        "git_commit": git_commit(),
        "packages": package_versions(),
        "started": datetime.fromtimestamp(_STARTED, timezone.utc).isoformat(timespec="seconds"),
        "duration_seconds": round(time.time() - _STARTED, 1),
    }


def provenance_tables(record: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The provenance record as three small tables: parameters, input files, software."""
    params = pd.DataFrame([(k, str(v)) for k, v in record["params"].items()], columns=["参数", "取值"])
    inputs = pd.DataFrame([(k, v["file"] or "—", v["sha256"][:16] + "…") for k, v in record["inputs"].items()],
                          columns=["数据集", "文件", "SHA-256（前16位）"])
    soft = pd.DataFrame([("civmon", f'{record["civmon_version"]}（提交 {record["git_commit"]}）')]
                        + [(k, v) for k, v in record["packages"].items() if k != "civmon"]
                        + [("开始时间（UTC）", record["started"]), ("计算耗时（秒）", str(record["duration_seconds"]))],
                        columns=["软件或项目", "版本或取值"])
    return params, inputs, soft
