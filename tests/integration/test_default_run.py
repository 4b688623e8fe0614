"""The default run, end to end: every report executed, exported, collected and indexed."""

import json
import re

import pandas as pd
import pytest

from civmon.programmes import CATALOGUE
from civmon.report.info import SAMPLE_BANNER

from pdfutil import needs_poppler, pdf_text
from .conftest import REFERENCE

pytestmark = pytest.mark.xdist_group("default_run")


def test_every_report_has_notebook_html_and_pdf(default_run):
    for prog in CATALOGUE:
        d = default_run / "district" / "2023H1" / prog
        stem = f"{prog}-district-2023H1"
        for ext in ("ipynb", "html", "pdf"):
            assert (d / f"{stem}.{ext}").stat().st_size > 0, (prog, ext)
    manifest = json.loads((default_run / "manifest.json").read_text())
    assert {j["status"] for j in manifest["jobs"]} == {"ok"}


@needs_poppler
def test_pdfs_carry_their_chinese_titles(default_run):
    for prog, entry in CATALOGUE.items():
        title = entry.name_zh
        text = pdf_text(default_run / "district" / "2023H1" / prog / f"{prog}-district-2023H1.pdf")
        assert title in text and SAMPLE_BANNER in text


def test_html_is_a_document_without_code(default_run):
    for prog in CATALOGUE:
        html = (default_run / "district" / "2023H1" / prog / f"{prog}-district-2023H1.html").read_text()
        assert "run_params" not in html and "import civmon" not in html and "injected-parameters" not in html
        assert not re.search(r"https?://", html)
        assert SAMPLE_BANNER in html


def test_collected_indicators_reproduce_the_summary(default_run):
    if not REFERENCE.exists():
        pytest.skip(f"reference file {REFERENCE} not present")
    ref = pd.read_csv(REFERENCE)
    got = pd.read_csv(default_run / "indicators.csv")
    got = got[(got["scope"] == "district") & (got["period"] == "2023H1")].drop_duplicates("indicator_id").set_index("indicator_id")
    problems = []
    for row in ref.itertuples():
        if row.indicator_id not in got.index:
            problems.append(f"{row.indicator_id}: missing")
            continue
        value = got.loc[row.indicator_id, "value"]
        ok = abs(value - row.value) < 1e-9 if row.bound == "exact" else value >= row.value
        if not ok:
            problems.append(f"{row.indicator_id}: {value} vs {row.bound} {row.value}")
    assert not problems, problems
    assert (default_run / "indicators.xlsx").exists()


def test_index_lists_every_report_with_links(default_run):
    index = (default_run / "index.html").read_text()
    for prog, entry in CATALOGUE.items():
        assert entry.name_zh in index
        assert f'href="district/2023H1/{prog}/{prog}-district-2023H1.pdf"' in index
    assert ".ipynb" not in index.replace("同目录下的 .ipynb", "")


def test_run_all_in_jupyter_gives_the_default_run(default_run):
    """A researcher's Run All (no papermill injection) computes exactly what params/default.yaml gives."""
    import nbformat
    from nbclient import NotebookClient

    from civmon.report.export import recorded_indicators
    from civmon.run.jobs import NOTEBOOKS_DIR

    nb = nbformat.read(str(NOTEBOOKS_DIR / "migrant_support.ipynb"), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()
    ran_all = {r["indicator_id"]: r["value"] for r in recorded_indicators(nb)}
    batch = nbformat.read(str(default_run / "district" / "2023H1" / "migrants" / "migrants-district-2023H1.ipynb"),
                          as_version=4)
    from_run = {r["indicator_id"]: r["value"] for r in recorded_indicators(batch)}
    assert ran_all == from_run and len(ran_all) >= 5
