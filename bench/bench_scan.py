"""Time the publication gate on a realistic report: HTML and PDF of a township report with
village tables, a chart and prose, scanned for 10,000 names from the synthetic sample.

    .venv/bin/python bench/bench_scan.py            # builds the report in a temporary folder
    .venv/bin/python bench/bench_scan.py RUN_DIR    # times the scan of a real run's outputs

Also compares ways to find thousands of names in 200 KB of text (the gate uses the first).
"""

from __future__ import annotations

import base64
import io
import re
import sys
import tempfile
import time
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from civmon.publish.gate import NameMatcher, Scanner, scan_path, scan_report
from civmon.sample.geography import build_areas
from civmon.sample.people import names as fake_names

matplotlib.use("Agg")
SEED = Path("/work/shared/seed/000_ae60f4d183840c6b.txt")
PROSE = SEED.read_text(encoding="utf-8") if SEED.exists() else "全区在册低收入对象共3115户4675人。" * 200


def sample_names(n: int = 10_000) -> set[str]:
    rng = np.random.default_rng(0)
    out: set[str] = set()
    while len(out) < n:
        out |= set(fake_names(rng, rng.random(n) < 0.5))
    return set(sorted(out)[:n])


def png_base64() -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=150)
    ax.plot(range(18), np.random.default_rng(1).integers(3000, 3200, 18))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def report_notebook() -> nbformat.NotebookNode:
    """A township report's worth of outputs: prose, 12 village tables, 4 charts."""
    import civmon.report as cr

    areas = build_areas(0)
    villages = areas[areas.level != "township"].head(40)
    rng = np.random.default_rng(2)
    cells = [new_markdown_cell("# 织里镇2023年上半年民政监测报告\n\n" + PROSE[:4000])]
    png = png_base64()
    for k in range(12):
        df = pd.DataFrame({"村社区": villages.area_name.to_numpy(),
                           "低保户数": rng.integers(0, 60, len(villages)),
                           "人数": rng.integers(0, 120, len(villages)),
                           "救助金额（元）": rng.integers(0, 900_000, len(villages)).astype(float),
                           "覆盖率（%）": rng.uniform(0, 3, len(villages)).round(2)})
        html = cr.table(df, caption="各村社区低收入对象", notes=["注：演示数据。"])._repr_html_()
        cell = new_code_cell("")
        cell.outputs = [new_output("display_data", data={"text/html": html, "text/plain": "table"})]
        cells += [new_markdown_cell(f"## {k + 1}、分析\n\n" + PROSE[k * 500:(k + 1) * 500]), cell]
        if k % 3 == 0:
            img = new_code_cell("")
            img.outputs = [new_output("display_data", data={"image/png": png, "text/plain": "figure"})]
            cells.append(img)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def build_report(folder: Path) -> list[Path]:
    from civmon.report.export import html_to_pdf, render_html

    html = render_html(report_notebook())
    html_path = folder / "report.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = html_to_pdf(html, folder / "report.pdf")
    return [html_path, pdf_path]


def trie_regex(words) -> re.Pattern:
    trie: dict = {}
    for w in words:
        d = trie
        for ch in w:
            d = d.setdefault(ch, {})
        d[""] = {}

    def build(d):
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(d.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in d else "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in d else body

    return re.compile("(?=(" + build(trie) + "))")


def compare_name_search(names: set[str]) -> None:
    text = (PROSE * (200_000 // len(PROSE) + 1))[:200_000]
    matcher = NameMatcher(names)
    trie = trie_regex(names)
    alternation = re.compile("(?=(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + "))")
    runs = re.compile("[\u4e00-\u9fff]+")
    by_len = matcher.by_len

    def windows(t):
        hits = []
        for m in runs.finditer(t):
            s = m.group()
            for i in range(len(s) - 1):
                for L in matcher.lengths:
                    if s[i:i + L] in by_len[L]:
                        hits.append(m.start() + i)
                        break
        return hits

    ways = [("first-character filter + window lookup (used)", lambda t: list(matcher.find(t))),
            ("every window of Chinese runs", windows),
            ("trie regex", lambda t: trie.findall(t)),
            ("one alternation regex of all names", lambda t: alternation.findall(t))]
    print(f"name search, {len(names):,} names in {len(text):,} characters of report prose:")
    for label, f in ways:
        t0 = time.perf_counter()
        f(text)
        print(f"  {label:48s} {1000 * (time.perf_counter() - t0):8.1f} ms")


def main() -> None:
    names = sample_names()
    scanner = Scanner(names=names, secrets={"civmon-synthetic-sample-key-not-secret"})
    if len(sys.argv) > 1:
        rep = scan_path(sys.argv[1], scanner=scanner)
        n_reports = max(1, len({p.with_suffix("") for p in rep.files if p.suffix in (".html", ".pdf")}))
        print(f"{len(rep.files)} files ({n_reports} reports) in {rep.seconds:.2f} s: "
              f"{rep.seconds / n_reports * 1000:.0f} ms per report; {len(rep.findings)} findings")
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = build_report(Path(tmp))
        sizes = ", ".join(f"{p.suffix[1:]} {p.stat().st_size / 1024:.0f} KB" for p in files)
        times = []
        for _ in range(5):
            rep = scan_report(files, scanner=scanner)
            times.append(rep.seconds)
        per_file = {}
        for p in files:
            t0 = time.perf_counter()
            scanner.file(p)
            per_file[p.suffix] = time.perf_counter() - t0
        print(f"one report ({sizes}), 10,000 names: {1000 * min(times):.0f} ms per report "
              f"(best of 5; html {1000 * per_file['.html']:.0f} ms, pdf {1000 * per_file['.pdf']:.0f} ms); "
              f"{len(rep.findings)} findings")
    compare_name_search(names)


if __name__ == "__main__":
    main()
