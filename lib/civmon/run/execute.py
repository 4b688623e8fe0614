"""Execute one job: papermill into a staging folder, export, then swap the folder into place in one rename."""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from civmon.data.cache import file_sha256
from civmon.run.jobs import Job

JOB_FILE = "job.json"


@dataclass
class JobResult:
    programme: str
    scope: str
    period: str
    key: str
    status: str  # ok, failed, skipped, withheld
    seconds: float = 0.0
    rel_dir: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # kind -> file name within rel_dir
    sha256: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    info: dict = field(default_factory=dict)
    indicators: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.scope:12s} {self.programme:10s} {self.period}"


def read_job_file(job_dir: Path) -> dict | None:
    """The job.json of a finished job folder, or None when absent or unreadable."""
    try:
        return json.loads((job_dir / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(job: Job, run_dir: Path) -> str | None:
    """Why the job must run (None when its last successful output has the same key and is complete)."""
    rec = read_job_file(run_dir / job.rel_dir)
    if not rec:
        return "no earlier output"
    if rec.get("status") != "ok":
        return f"earlier status {rec.get('status')}"
    if rec.get("key") != job.key:
        return "inputs, parameters, notebook or civmon changed"
    if not all((run_dir / job.rel_dir / name).exists() for name in rec.get("outputs", {}).values()):
        return "earlier output incomplete"
    return None


def is_current(job: Job, run_dir: Path) -> dict | None:
    """The recorded result when the job's last successful output has the same key and is complete."""
    return None if stale_reason(job, run_dir) else read_job_file(run_dir / job.rel_dir)


def swap_into_place(staging: Path, final: Path, trash_root: Path) -> None:
    """Replace `final` by `staging` with renames only, so a reader never sees a half-written folder."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if final.exists():
        trash_root.mkdir(parents=True, exist_ok=True)
        old = trash_root / uuid.uuid4().hex
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def execute_job(job: Job, run_dir: Path, formats: tuple[str, ...], kernel_name: str | None = None,
                gate=None) -> JobResult:
    """Run, export and (optionally) gate one report; failures are kept under failed/, leaks under withheld/."""
    import nbformat
    import papermill as pm

    from civmon.report.export import export_notebook, recorded_indicators, report_info

    t0 = time.perf_counter()
    result = JobResult(job.programme, job.scope, job.period, job.key, "failed", rel_dir=str(job.rel_dir))
    staging = run_dir / ".staging" / f"{job.stem}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    nb_out = staging / f"{job.stem}.ipynb"
    try:
        pm.execute_notebook(str(job.notebook), str(nb_out), parameters={"run_params": job.params},
                            cwd=str(job.notebook.parent), kernel_name=kernel_name, progress_bar=False,
                            log_output=False, report_mode=True)
        result.timings["execute"] = round(time.perf_counter() - t0, 3)
        t1 = time.perf_counter()
        written = export_notebook(nb_out, staging, job.stem, formats=formats)
        result.timings["export"] = round(time.perf_counter() - t1, 3)
        nb = nbformat.read(str(nb_out), as_version=4)
        result.indicators = recorded_indicators(nb)
        result.info = asdict(report_info(nb))
        result.outputs = {"ipynb": nb_out.name, **{k: p.name for k, p in written.items()}}
        result.sha256 = {k: file_sha256(staging / name) for k, name in result.outputs.items()}
        result.status = "ok"
        if gate is not None:
            t2 = time.perf_counter()
            result.findings = gate([staging / result.outputs[k] for k in ("html", "pdf") if k in result.outputs])
            result.timings["gate"] = round(time.perf_counter() - t2, 3)
            if result.findings:
                result.status = "withheld"
        result.seconds = round(time.perf_counter() - t0, 3)
        (staging / JOB_FILE).write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1), encoding="utf-8")
        target = run_dir / job.rel_dir if result.status == "ok" else run_dir / "withheld" / job.rel_dir
        swap_into_place(staging, target, run_dir / ".trash")
        return result
    except Exception as e:  # noqa: BLE001 - a failing report must not stop the others
        result.status = "failed"
        result.error = _short_error(e)
        result.seconds = round(time.perf_counter() - t0, 3)
        (staging / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        (staging / JOB_FILE).write_text(json.dumps(asdict(result), ensure_ascii=False, indent=1), encoding="utf-8")
        swap_into_place(staging, run_dir / "failed" / job.rel_dir, run_dir / ".trash")
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _short_error(e: Exception) -> str:
    """One line: for a notebook failure, the cell number and the exception."""
    name = type(e).__name__
    if name == "PapermillExecutionError":
        return f"cell {e.exec_count}: {e.ename}: {e.evalue}"
    return f"{name}: {e}"
