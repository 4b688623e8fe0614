"""The eldercare evaluation's numbers on small hand-made data with hand-computed answers, the upgrade
evaluation on a noise-free planted panel, and on the sample against its planted truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from civmon.errors import EstimationError
from civmon.evaluation import eldercare as ee
from civmon.evaluation.headline import Headline
from civmon.indicators import eldercare as ie
from civmon.period import Period

from evaluation.eldercare_data import (H1, Y2023, areas, carers, centres, evaluation, frame,  # noqa: F401
                                       inspections, institutions, meals, names, planted_panel)

TOTAL = ee.TOTAL


# --- targets and headline -------------------------------------------------------------------------

def test_targets_params_win_and_townships_keep_rates():
    assert ee.targets({}) == ee.DEFAULT_TARGETS
    t = ee.targets({"meal_service_coverage": 95.0, "dementia_beds_new": 120.0})
    assert t["meal_service_coverage"] == 95.0 and t["dementia_beds_new"] == 120.0 and t["rectification_rate"] == 100.0
    town = ee.targets({"dementia_beds_new": 120.0, "care_center_service_times": 1e5}, is_district=False)
    assert "dementia_beds_new" not in town and "care_center_service_times" not in town
    assert town["meal_service_coverage"] == 90.0
    assert ee.target(None, "carer_certification_rate") == 100.0


def test_target_check_counts_the_judged_headline_figures():
    f = pd.DataFrame([dict(id=i, label_zh=z, status=s) for i, z, s in
                      (("a", "甲", "met"), ("b", "乙", "not_met"), ("c", "丙", "none"), ("d", "丁", "near"))])
    c = ee.target_check(Headline(f))
    assert c.ids == ("a", "b", "d") and c.met == 1 and c.missed == ["乙", "丁"]


def test_headline_of_a_township_judges_rate_targets_only():
    ev = evaluation("甲镇", targets={"care_centers": 1.0})
    hl = ev.headline.frame.set_index("id")
    assert hl.loc["care_centers", "value"] == 2 and pd.isna(hl.loc["care_centers", "target"])
    assert hl.loc["meal_service_coverage", "target"] == 90.0
    assert ev.headline.threshold == 5
    d = evaluation(targets={"care_centers": 1.0}).headline
    assert d.frame.set_index("id").loc["care_centers", "target"] == 1.0 and d.threshold is None


# --- area standard --------------------------------------------------------------------------------

def test_area_by_group_and_township(centres, names):
    t = ee.area_table(centres, H1, 20.0)
    assert list(t["centre_id"]) == ["A", "B", "D", "E"]
    g = ee.area_by_group(t).set_index("group")
    assert g.loc["old_neighbourhood", ["centres", "below", "gap_m2"]].tolist() == [2, 1, 100.0]
    assert g.loc["old_neighbourhood", "below_pct"] == pytest.approx(50.0)
    # old: 500/3000*100 = 16.67 and 250/1000*100 = 25 m2 per 100 households
    assert g.loc["old_neighbourhood", "median_m2_per_100hh"] == pytest.approx((50 / 3 + 25) / 2)
    assert g.loc["other_urban", ["centres", "below"]].tolist() == [1, 0]
    assert g.loc["rural", ["centres", "below", "gap_m2"]].tolist() == [1, 1, 50.0]
    assert g.loc[TOTAL, ["centres", "below", "gap_m2"]].tolist() == [4, 2, 150.0]
    w = ee.area_by_township(t, names).set_index("township")
    assert w.loc["甲镇"].tolist() == [2, 2000, 1, 0, 50.0]
    assert w.loc["乙街道"].tolist() == [2, 4000, 1, 1, 100.0]
    assert w.loc[TOTAL].tolist() == [4, 6000, 2, 1, 150.0]


def test_area_standard_is_the_parameter(centres):
    # at 30: A needs 300 (met, not below), B 300 (gap 150), D 900 (gap 400), E 300 (gap 50)
    t = ee.area_table(centres, H1, 30.0)
    assert t["below_standard"].sum() == 3 and t["gap_m2"].sum() == pytest.approx(600.0)


def test_below_standard_list_old_neighbourhoods_first(centres, names):
    lst = ee.below_standard_list(ee.area_table(centres, H1, 20.0), names)
    assert lst["centre_name"].tolist() == ["南社区居家养老服务照料中心", "西村居家养老服务照料中心"]
    assert lst["group"].tolist() == ["old_neighbourhood", "rural"]
    assert lst["gap_m2"].tolist() == [100.0, 50.0]
    assert lst["required_m2"].tolist() == [600.0, 200.0]


def test_area_standard_shares(centres, names):
    a = ee.area_standard(centres, H1, 20.0, names)
    assert a.old_gap_share == pytest.approx(200 / 3) and a.other_below_pct == pytest.approx(50.0)
    none = ee.area_standard(centres.iloc[:0], H1, 20.0, names)
    assert none.old_gap_share is None and none.other_below_pct is None
    assert none.by_group.set_index("group").loc[TOTAL, "centres"] == 0


# --- meal service ---------------------------------------------------------------------------------

def test_meal_by_township(meals, names):
    m = ee.meal_by_township(meals, H1, names, 90.0).set_index("township")
    assert m.loc["甲镇", ["places", "covered", "still_needed", "met"]].tolist() == [3, 1, 2, False]
    assert m.loc["甲镇", "coverage_pct"] == pytest.approx(100 / 3)
    assert m.loc["乙街道", ["places", "covered", "still_needed", "met"]].tolist() == [1, 1, 0, True]
    # 90% of 4 is 3.6, so 4 are needed: 2 more
    assert m.loc[TOTAL, ["places", "covered", "still_needed"]].tolist() == [4, 2, 2]
    assert m.loc[TOTAL, "coverage_pct"] == pytest.approx(50.0)
    y = ee.meal_by_township(meals, Y2023, names, 50.0).set_index("township")
    assert y.loc["甲镇", ["covered", "still_needed"]].tolist() == [2, 0]


def test_meal_uncovered_and_summary(meals, names):
    u = ee.meal_uncovered(meals, H1, names)
    assert u.to_dict("records") == [{"township": "甲镇", "uncovered": 2, "places": "北村、西村"}]
    assert ee.meal_uncovered(meals, Y2023, names)["places"].tolist() == ["北村"]
    m = ee.meal_service(meals, H1, names, 90.0)
    assert (m.towns_below, m.still_needed_below, m.uncovered_places) == (1, 2, 2)
    assert m.lowest["township"] == "甲镇" and m.lowest["coverage_pct"] == pytest.approx(100 / 3)
    met = ee.meal_service(meals, Y2023, names, 50.0)
    assert met.towns_below == 0 and met.lowest is None


# --- safety inspections ---------------------------------------------------------------------------

def test_findings_by_type(inspections):
    f = ie.findings_table(inspections, H1)
    b = ee.findings_by_type(f).set_index("type")
    assert list(b.index) == ["fire", "food", "building", TOTAL]
    cols = ["found", "on_time", "late", "open", "overdue"]
    assert b.loc["fire", cols].tolist() == [2, 1, 0, 1, 0]
    assert b.loc["food", cols].tolist() == [1, 0, 1, 0, 0]
    assert b.loc["building", cols].tolist() == [1, 0, 0, 1, 1]
    assert b.loc[TOTAL, cols].tolist() == [4, 1, 1, 2, 1]
    assert b["closed_loop_pct"].tolist() == pytest.approx([50.0, 0.0, 0.0, 25.0])


def test_open_findings_most_overdue_first(inspections, institutions, names):
    o = ee.open_findings(ie.findings_table(inspections, H1), institutions, names)
    assert o["institution"].tolist() == ["X养老院", "Z养老院"]
    assert o["type"].tolist() == ["building", "fire"] and o["days_overdue"].tolist() == [15, 0]
    assert o["township"].tolist() == ["甲镇", "乙街道"]


def test_safety_result(inspections, institutions, names):
    s = ee.safety(inspections, institutions, H1, names)
    assert (s.inspected, s.institutions, s.max_days_overdue) == (3, 4, 15)
    assert s.coverage_pct == pytest.approx(75.0)
    none = ee.safety(inspections, institutions, Period.parse("2022H2"), names)
    assert none.inspected == 0 and none.findings.empty and none.max_days_overdue is None


# --- carers ---------------------------------------------------------------------------------------

def test_carers_by_employer_and_township(carers, institutions, names):
    c = ee.carers_frame(carers, H1, institutions)
    e = ee.carers_by_employer(c, carers, H1, institutions).set_index("employer")
    cols = ["employed", "certified", "newly_certified"]
    assert e.loc["institution", cols].tolist() == [2, 2, 2]  # 乙, and 丁 who left before the period end
    assert e.loc["centre", cols].tolist() == [1, 0, 0]
    assert e.loc[TOTAL, cols].tolist() == [3, 2, 2]
    assert e["certified_pct"].tolist() == pytest.approx([100.0, 0.0, 200 / 3])
    t = ee.carers_by_township(c, names).set_index("township")
    assert t.loc["甲镇", ["certified", "uncertified", "employed"]].tolist() == [2, 0, 2]
    assert t.loc["乙街道", ["certified", "uncertified", "employed"]].tolist() == [0, 1, 1]
    assert t.loc[TOTAL, ["certified", "uncertified", "employed"]].tolist() == [2, 1, 3]
    r = ee.carer_certification(carers, institutions, H1, names, 100.0)
    assert r.gap == ("centre", "institution") and r.target == 100.0


# --- upgrade effects ------------------------------------------------------------------------------

def test_estimate_effects_recovers_planted_effects_exactly_without_noise():
    p, truth = planted_panel(noise=1e-6)
    eff = ee.estimate_effects(p)
    assert eff.estimated
    assert eff.window == (-6, 17) and eff.treated_centres == 12 and eff.control_centres == 20 and eff.cohorts == 2
    es = eff.event["service_person_times"]
    assert es.att.estimate == pytest.approx(truth["att"], abs=1e-4)
    post = es.by_event_time.set_index("event_time").loc[0:, "estimate"]
    assert post.to_numpy() == pytest.approx(truth["by_e"].reindex(post.index).to_numpy(), abs=1e-4)
    pre = es.by_event_time.set_index("event_time").loc[:-1, "estimate"]
    assert np.abs(pre.to_numpy()).max() < 1e-4
    assert eff.event["satisfaction"].att.estimate == pytest.approx(truth["att"] / 100, abs=1e-6)
    # the naive TWFE is pulled below: effects grow with e and the early cohort serves as a control
    naive = eff.naive["service_person_times"].estimate
    assert naive < truth["att"] - 1.0
    f = eff.table
    assert f["method"].tolist() == ["event_study", "naive_twfe"] * 2
    assert f["estimate"].iloc[0] == pytest.approx(truth["att"], abs=1e-4)
    assert (f["ci_low"].iloc[0], f["ci_high"].iloc[0]) == (es.att.ci_low, es.att.ci_high)
    s = eff.summary.set_index("outcome").loc["service_person_times"]
    assert s["significant"] and s["naive"] == naive and s["naive_gap"] == pytest.approx(naive - truth["att"], abs=1e-4)
    assert s["growth"] > 0 and s["naive_bias"] == "growth_absorbed"
    assert "完工后第17个月" in eff.method_note and "完工前第6至第2个月" in eff.method_note
    assert len(eff.method_note.splitlines()) == 2


def test_too_few_upgraded_centres_are_recorded_not_raised():
    p, _ = planted_panel(sizes=(2, 2))
    with pytest.raises(EstimationError):
        ee.estimate_effects(p)
    with pytest.raises(ee.TooFewUpgraded) as info:
        ee.estimate_effects(p)
    assert (info.value.n, info.value.needed) == (4, 5)
    assert issubclass(ee.TooFewUpgraded, EstimationError)


def test_upgrade_effects_records_why_there_is_no_estimate():
    ev = evaluation("甲镇")
    eff = ev.effects
    assert not eff.estimated and (eff.reason, eff.n, eff.needed) == ("too_few_upgraded", 0, 5)
    assert eff.method_note == "" and eff.event == {}


def test_too_few_clusters_from_the_estimator_are_recorded_with_its_message(monkeypatch):
    p, _ = planted_panel(n_never=2, sizes=(3, 3), noise=1.0)  # 8 centres < 10 clusters
    with pytest.raises(EstimationError) as info:
        ee.estimate_effects(p)
    assert not isinstance(info.value, ee.TooFewUpgraded)
    monkeypatch.setattr(ee, "effect_panel", lambda data, period: p)
    eff = ee.upgrade_effects({}, H1)
    assert eff.reason == "not_estimable" and eff.detail == str(info.value)


@pytest.mark.parametrize("att,naive,growth,bias", [
    (10.0, 7.0, 2.0, "growth_absorbed"),
    (10.0, 12.0, -2.0, "decline_absorbed"),
    (10.0, 12.0, 2.0, "weighting"),
    (10.0, 7.0, None, "weighting"),
])
def test_naive_bias(att, naive, growth, bias):
    assert ee.naive_bias(att, naive, growth) == bias


def test_effect_panel_cuts_at_the_period_end_and_dates_completion():
    centres = frame("care_centres", [dict(centre_id=c, township_code="T1", floor_area_m2=100.0, households_served=100,
                                          opened_date="2019-01-01", old_neighbourhood=False) for c in "PQ"])
    upgrades = frame("centre_upgrades", [dict(centre_id="P", township_code="T1", planned_date="2022-01-01",
                                              completed_date="2023-03-17", budget=1.0),
                                         dict(centre_id="Q", township_code="T1", planned_date="2023-01-01", budget=1.0)])
    months = pd.date_range("2023-01-01", "2023-09-01", freq="MS")
    services = frame("centre_services", [dict(centre_id=c, township_code="T1", month=m, service_person_times=10,
                                              meal_users=1) for c in "PQ" for m in months])
    survey = frame("satisfaction_survey", [
        dict(response_id="R1", centre_id="P", township_code="T1", date="2023-04-02", score=5),
        dict(response_id="R2", centre_id="P", township_code="T1", date="2023-04-20", score=4)])
    p = ee.effect_panel(dict(care_centres=centres, centre_upgrades=upgrades, centre_services=services,
                             satisfaction_survey=survey), H1)
    assert p["month"].max() == pd.Timestamp("2023-06-01") and len(p) == 12
    P = p[p["centre_id"] == "P"].set_index("month")
    assert P["event_time"].tolist() == [-2, -1, 0, 1, 2, 3] and P["treated"].tolist() == [0, 0, 1, 1, 1, 1]
    assert P.loc["2023-04-01", "satisfaction"] == 4.5 and np.isnan(P.loc["2023-05-01", "satisfaction"])
    assert p.loc[p["centre_id"] == "Q", "treated"].eq(0).all()


# --- the whole evaluation -------------------------------------------------------------------------

def test_evaluate_district_and_township():
    d = evaluation()
    assert d.inputs.is_district and d.area.by_township["township"].tolist() == ["乙街道", "甲镇", TOTAL]
    assert d.meals.target == 90.0 and d.carers.target == 100.0 and d.safety.inspected == 3
    t = evaluation("乙街道")
    assert not t.inputs.is_district and t.area.by_group.set_index("group").loc[TOTAL, "centres"] == 2
    assert t.meals.by_township["township"].tolist() == ["乙街道", TOTAL]
    assert t.carers.by_employer.set_index("employer").loc[TOTAL, "employed"] == 1


# --- the sample: the event study against the planted truth ----------------------------------------

@pytest.fixture(scope="module")
def sample():
    from civmon import data as cdata
    from civmon.data.loader import resolve_key
    from civmon.sample import sample_dir

    folder = sample_dir()
    res = cdata.load(folder, key=resolve_key(folder),
                     datasets=["care_centres", "centre_upgrades", "centre_services", "satisfaction_survey"])
    res.raise_for_errors()
    return res.data, json.loads((folder / "truth.json").read_text())["eldercare"]["upgrade_effects"]


@pytest.mark.parametrize("period", ["2023H1", "2023"])
@pytest.mark.parametrize("outcome,key", [("service_person_times", "service_person_times"),
                                         ("satisfaction", "satisfaction_score")])
def test_event_study_recovers_the_planted_effects(sample, period, outcome, key):
    data, truth = sample
    per = Period.parse(period)
    p = ee.effect_panel(data, per)
    eff = ee.estimate_effects(p, outcomes=(outcome,))
    es, naive = eff.event[outcome], eff.naive[outcome]
    # the planted effect of every treated centre-month of this panel, from truth.json's cohort tables
    cohorts = truth["outcomes"][key]["cohorts"]
    tr = p[p["treated"] == 1]
    tau = np.array([cohorts[f"{g:%Y-%m}"]["effects"][str(int(e))] for g, e in zip(tr["first_treated"], tr["event_time"])])
    att = tau.mean()
    if per.end_ts >= pd.Timestamp("2023-12-31"):  # the whole sample: truth.json's own aggregate
        assert att == pytest.approx(truth["outcomes"][key]["att"][f"0-{eff.window[1]}"])
    assert es.att.ci_low < att < es.att.ci_high
    by_e = pd.Series(tau).groupby(tr["event_time"].to_numpy()).mean()
    b = es.by_event_time.set_index("event_time")
    post = b.loc[0:]
    inside = (post["ci_low"] < by_e.reindex(post.index)) & (by_e.reindex(post.index) < post["ci_high"])
    assert inside.all(), list(post.index[~inside])
    leads = b.loc[:-2]
    assert ((leads["ci_low"] < 0) & (0 < leads["ci_high"])).all()  # flat pre-trends planted
    assert es.pretrend.pvalue > 0.05
    # the naive TWFE is biased: below the planted ATT, for services by more than its own CI allows
    assert naive.estimate < att
    if outcome == "service_person_times":
        assert naive.ci_high < att
    assert eff.table["outcome"].unique().tolist() == [outcome] and eff.summary["outcome"].tolist() == [outcome]


# --- robustness of the upgrade effects and the assumptions log --------------------------------------

def test_robustness_rows_recover_each_designs_planted_effect_without_noise():
    """Sun-Abraham and the imputation estimator average the same treated centre-months (the planted
    ATT); without the earliest cohort the ATT is the later cohort's. The pre-trend test, the cluster
    count and the naive TWFE's homogeneity check go into the assumptions."""
    p, truth = planted_panel(noise=1e-6, n_never=30)
    eff = ee.estimate_effects(p)
    r = eff.robustness["service_person_times"]
    assert r.table["design"].tolist() == ["sun_abraham", "did2s", "drop_earliest_cohort"]
    assert r.table["kind"].tolist() == ["main", "alternative", "alternative"]
    later = p[(p["treated"] == 1) & (p["first_treated"] == pd.Timestamp("2022-01-01"))]["tau"].mean()
    assert r.table["estimate"].tolist() == pytest.approx([truth["att"], truth["att"], later], abs=1e-4)
    assert r.table["n"].tolist() == [int(p["treated"].sum())] * 2 + [len(later_rows := p[(p["treated"] == 1) & (
        p["first_treated"] == pd.Timestamp("2022-01-01"))])] and len(later_rows) == 72
    assert r.rows[2].detail == "2021-07" and r.skipped == {} and r.quantity == "service_person_times.att"
    assert r.verdict == "holds" and "两阶段插补估计" in r.method_note
    assert eff.robustness["satisfaction"].table["estimate"].iloc[1] == pytest.approx(truth["att"] / 100, abs=1e-6)
    log = {(a.method, a.assumption[:4]): a for a in eff.assumptions}
    pt = log[("事件研究（Sun-Abraham）：月度服务人次", "平行趋势")]
    es = eff.event["service_person_times"]
    assert (pt.statistic, pt.pvalue, pt.holds) == (es.pretrend.stat, es.pretrend.pvalue, es.pretrend.pvalue >= 0.05)
    assert "完工前第6至第2期" in pt.check
    g = log[("事件研究（Sun-Abraham）：月度服务人次", "聚类数足")]
    assert (g.statistic, g.holds) == (42.0, True)
    assert log[("事件研究（Sun-Abraham）：月度服务人次", "无溢出（")].holds is None
    naive = log[("朴素双向固定效应：月度服务人次", "处理效应")]
    assert naive.holds is False and naive.statistic == eff.naive["service_person_times"].estimate
    assert ("两阶段插补估计（Gardner/BJS）：月均满意度评分", "平行趋势") in log
    assert len(eff.assumptions) == 2 * 6


def test_a_design_that_cannot_run_is_skipped_with_its_reason():
    """12 centres: without the earliest cohort's 6 only 6 clusters remain, too few for clustered errors."""
    p, _ = planted_panel(noise=0.5, n_never=4, sizes=(6, 2))
    eff = ee.estimate_effects(p, outcomes=("service_person_times",))
    r = eff.robustness["service_person_times"]
    assert r.table["design"].tolist() == ["sun_abraham", "did2s"]
    assert list(r.skipped) == ["drop_earliest_cohort"]


@pytest.mark.parametrize("period", ["2023H1", "2023"])
def test_robustness_rows_cover_the_planted_effects_on_the_sample(sample, period):
    """Each design's 95% interval covers the planted effect of the centre-months it averages (all
    treated centre-months; without the earliest cohort those of the other cohorts)."""
    data, truth = sample
    p = ee.effect_panel(data, Period.parse(period))
    eff = ee.estimate_effects(p)
    tr = p[p["treated"] == 1]
    earliest = tr["first_treated"].min()
    for outcome, key in (("service_person_times", "service_person_times"), ("satisfaction", "satisfaction_score")):
        cohorts = truth["outcomes"][key]["cohorts"]
        tau = pd.Series([cohorts[f"{g:%Y-%m}"]["effects"][str(int(e))]
                         for g, e in zip(tr["first_treated"], tr["event_time"])], index=tr.index)
        planted = {"sun_abraham": tau.mean(), "did2s": tau.mean(), "drop_earliest_cohort": tau[tr["first_treated"] != earliest].mean()}
        r = eff.robustness[outcome]
        assert [c.design for c in r.rows] == list(planted) and not r.skipped
        for c in r.rows:
            assert c.ci_low < planted[c.design] < c.ci_high, (outcome, c.design)
