"""Batch benchmark: the district + every township x 3 programmes, three ways, side by side in one run.

    python bench/batch.py            # full matrix (15 scopes x 3 programmes), HTML then HTML+PDF
    python bench/batch.py --quick    # district + 2 townships, for a fast look

Ways: (1) a shell loop of `papermill` and `jupyter nbconvert` CLI calls (plus `weasyprint` for PDFs),
as staff would script it; (2) `civmon run --jobs 1`; (3) `civmon run` with every core. Each way
starts from cold outputs (`--force` for civmon) on a warm data cache. Prints wall times and each
ratio to the shell loop, then the time of an unchanged re-run. Times are wall-clock medians of
--repeat runs; the machine is shared, so compare within one run of this script only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

from civmon import programmes  # noqa: E402

PROGRAMMES = list(programmes.selectable())
NOTEBOOK = {p: programmes.get(p).notebook for p in PROGRAMMES}


def scopes(quick: bool) -> list[str]:
    from civmon.sample.geography import TOWNSHIPS, township_code

    towns = [township_code(i) for i in range(len(TOWNSHIPS))]
    return ["district"] + (towns[:2] if quick else towns)


def shell_loop(work: Path, scope_list: list[str], pdf: bool) -> float:
    """One papermill call and one nbconvert call per report, serially (plus weasyprint per PDF)."""
    out = work / "shell"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    for scope in scope_list:
        for prog in PROGRAMMES:
            nb = out / f"{prog}-{scope}.ipynb"
            subprocess.run([BIN / "papermill", str(ROOT / "notebooks" / NOTEBOOK[prog]), str(nb), "-y",
                            f"run_params: {{scope: '{scope}', formats: [html]}}", "--cwd", str(ROOT / "notebooks"),
                            "--no-progress-bar"], check=True, capture_output=True)
            subprocess.run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", str(nb)], check=True,
                           capture_output=True)
            if pdf:
                subprocess.run([BIN / "weasyprint", str(nb.with_suffix(".html")), str(nb.with_suffix(".pdf"))],
                               check=True, capture_output=True)
    return time.perf_counter() - t0


def civmon_run(work: Path, params: Path, scope_list: list[str], jobs: int | None, force: bool = True) -> float:
    args = [BIN / "civmon", "run", str(params), "--scopes", ",".join(scope_list), "--quiet"]
    args += ["--jobs", str(jobs)] if jobs else []
    args += ["--force"] if force else []
    t0 = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def write_params(work: Path, pdf: bool, quick: bool) -> Path:
    p = work / f"bench-{'pdf' if pdf else 'html'}.yaml"
    formats = "[html, pdf]" if pdf else "[html]"
    p.write_text(f"programmes: [relief, eldercare, migrants]\noverview: false\nformats: {formats}\n"
                 f"output_dir: {work / 'civmon'}\nrun_name: bench-{'pdf' if pdf else 'html'}\n", encoding="utf-8")
    return p


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="district + 2 townships instead of all 14")
    ap.add_argument("--repeat", type=int, default=1, help="runs per way (median reported)")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    scope_list = scopes(args.quick)
    work = Path(tempfile.mkdtemp(prefix="civmon-bench-"))
    env_note = f"{len(scope_list)} scopes x {len(PROGRAMMES)} programmes = {len(scope_list) * 3} reports, {cores} cores"
    print(f"batch benchmark: {env_note}; work folder {work}")
    subprocess.run([BIN / "civmon", "validate", str(ROOT / "params" / "default.yaml")], check=True, capture_output=True)
    rows = []
    for pdf in (False, True):
        params = write_params(work, pdf, args.quick)
        label = "HTML+PDF" if pdf else "HTML"
        shell = statistics.median(shell_loop(work, scope_list, pdf) for _ in range(args.repeat))
        one = statistics.median(civmon_run(work, params, scope_list, 1) for _ in range(args.repeat))
        allc = statistics.median(civmon_run(work, params, scope_list, None) for _ in range(args.repeat))
        rerun = statistics.median(civmon_run(work, params, scope_list, None, force=False) for _ in range(max(3, args.repeat)))
        rows.append((label, shell, one, allc, rerun))
    print()
    print(f"{'formats':10s} {'shell loop':>11s} {'civmon -j1':>11s} {'civmon -j' + str(cores):>11s} {'unchanged re-run':>17s}")
    for label, shell, one, allc, rerun in rows:
        print(f"{label:10s} {shell:10.1f}s {one:10.1f}s {allc:10.1f}s {rerun:16.2f}s")
    print()
    for label, shell, one, allc, rerun in rows:
        print(f"{label}: civmon --jobs 1: {one / shell:.2f} of the shell loop")
        print(f"{label}: civmon --jobs {cores}: {allc / shell:.2f} of the shell loop")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
