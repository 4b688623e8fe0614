"""The relief report executed for real on the sample: district 2023H1, one township, another period."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import papermill as pm
import pytest

from civmon import programmes
from civmon.data.scope import scope_frames
from civmon.evaluation import relief as ev
from civmon.period import Period
from civmon.report.export import recorded_indicators, render_html

from .conftest import REFERENCE, ROOT, html_table

pytestmark = pytest.mark.xdist_group("relief")

NOTEBOOK = ROOT / "notebooks" / programmes.get("relief").notebook
TOWN = "织里镇"
RUNS = {"district": {}, "town": {"scope": TOWN}, "h2": {"period": "2022H2"}}
SECTIONS = ("主要指标", "保障水平", "覆盖与动态管理", "标准调整影响", "退出与造血", "应纳尽纳", "助联体", "主要发现",
            "数据质量", "数据来源与运行信息")
# the district-only tables, by their numbers in the district report (a township report leaves them out)
BY_TOWNSHIP = {"表4 ": "各乡镇街道期末在册低保、低保边缘户数", "表5 ": "各乡镇街道低收入对象覆盖情况",
               "表14 ": "各乡镇街道疑似应纳未纳人数", "表16 ": "各乡镇街道助联体需求采集与化解"}
# headline indicators that are sums over records, so the townships add up to the district
ADDITIVE = ("lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_person_times",
            "temp_relief_funds", "child_subsidy_funds", "disability_living_funds", "disability_nursing_funds",
            "one_stop_person_times", "one_stop_funds", "alliance_needs_collected", "alliance_needs_resolved")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each run's executed notebook, its recorded indicators (by id) and its HTML."""
    d = tmp_path_factory.mktemp("relief")
    out = {}
    for name, params in RUNS.items():
        path = d / f"{name}.ipynb"
        pm.execute_notebook(str(NOTEBOOK), str(path), parameters={"run_params": params}, progress_bar=False,
                            cwd=str(NOTEBOOK.parent))
        nb = nbformat.read(str(path), as_version=4)
        rec = pd.DataFrame(recorded_indicators(nb)).set_index("indicator_id")
        out[name] = (nb, rec, render_html(nb))
    return out


@pytest.fixture(scope="module")
def data(runs):
    """The sample as the notebooks saw it (validated data from the session's private cache)."""
    import civmon.report as cr
    from civmon.params import for_notebook

    return cr.open_report(for_notebook({}), "relief").data_all



def test_district_headline_equals_the_reference(runs):
    if not REFERENCE.exists():
        pytest.skip(f"reference file {REFERENCE} not present")
    ref = pd.read_csv(REFERENCE)
    ref = ref[ref["domain"] == "relief"]
    rec = runs["district"][1]
    assert set(rec["scope"]) == {"district"} and set(rec["period"]) == {"2023H1"}
    assert set(rec.index) == set(ev.HEADLINE_IDS) and len(ref) == 14
    for r in ref.itertuples():
        assert r.bound == "exact"
        assert rec.loc[r.indicator_id, "value"] == pytest.approx(r.value, abs=1e-9), r.indicator_id
    for col in ("previous", "year_earlier"):
        assert rec[col].notna().all(), col


def test_every_run_renders_as_a_report_without_code(runs):
    for name, (nb, rec, html) in runs.items():
        assert "run_params" not in html and "import civmon" not in html and "rl." not in html, name
        assert "def " not in html and "display(" not in html, name
        for h in SECTIONS:
            assert h in html, (name, h)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, name


def test_district_shows_the_analyses(runs):
    html = runs["district"][2]
    for number, caption in BY_TOWNSHIP.items():
        assert f"<caption>{number}{caption}" in html, caption
    # 表1 to 表16 without a gap (no adequacy table without a consumption figure), 图1 to 图8
    assert [int(n) for n in re.findall(r"<caption>表(\d+) ", html)] == list(range(1, 17))
    assert [int(n) for n in re.findall(r'chart-title">图(\d+) ', html)] == list(range(1, 9))
    # caseload by category and by township, two ITS charts, two KM charts, two funnel plots
    assert html.count("<img") == 8
    assert "本期不计算保障标准相对消费水平的比例" in html  # no per_capita_consumption in the default params
    assert "上半年，全区在册低收入对象3115户4675人，累计发放救助资金2327.21万元" in html
    assert "覆盖率研究" in html and "Satterthwaite" in html and "按时发放率" in html
    assert "标准调整影响的稳健性检验" in html and "比例风险假设检验" in html and "估计方法的假设及本次检验" in html


def test_township_tables_add_up_to_the_district(runs, data):
    _, dist, html = runs["district"]
    _, town, town_html = runs["town"]
    t4 = html_table(html, "表4 各乡镇街道期末在册").set_index("乡镇街道")
    body = t4.drop("合计")
    assert t4.loc["合计", "低收入对象户数"] == dist.loc["lowincome_households", "value"] == body["低收入对象户数"].sum()
    assert (body["低保户数"] + body["低保边缘户数"] == body["低收入对象户数"]).all()
    assert town.loc["lowincome_households", "value"] == t4.loc[TOWN, "低收入对象户数"]
    t5 = html_table(html, "表5 各乡镇街道低收入对象覆盖").set_index("乡镇街道")
    assert town.loc["lowincome_persons", "value"] == t5.loc[TOWN, "低收入对象人数"]
    assert t5.loc["合计", "低收入对象人数"] == dist.loc["lowincome_persons", "value"]
    t14 = html_table(html, "表16 各乡镇街道助联体").set_index("乡镇街道")
    assert int(t14.loc["合计", "采集需求数"]) == dist.loc["alliance_needs_collected", "value"]
    nf = ev.needs_by_township(ev.needs_frame(data["alliance_needs"], Period.parse("2023H1")), data["areas"])
    assert nf.iloc[:-1]["collected"].sum() == nf.iloc[-1]["collected"] == dist.loc["alliance_needs_collected", "value"]
    assert nf.iloc[:-1]["resolved"].sum() == dist.loc["alliance_needs_resolved", "value"]
    # every township's additive headline figures sum to the district's recorded ones
    from civmon.evaluation.headline import compute

    towns = data["areas"][data["areas"]["level"].astype(str) == "township"]["area_code"].astype(str)
    per_town = [compute(ADDITIVE, scope_frames(data, code), Period.parse("2023H1")) for code in towns]
    for i in ADDITIVE:
        assert sum(v[i] or 0 for v in per_town) == pytest.approx(dist.loc[i, "value"], abs=0.011 * len(towns)), i
        assert 0 <= town.loc[i, "value"] < dist.loc[i, "value"], i
    for caption in BY_TOWNSHIP.values():
        assert caption not in town_html, caption
    # the township report numbers its own tables without a gap, and 见表N names the 应纳尽纳 table
    assert [int(n) for n in re.findall(r"<caption>表(\d+) ", town_html)] == list(range(1, 13))
    assert "<caption>表11 补贴应纳尽纳比对结果" in town_html
    assert set(re.findall(r"见表(\d+)", town_html)) <= {"11"}
    assert f"上半年，{TOWN}在册低收入对象" in town_html
    assert town_html.count("<img") == 5  # no small multiples by township
    assert set(town.index) == set(ev.TOWNSHIP_HEADLINE_IDS)  # enrolment rates only in the suppressed table


def test_another_period_differs_and_has_no_rise(runs, data):
    _, rec, html = runs["h2"]
    _, dist, _ = runs["district"]
    assert set(rec["period"]) == {"2022H2"}
    # 2022H2's figures are the 2023H1 report's "previous period" column
    for i in ev.HEADLINE_IDS:
        assert rec.loc[i, "value"] == pytest.approx(dist.loc[i, "previous"], abs=1e-9), i
    assert rec.loc["lowincome_households", "value"] != dist.loc["lowincome_households", "value"]
    assert rec.loc["tekun_standard", "value"] < dist.loc["tekun_standard", "value"]
    assert "低保标准未调整，本期不做标准调整影响分析" in html and "低保标准上调的中断时间序列估计" not in html
    assert "2022年下半年" in html and "下半年，全区在册低收入对象" in html
