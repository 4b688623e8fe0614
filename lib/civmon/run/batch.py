"""Batch runs: every scope, programme and period, in parallel processes, incremental, atomic and logged."""

from __future__ import annotations

import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from civmon.errors import RunError
from civmon.params import RunParams
from civmon.run.execute import JobResult, execute_job, read_job_file, stale_reason
from civmon.run.jobs import Job, job_key, plan_jobs

log = logging.getLogger("civmon.run")


@dataclass
class BatchResult:
    run_dir: Path
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the run left out and why (shown in the index)

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status in ("failed", "withheld")]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


class ForkServer:
    """The pre-imported kernel factory (see civmon.run.forkserver), alive for the duration of a batch."""

    def __init__(self, preload_data: str | None = None):
        self.preload_data = preload_data
        self.dir = Path(tempfile.mkdtemp(prefix="civmon-fork-"))
        self.socket = str(self.dir / "fork.sock")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "ForkServer":
        from civmon.run.forkserver import kernelspec

        from civmon.run.forkserver import ENV_PRELOAD

        r, w = os.pipe()
        env = {**os.environ, **({ENV_PRELOAD: self.preload_data} if self.preload_data else {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "civmon.run.forkserver", "serve", self.socket, str(w)],
                                     pass_fds=(w,), stdin=subprocess.DEVNULL, env=env)
        os.close(w)
        ready = os.read(r, 1)
        os.close(r)
        if ready != b"1":
            raise RunError("the forked-kernel server did not start; try --launcher plain")
        kernelspec(self.dir, self.socket)
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(self.dir), os.environ.get("JUPYTER_PATH")]))
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def resolve_scopes(params: RunParams, areas, by: str | None) -> list[str]:
    """'district', township codes, or both, from the params' scope and the --by option."""
    from civmon.data.scope import resolve_scope

    towns = sorted(areas.loc[areas["level"] == "township", "area_code"].astype(str)) if areas is not None else []
    if by == "township" or params.scope == "all":
        return ["district", *towns]
    code, _ = resolve_scope(params.scope, areas)
    return [code or "district"]


def _setup_log(run_dir: Path, quiet: bool) -> logging.Handler:
    handler = logging.FileHandler(run_dir / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def run_batch(params: RunParams, *, data_digests: dict[str, str], areas=None, by: str | None = None,
              periods: list[str] | None = None, jobs: int | None = None, force: bool = False,
              quiet: bool = False, launcher: str = "auto", out_root: Path | None = None, gate=None, gate_factory=None,
              echo=print, notebooks_dir: Path | None = None, scopes: list[str] | None = None,
              notes: list[str] | None = None, tables: list[dict] | None = None) -> BatchResult:
    """Run every job of the matrix into outputs/<run>/; skip jobs whose key matches their last good output."""
    t0 = time.perf_counter()
    run_dir = Path(out_root or params.output_dir) / params.name
    run_dir.mkdir(parents=True, exist_ok=True)
    lock = open(run_dir / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunError(f"another civmon run is writing to {run_dir}; wait for it to finish") from None
    for leftover in (".staging", ".trash"):  # from a run that was killed
        shutil.rmtree(run_dir / leftover, ignore_errors=True)
    handler = _setup_log(run_dir, quiet)
    try:
        scopes = scopes or resolve_scopes(params, areas, by)
        planned = plan_jobs(params, scopes, periods or [params.period], **({"notebooks_dir": notebooks_dir} if notebooks_dir else {}))
        formats = tuple(params.formats)
        for job in planned:
            job.key = job_key(job, data_digests, formats)
        results: list[JobResult] = []
        todo: list[Job] = []
        for job in planned:
            reason = "--force" if force else stale_reason(job, run_dir)
            if reason is None:
                results.append(JobResult(**{**read_job_file(run_dir / job.rel_dir), "status": "skipped"}))
            else:
                log.info("run %s: %s (key %s)", job.label, reason, job.key[:12])
                todo.append(job)
        n_workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        msg = f"{len(planned)} jobs: {len(todo)} to run, {len(planned) - len(todo)} unchanged (skipped); {n_workers} worker(s)"
        log.info(msg)
        for note in notes or ():
            log.info("left out: %s", note)
        if not quiet:
            echo(msg)
        use_fork = launcher == "fork" or (launcher == "auto" and hasattr(os, "fork"))
        if todo:
            if gate is None and gate_factory is not None:  # built only when something runs (it reads raw names)
                gate = gate_factory()
            ctx = ForkServer(params.data) if use_fork else _Null()
            with ctx:
                kernel = "civmon-fork" if use_fork else None
                results += _execute_all(todo, run_dir, formats, kernel, n_workers, quiet, gate, echo)
        position = {(j.programme, j.scope, j.period): i for i, j in enumerate(planned)}
        results.sort(key=lambda r: position.get((r.programme, r.scope, r.period), len(position)))  # plan order,
        # not completion order: the collected tables are the same bytes however the jobs were scheduled
        result = BatchResult(run_dir, results, round(time.perf_counter() - t0, 2), list(notes or []))
        write_manifest(params, result, data_digests, tables)
        from civmon.run.collect import write_collections

        write_collections(result)
        log.info("done in %.1fs: %s", result.seconds, result.counts)
        return result
    finally:
        log.removeHandler(handler)
        handler.close()
        shutil.rmtree(run_dir / ".staging", ignore_errors=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def _execute_all(todo, run_dir, formats, kernel, n_workers, quiet, gate, echo) -> list[JobResult]:
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="report", disable=quiet or not sys.stderr.isatty(), file=sys.stderr, leave=False)
    out: list[JobResult] = []

    def done(res: JobResult) -> None:
        line = f"{res.status:8s} {res.label}  {res.seconds:5.1f}s" + (f"  {res.error}" if res.error else "")
        log.info(line)
        if not quiet:
            bar.write(line)
        bar.update(1)
        out.append(res)
        _append_partial_manifest(run_dir, res)

    if n_workers == 1:
        for job in todo:
            done(execute_job(job, run_dir, formats, kernel, gate))
    else:
        mp = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=mp) as pool:
            futures = [pool.submit(execute_job, job, run_dir, formats, kernel, gate) for job in todo]
            for fut in as_completed(futures):
                done(fut.result())
    bar.close()
    return out


def _append_partial_manifest(run_dir: Path, res: JobResult) -> None:
    """A line per finished job, so an interrupted run still says what it finished."""
    with open(run_dir / "manifest.partial.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({k: v for k, v in asdict(res).items() if k != "indicators"}, ensure_ascii=False) + "\n")


def write_manifest(params: RunParams, result: BatchResult, data_digests: dict[str, str] | None = None,
                   tables: list[dict] | None = None) -> Path:
    """manifest.json: the inputs (digests, and what each table of the folder was taken for), what was left
    out, and one entry per job with key, status, timings and output digests (written atomically)."""
    from civmon.report.provenance import git_commit, package_versions

    manifest = {
        "run": params.name,
        "params": params.model_dump(mode="json"),
        "inputs_sha256": dict(sorted((data_digests or {}).items())),
        "input_tables": list(tables or []),
        "left_out": result.notes,
        "civmon_git_commit": git_commit(),
        "packages": package_versions(),
        "seconds": result.seconds,
        "counts": result.counts,
        "jobs": [{k: v for k, v in asdict(r).items() if k != "indicators"} for r in result.results],
    }
    path = result.run_dir / "manifest.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    (result.run_dir / "manifest.partial.jsonl").unlink(missing_ok=True)
    return path
