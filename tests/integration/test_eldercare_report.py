"""The eldercare report executed for real on the sample: district 2023H1, one township, another period."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pandas as pd
import papermill as pm
import pytest

from civmon import programmes
from civmon.report.export import recorded_indicators, render_html

from .conftest import REFERENCE, ROOT, html_table

pytestmark = pytest.mark.xdist_group("eldercare")

NOTEBOOK = ROOT / "notebooks" / programmes.get("eldercare").notebook
TOWN = "织里镇"
RUNS = {"district": {}, "town": {"scope": TOWN}, "h2": {"period": "2022H2"}}
# The district-only tables (a township report leaves them out and numbers the rest without gaps).
AREA, MEAL, CARERS = "各乡镇街道照料中心面积达标情况", "各乡镇街道老年助餐村社区覆盖率", "各乡镇街道养老护理员持证情况"
EFFECTS = "提升改造效果估计"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each run's executed notebook, its recorded indicators (by id) and its HTML."""
    d = tmp_path_factory.mktemp("eldercare")

    def run(name):
        path = d / f"{name}.ipynb"
        pm.execute_notebook(str(NOTEBOOK), str(path), parameters={"run_params": RUNS[name]}, progress_bar=False,
                            cwd=str(NOTEBOOK.parent))
        nb = nbformat.read(str(path), as_version=4)
        return nb, pd.DataFrame(recorded_indicators(nb)).set_index("indicator_id"), render_html(nb)

    out = {"district": run("district")}  # first: it builds the sample and data caches the others reuse
    with ThreadPoolExecutor(2) as pool:
        out.update(zip(("town", "h2"), pool.map(run, ("town", "h2"))))
    return out



def test_district_headline_equals_the_reference(runs):
    if not REFERENCE.exists():
        pytest.skip(f"reference file {REFERENCE} not present")
    ref = pd.read_csv(REFERENCE)
    ref = ref[ref["domain"] == "eldercare"]
    rec = runs["district"][1]
    assert set(rec["scope"]) == {"district"} and set(rec["period"]) == {"2023H1"}
    assert len(ref) == 7
    for r in ref.itertuples():
        value = rec.loc[r.indicator_id, "value"]
        assert (value == pytest.approx(r.value, abs=1e-9)) if r.bound == "exact" else value >= r.value, r.indicator_id
    assert {"upgrades_started", "upgrades_completed"} <= set(rec.index)
    assert rec.loc["meal_service_coverage", "target"] == 90.0 and rec.loc["meal_service_coverage", "status"] == "met"


def test_township_figures_match_the_district_tables(runs):
    _, town, _ = runs["town"]
    _, dist, html = runs["district"]
    assert len(set(town["scope"])) == 1 and "district" not in set(town["scope"])
    area = html_table(html, f"表3 {AREA}").set_index("乡镇街道")
    assert town.loc["care_centers", "value"] == area.loc[TOWN, "中心数"]
    assert area.loc["合计", "中心数"] == dist.loc["care_centers", "value"] == area.drop("合计")["中心数"].sum()
    meal = html_table(html, f"表5 {MEAL}").set_index("乡镇街道")
    assert town.loc["meal_service_coverage", "value"] == pytest.approx(meal.loc[TOWN, "覆盖率（%）"], abs=0.05)
    assert meal.loc["合计", "已开通助餐"] == meal.drop("合计")["已开通助餐"].sum()
    carers = html_table(html, f"表13 {CARERS}").set_index("乡镇街道")
    assert carers.loc["合计", "在岗护理员"] == carers.drop("合计")["在岗护理员"].sum()
    for i in ("care_center_service_times", "certified_carers_new", "centers_upgrade_planned"):
        assert 0 <= town.loc[i, "value"] < dist.loc[i, "value"], i


def test_every_run_renders_without_code_and_with_its_sections(runs):
    for name, (nb, rec, html) in runs.items():
        assert "run_params" not in html and "import civmon" not in html and "ec." not in html, name
        for h in ("主要指标", "设施达标", "助餐覆盖", "安全检查", "提升改造效果", "人员", "主要发现", "数据质量"):
            assert h in html, (name, h)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors, name


def test_district_shows_the_event_study_beside_the_naive_estimate(runs):
    html = runs["district"][2]
    est = html_table(html, f"表9 {EFFECTS}")
    assert est["估计方法"].tolist() == ["事件研究", "朴素双向固定效应"] * 2
    services = est[est["结果指标"].str.startswith("月度服务人次")].set_index("估计方法")["效应"]
    assert services["朴素双向固定效应"] < services["事件研究"]
    assert "朴素双向固定效应估计的月度服务人次效应为" in html and "比事件研究低" in html
    assert html.count("<img") == 8  # area scatter, meal coverage, two event-study charts, four funnel plots
    assert f"表3 {AREA}" in html and f"表13 {CARERS}" in html
    assert "提升改造效果的稳健性：月度服务人次" in html and "估计方法的假设及本次检验" in html


def test_township_omits_area_tables_and_explains_the_missing_event_study(runs):
    html = runs["town"][2]
    for caption in (AREA, MEAL, CARERS, EFFECTS):
        assert f"{caption}</caption>" not in html
    # the tables it shows are numbered without gaps (织里镇: no inspections, meal service everywhere)
    numbers = [int(n) for n in re.findall(r"<caption>表(\d+) ", html)]
    assert numbers == [1, 2, 3, 4]
    assert "表3 面积未达标的照料中心" in html and "表4 养老护理员及持证情况（按所在单位）" in html
    assert "少于5家，不足以可靠估计改造效果" in html
    assert html.count("<img") == 1  # the area scatter


def test_another_period(runs):
    _, rec, html = runs["h2"]
    assert set(rec["period"]) == {"2022H2"}
    # 2022H2 is the district 2023H1 report's previous period
    prev = runs["district"][1]["previous"]
    assert rec["value"].to_dict() == pytest.approx(prev.reindex(rec.index).to_dict())
    assert rec.loc["centers_upgrade_planned", "value"] == 0  # the 2023 plans were all made in 2023H1
    assert "2022年下半年" in html and f"表9 {EFFECTS}" in html
