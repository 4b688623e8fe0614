"""PDF rendering time per report: WeasyPrint on each report of a default run, median of 3.

    python bench/pdf.py [RUN_DIR]    # default: runs params/default.yaml (HTML) into a temp folder first
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from civmon.report.export import html_to_pdf

    if len(sys.argv) > 1:
        run_dir = Path(sys.argv[1])
    else:
        out = Path(tempfile.mkdtemp(prefix="civmon-pdfbench-"))
        subprocess.run([Path(sys.executable).parent / "civmon", "run", "params/default.yaml", "--out", str(out),
                        "--quiet"], check=True, cwd=ROOT, capture_output=True)
        run_dir = out / "330502-2023H1"
    pages_tool = subprocess.run(["which", "pdfinfo"], capture_output=True).returncode == 0
    print(f"{'report':34s} {'HTML KB':>8s} {'pages':>6s} {'median s':>9s}")
    times = []
    for html in sorted(run_dir.glob("*/*/*/*.html")):
        text = html.read_text(encoding="utf-8")
        target = Path(tempfile.mkdtemp()) / "bench.pdf"
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            html_to_pdf(text, target)
            runs.append(time.perf_counter() - t0)
        pages = "?"
        if pages_tool:
            info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
            pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
        med = statistics.median(runs)
        times.append(med)
        print(f"{html.stem:34s} {len(text) / 1024:8.0f} {pages:>6s} {med:9.2f}")
    if times:
        print(f"\nmedian over reports: {statistics.median(times):.2f} s per PDF (target: under 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
