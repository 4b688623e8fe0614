"""The job matrix (scope x programme x period, plus the overview) and each job's incremental key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from civmon import programmes
from civmon.params import REPO_ROOT, RunParams

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
CIVMON_SRC = Path(__file__).resolve().parents[1]


@dataclass
class Job:
    """One report: a programme's notebook for one scope (district or township code) and one period."""

    programme: str
    scope: str
    period: str
    params: dict = field(repr=False)
    key: str = ""
    notebooks_dir: Path = NOTEBOOKS_DIR

    @property
    def notebook(self) -> Path:
        return Path(self.notebooks_dir) / programmes.get(self.programme).notebook

    @property
    def rel_dir(self) -> Path:
        return Path(self.scope) / self.period / self.programme

    @property
    def stem(self) -> str:
        return f"{self.programme}-{self.scope}-{self.period}"

    @property
    def label(self) -> str:
        return f"{self.scope:12s} {self.programme:10s} {self.period}"


def plan_jobs(params: RunParams, scopes: list[str], periods: list[str], notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Job]:
    """Expand to scope x period x (programmes + overview); params of each job are fully resolved."""
    programmes = list(params.programmes) + (["overview"] if params.overview else [])
    jobs = []
    for period in periods:
        for scope in scopes:
            values = params.model_dump(mode="json")
            values.update(scope=scope, period=period)
            for prog in programmes:
                jobs.append(Job(programme=prog, scope=scope, period=period, params=values, notebooks_dir=notebooks_dir))
    return jobs


@lru_cache(maxsize=1)
def source_digest() -> str:
    """sha256 of civmon's own source (Python files and templates): a code change re-runs every job."""
    h = hashlib.sha256()
    for path in sorted(CIVMON_SRC.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".css", ".json", ".yaml") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(CIVMON_SRC)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def job_key(job: Job, data_digests: dict[str, str], formats: tuple[str, ...]) -> str:
    """Hash of the notebook, the resolved parameters, the input data the job reads and civmon's source."""
    h = hashlib.sha256()
    h.update(job.notebook.read_bytes())
    h.update(json.dumps(job.params, sort_keys=True, ensure_ascii=False).encode())
    for name in programmes.datasets_read(job.programme):
        h.update(f"{name}={data_digests.get(name, '-')}".encode())
    h.update(",".join(sorted(formats)).encode())
    h.update(source_digest().encode())
    return h.hexdigest()
