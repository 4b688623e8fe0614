"""Run report notebooks with papermill and export them; outputs appear atomically or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import papermill as pm

from civmon.params import REPO_ROOT, RunParams
from civmon.report.context import REPORTS
from civmon.report.export import export_notebook, recorded_indicators

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


@dataclass
class Job:
    """One report: a programme's notebook for one scope and period."""

    programme: str
    scope: str  # 'district' or a township code
    period: str
    params: dict

    @property
    def notebook(self) -> Path:
        return NOTEBOOKS_DIR / REPORTS[self.programme][0]

    @property
    def rel_dir(self) -> Path:
        return Path(self.scope) / self.period

    @property
    def stem(self) -> str:
        return self.programme

    @property
    def label(self) -> str:
        return f"{self.scope} {self.programme} {self.period}"


@dataclass
class JobResult:
    job: Job
    status: str  # ok, failed
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    indicators: list[dict] = field(default_factory=list)


def plan_jobs(params: RunParams, scopes: list[str] | None = None, periods: list[str] | None = None) -> list[Job]:
    """Expand params into jobs: scope x programme x period, plus the overview per scope and period."""
    scopes = scopes or [params.scope]
    periods = periods or [params.period]
    programmes = list(params.programmes) + (["overview"] if params.overview else [])
    jobs = []
    for scope in scopes:
        for period in periods:
            values = params.model_dump(mode="json")
            values.update(scope=scope, period=period)
            for prog in programmes:
                jobs.append(Job(programme=prog, scope=scope, period=period, params=values))
    return jobs


def _atomic_move(tmp_dir: Path, final_dir: Path) -> None:
    """Replace final_dir's files with tmp_dir's: each file is renamed into place (atomic on one filesystem)."""
    final_dir.mkdir(parents=True, exist_ok=True)
    for f in sorted(tmp_dir.iterdir()):
        os.replace(f, final_dir / f.name)


def execute_job(job: Job, run_dir: Path, formats=("html", "pdf"), kernel_name: str | None = None) -> JobResult:
    """Execute one notebook and export it; on failure keep the partial notebook under failed/."""
    t0 = time.perf_counter()
    staging = run_dir / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{job.programme}-", dir=staging))
    nb_out = tmp / f"{job.stem}.ipynb"
    try:
        pm.execute_notebook(
            str(job.notebook), str(nb_out), parameters={"run_params": job.params},
            cwd=str(job.notebook.parent), kernel_name=kernel_name, progress_bar=False,
            log_output=False, report_mode=True,
        )
        written = export_notebook(nb_out, tmp, job.stem, formats=formats)
        indicators = recorded_indicators(nbformat.read(str(nb_out), as_version=4))
        final = run_dir / job.rel_dir
        _atomic_move(tmp, final)
        outputs = {"ipynb": str((final / nb_out.name).relative_to(run_dir))}
        outputs.update({k: str((final / p.name).relative_to(run_dir)) for k, p in written.items()})
        return JobResult(job, "ok", time.perf_counter() - t0, outputs, indicators=indicators)
    except Exception as e:  # noqa: BLE001 - a failing report must not stop the others
        failed = run_dir / "failed" / job.rel_dir
        failed.mkdir(parents=True, exist_ok=True)
        if nb_out.exists():
            os.replace(nb_out, failed / nb_out.name)
        msg = _short_error(e)
        (failed / f"{job.stem}.error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        return JobResult(job, "failed", time.perf_counter() - t0, error=msg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _short_error(e: Exception) -> str:
    """One line: for a notebook failure, the cell's exception name and value."""
    if isinstance(e, pm.PapermillExecutionError):
        return f"cell {e.exec_count}: {e.ename}: {e.evalue}"
    return f"{type(e).__name__}: {e}"


def run(params: RunParams, out_root: Path | None = None, scopes=None, periods=None, echo=print) -> list[JobResult]:
    """Run every job of the params (serially, for now) into outputs/<run>/ and write manifest.json."""
    run_dir = Path(out_root or params.output_dir) / params.name
    run_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for job in plan_jobs(params, scopes, periods):
        res = execute_job(job, run_dir, formats=tuple(params.formats))
        echo(f"{res.status:6s} {res.job.label:40s} {res.seconds:6.1f}s" + (f"  {res.error}" if res.error else ""))
        results.append(res)
    manifest = {"run": params.name, "params": params.model_dump(mode="json"),
                "jobs": [{**asdict(r.job), "status": r.status, "seconds": round(r.seconds, 3),
                          "outputs": r.outputs, "error": r.error} for r in results]}
    (run_dir / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return results
