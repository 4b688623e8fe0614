"""docs/architecture.md's "how to add a programme", done for real: a marriage-registration programme
(one evaluation module, one phrasing module, one notebook, one catalogue entry) written here into a
temporary package, run by `run_batch` as the built-in ones are, collected and indexed.

The package stands in for the files a developer would add to civmon itself; its notebook imports the
catalogue entry first because the kernel's civmon does not have it in civmon/programmes.py."""

from __future__ import annotations

import sys
import textwrap

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from civmon import programmes
from civmon.data.source import load_data
from civmon.params import RunParams
from civmon.run.batch import run_batch

pytestmark = pytest.mark.integration

CATALOGUE_ENTRY = '''
from civmon.programmes import CATALOGUE, Programme, register

if "marriage" not in CATALOGUE:
    register(Programme(
        id="marriage", name_zh="婚姻登记服务评估", notebook="marriage_services.ipynb", datasets=(),
        headline_ids=("marriage_cert_reissued", "newlywed_counselling", "divorce_counselling"),
        evaluation="marriage_demo.evaluation", phrasing="marriage_demo.phrasing", short_zh="婚姻登记"))
'''

EVALUATION = '''
"""The marriage-registration programme's numbers."""
from dataclasses import dataclass

import pandas as pd

from civmon import programmes
from civmon.evaluation import Inputs, Result
from civmon.evaluation.headline import Headline, headline


@dataclass
class Counselling(Result):
    frame: pd.DataFrame  # service, persons, share_pct


@dataclass
class MarriageEvaluation:
    inputs: Inputs
    headline: Headline
    counselling: Counselling


def counselling(h: Headline) -> Counselling:
    v = h.frame.set_index("id")["value"]
    persons = [v["newlywed_counselling"], v["divorce_counselling"]]
    total = sum(persons)
    return Counselling(pd.DataFrame({"service": ["newlywed", "divorce"], "persons": persons,
                                     "share_pct": [100 * p / total for p in persons]}),
                       method_note="占比 = 该项辅导人数 ÷ 两项辅导人数之和。")


def evaluate(inputs: Inputs) -> MarriageEvaluation:
    h = headline(programmes.get("marriage").report_ids, inputs.data, inputs.period, inputs.params.targets,
                 suppress_below=inputs.threshold)
    return MarriageEvaluation(inputs, h, counselling(h))
'''

PHRASING = '''
"""The marriage-registration programme in Chinese."""
from civmon.report.captions import see
from civmon.report.headline import headline_table as _headline_table
from civmon.report.tables import Text, table

SERVICE_ZH = {"newlywed": "新婚辅导", "divorce": "离婚辅导"}


def headline_table(ev):
    return _headline_table(ev.headline)


def counselling_table(ev):
    f = ev.counselling.frame
    df = f.assign(service=f["service"].map(SERVICE_ZH)).rename(
        columns={"service": "服务", "persons": "人数（人、人次）", "share_pct": "占比（%）"})
    return table(df, caption="婚姻家庭辅导", key="counselling", decimals={"占比（%）": 1},
                 notes=[ev.counselling.method_note])


def findings(ev):
    f = ev.counselling.frame.set_index("service")
    return Text([f"新婚辅导占婚姻家庭辅导的{f.loc['newlywed', 'share_pct']:.1f}%（见{see('表', 'counselling')}）。"])
'''

CELLS = [
    ("markdown", "# 婚姻登记服务评估", ["civmon-setup"]),
    ("code", "run_params = {}", ["parameters"]),
    ("code", "import marriage_demo.catalogue\nimport civmon.report as cr\nfrom civmon.params import for_notebook\n"
             "from marriage_demo import phrasing as mg\n\nctx = cr.open_report(for_notebook(run_params), \"marriage\")\n"
             "ev = ctx.evaluate()\nctx", ["civmon-setup"]),
    ("markdown", "## 一、主要指标", []),
    ("code", "ctx.record(ev.headline)", []),
    ("code", "mg.headline_table(ev)", []),
    ("markdown", "## 二、婚姻家庭辅导", []),
    ("code", "mg.counselling_table(ev)", []),
    ("code", "mg.findings(ev)", []),
]


@pytest.fixture
def marriage(tmp_path, monkeypatch):
    """The programme's package on the path (of this process and of the kernels) and its notebook."""
    pkg = tmp_path / "lib" / "marriage_demo"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for name, text in (("catalogue", CATALOGUE_ENTRY), ("evaluation", EVALUATION), ("phrasing", PHRASING)):
        (pkg / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    cells = [(new_code_cell if kind == "code" else new_markdown_cell)(src, metadata={"tags": tags})
             for kind, src, tags in CELLS]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(notebooks / "marriage_services.ipynb"))
    monkeypatch.syspath_prepend(str(pkg.parent))
    monkeypatch.setenv("PYTHONPATH", str(pkg.parent))
    __import__("marriage_demo.catalogue")
    yield notebooks
    programmes.unregister("marriage")
    for m in [m for m in sys.modules if m.startswith("marriage_demo")]:
        del sys.modules[m]


def test_a_fourth_programme_runs_with_one_module_each_and_one_catalogue_entry(marriage, tmp_path):
    params = RunParams(programmes=["marriage"], overview=False, formats=["html"],
                       output_dir=str(tmp_path / "out"), run_name="city")
    data, _, digests, _ = load_data(params.data)
    res = run_batch(params, data_digests=digests, areas=data["areas"], scopes=["district"], jobs=1, quiet=True,
                    notebooks_dir=marriage, launcher="plain")
    assert res.counts == {"ok": 1}, [r.error for r in res.results]

    ind = pd.read_csv(res.run_dir / "indicators.csv")
    got = ind[ind["indicator_id"].isin(["marriage_cert_reissued", "newlywed_counselling", "divorce_counselling"])]
    from civmon.evaluation.headline import compute

    want = compute(got["indicator_id"], data, params.period_obj)
    assert len(got) == 3 and all(v == want[i] for i, v in zip(got["indicator_id"], got["value"]))

    html = (res.run_dir / "district" / "2023H1" / "marriage" / "marriage-district-2023H1.html").read_text()
    assert "<caption>表1 主要指标</caption>" in html and "<caption>表2 婚姻家庭辅导</caption>" in html
    share = 100 * want["newlywed_counselling"] / (want["newlywed_counselling"] + want["divorce_counselling"])
    assert f"新婚辅导占婚姻家庭辅导的{share:.1f}%（见表2）。" in html
    assert "婚姻登记服务评估" in (res.run_dir / "index.html").read_text()
