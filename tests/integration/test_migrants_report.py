"""The migrant post-support report executed for real: the district 2023H1, one township and another
period (HTML; the default-run test exports every report's PDF); recorded figures against the summary
and the sample's truth."""

import json

import pandas as pd
import pytest

from civmon.params import parse_params
from civmon.run.execute import execute_job
from civmon.run.jobs import plan_jobs
from civmon.sample import sample_dir

from .conftest import REFERENCE, html_table

pytestmark = pytest.mark.xdist_group("migrants")

RUNS = [("district", "2023H1"), ("织里镇", "2023H1"), ("district", "2022H2")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each run's JobResult and output folder."""
    run_dir = tmp_path_factory.mktemp("migrants-run")
    params = parse_params({"programmes": ["migrants"], "overview": False})
    out = {}
    for scope, period in RUNS:
        [job] = plan_jobs(params, [scope], [period])
        res = execute_job(job, run_dir, ("html",))
        assert res.status == "ok", res.error
        out[(scope, period)] = (res, run_dir / res.rel_dir)
    return out


def values(res) -> dict[str, float]:
    return {r["indicator_id"]: r["value"] for r in res.indicators}


@pytest.fixture(scope="module")
def truth():
    return json.loads((sample_dir() / "truth.json").read_text(encoding="utf-8"))["migrants"]


def test_headline_equals_the_summary(runs):
    if not REFERENCE.exists():
        pytest.skip(f"reference file {REFERENCE} not present")
    ref = pd.read_csv(REFERENCE)
    ref = ref[ref["domain"] == "migrants"]
    res, _ = runs[("district", "2023H1")]
    got = values(res)
    headline = {r["indicator_id"] for r in res.indicators if r.get("headline")}
    assert len(ref) == 5
    for row in ref.itertuples():
        assert row.indicator_id in headline
        if row.bound == "exact":
            assert got[row.indicator_id] == pytest.approx(row.value, abs=1e-9), row.indicator_id
        else:
            assert got[row.indicator_id] >= row.value, row.indicator_id


def test_reconciliation_finds_the_planted_anomalies(runs, truth):
    got = values(runs[("district", "2023H1")][0])
    a = truth["subsidy"]["2023"]["anomalies"]
    assert (got["eligible_unpaid"], got["eligible_unpaid_amount"]) == (a["eligible_unpaid"]["count"],
                                                                        a["eligible_unpaid"]["amount"])
    assert (got["duplicate_payments"], got["duplicate_payment_amount"]) == (a["duplicate"]["count"],
                                                                             a["duplicate"]["amount"])
    assert (got["paid_after_removal"], got["paid_after_removal_amount"]) == (a["paid_after_removal"]["count"],
                                                                              a["paid_after_removal"]["amount"])
    assert (got["wrong_amount_payments"], got["wrong_amount_discrepancy"]) == (a["wrong_amount"]["count"],
                                                                                a["wrong_amount"]["amount"])
    assert got["subsidy_entitled_persons"] == truth["subsidy"]["2023"]["entitled_persons"]
    # and the previous period's subsidy year, 2022
    got22 = values(runs[("district", "2022H2")][0])
    a22 = truth["subsidy"]["2022"]["anomalies"]
    assert got22["eligible_unpaid"] == a22["eligible_unpaid"]["count"]
    assert got22["direct_subsidy_funds"] == pytest.approx(truth["subsidy"]["2022"]["amount_paid"] / 1e4)


def _html_table(res, folder, caption: str) -> pd.DataFrame:
    return html_table((folder / res.outputs["html"]).read_text(encoding="utf-8"), caption)


def test_township_is_part_of_the_district(runs):
    district = values(runs[("district", "2023H1")][0])
    town = values(runs[("织里镇", "2023H1")][0])
    for i in ("registered_migrants", "direct_subsidy_persons", "projects_planned"):
        assert 0 < town[i] < district[i], i
    assert town["eligible_unpaid"] <= district["eligible_unpaid"]
    assert {r["scope"] for r in runs[("织里镇", "2023H1")][0].indicators} == {"330502009"}
    # the district's by-township rows are the township report's own figures, and add up to the district
    district_report = runs[("district", "2023H1")]
    paid = _html_table(*district_report, "表7 直补资金按时发放情况（分区域）").set_index("乡镇街道")["获发人数"].astype(int)
    assert paid["织里镇"] == town["direct_subsidy_persons"]
    assert paid.drop("合计").sum() == paid["合计"] == district["direct_subsidy_persons"]
    ent = _html_table(*district_report, "表4 应发对象发放情况（分区域）").set_index("乡镇街道")["应发人数"].astype(int)
    assert ent.drop("合计").sum() == district["subsidy_entitled_persons"]
    assert ent["织里镇"] == town["subsidy_entitled_persons"]


def test_html_is_a_report_without_code_or_nan(runs):
    for (scope, period), (res, folder) in runs.items():
        html = (folder / res.outputs["html"]).read_text(encoding="utf-8")
        for bad in ("run_params", "import civmon", "rm.", ">nan<", ">NaN<", "Traceback"):
            assert bad not in html, (scope, period, bad)
        for heading in ("直补资金核对", "人口动态管理", "后扶项目", "收入与成效", "绩效评价", "主要发现", "附录一 数据质量"):
            assert heading in html, (scope, period, heading)
        assert "Sun-Abraham" in html and "等级：" in html
    town_html = (runs[("织里镇", "2023H1")][1] / runs[("织里镇", "2023H1")][0].outputs["html"]).read_text()
    assert "＊" in town_html and "全区样本" in town_html  # suppressed cells; DiD on the district's villages
    # the township report leaves out the district's problem-village table: 表6 is the next table
    assert "存在问题的村（社区）</caption>" not in town_html and "表6 直补资金按时发放情况（分区域）" in town_html


def test_the_reported_income_effect_covers_the_planted_one(runs, truth):
    t = _html_table(*runs[("district", "2023H1")], "表14 后扶项目对移民人均收入的影响").set_index("估计方法")
    lo, hi = (float(x) for x in t.loc["事件研究（Sun-Abraham）", "95%置信区间"].split("至"))
    assert lo <= truth["income_did"]["att_overall"] <= hi
    assert t.loc["事件研究（Sun-Abraham）", "村数"] == 48
