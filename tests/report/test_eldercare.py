"""The eldercare report's functions on small hand-made data with hand-computed answers, the upgrade
evaluation on a noise-free planted panel, and on the sample against its planted truth."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from civmon.data.pseudonymise import SAMPLE_KEY, pseudonymise
from civmon.data.spec import DATASETS
from civmon.period import Period
from civmon.report import eldercare as ec
from civmon.report.headline import Headline
from civmon.report.tables import Table, Text
from civmon.sample.base import canonical
from civmon.stats import EstimationError

H1 = Period.parse("2023H1")
Y2023 = Period.parse("2023")


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical, pseudonymised frame of a dataset from rows (missing columns empty)."""
    cols = DATASETS[name].column_names
    raw = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    return pseudonymise(canonical(raw, name), DATASETS[name], SAMPLE_KEY)


@pytest.fixture
def areas():
    return frame("areas", [
        dict(area_code="T1", area_name="甲镇", level="township", urban_rural="rural"),
        dict(area_code="T2", area_name="乙街道", level="township", urban_rural="urban"),
        dict(area_code="V1", area_name="东村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="V2", area_name="西村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="V3", area_name="北村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="C1", area_name="南社区", level="community", parent_code="T2", urban_rural="urban"),
    ])


@pytest.fixture
def names(areas):
    return ec.township_names(areas)


@pytest.fixture
def centres():
    # at 20 m2 per 100 households: A needs 200 has 300; B needs 200 has 150 (gap 50);
    # D (old) needs 600 has 500 (gap 100); E (old) needs 200 has 250; C opens after H1
    return frame("care_centres", [
        dict(centre_id="A", centre_name="东村居家养老服务照料中心", township_code="T1", urban_rural="urban",
             old_neighbourhood=False, floor_area_m2=300.0, households_served=1000, opened_date="2020-01-01"),
        dict(centre_id="B", centre_name="西村居家养老服务照料中心", township_code="T1", urban_rural="rural",
             old_neighbourhood=False, floor_area_m2=150.0, households_served=1000, opened_date="2023-03-01"),
        dict(centre_id="C", centre_name="北村居家养老服务照料中心", township_code="T1", urban_rural="rural",
             old_neighbourhood=False, floor_area_m2=100.0, households_served=2000, opened_date="2023-07-01"),
        dict(centre_id="D", centre_name="南社区居家养老服务照料中心", township_code="T2", urban_rural="urban",
             old_neighbourhood=True, floor_area_m2=500.0, households_served=3000, opened_date="2019-05-05"),
        dict(centre_id="E", centre_name="南社区居家养老服务照料中心2号点", township_code="T2", urban_rural="urban",
             old_neighbourhood=True, floor_area_m2=250.0, households_served=1000, opened_date="2018-05-05"),
    ])


# --- targets and headline -------------------------------------------------------------------------

def test_targets_params_win_and_townships_keep_rates():
    assert ec.targets({}) == ec.DEFAULT_TARGETS
    t = ec.targets({"meal_service_coverage": 95.0, "dementia_beds_new": 120.0})
    assert t["meal_service_coverage"] == 95.0 and t["dementia_beds_new"] == 120.0 and t["rectification_rate"] == 100.0
    town = ec.targets({"dementia_beds_new": 120.0, "care_center_service_times": 1e5}, is_district=False)
    assert "dementia_beds_new" not in town and "care_center_service_times" not in town
    assert town["meal_service_coverage"] == 90.0
    assert ec.target(None, "carer_certification_rate") == 100.0


def test_headline_table_prints_whole_numbers_without_decimals():
    hl = Headline(pd.DataFrame([dict(id=i, label_zh="甲", label_en="", programme="eldercare", unit="家", value=v,
                                     previous=25.0, year_earlier=92.459, yoy_pct=None, target=None, status="none",
                                     formula="", headline=True) for i, v in (("x", 0.0), ("y", 84.26))]))
    html = ec.headline_table(hl).to_html()
    assert ">0<" in html and ">25<" in html and ">92.46<" in html and ">84.26<" in html and "0.00" not in html


# --- area standard --------------------------------------------------------------------------------

def test_area_by_group_and_township(centres, names):
    t = ec.area_table(centres, H1, 20.0)
    assert list(t["centre_id"]) == ["A", "B", "D", "E"]
    g = ec.area_by_group(t).set_index("中心类别")
    assert g.loc["城镇老旧小区", ["中心数", "未达标中心数", "面积缺口（平方米）"]].tolist() == [2, 1, 100.0]
    assert g.loc["城镇老旧小区", "未达标比例（%）"] == pytest.approx(50.0)
    # old: 500/3000*100 = 16.67 and 250/1000*100 = 25 m2 per 100 households
    assert g.loc["城镇老旧小区", "每百户面积中位数（平方米）"] == pytest.approx((50 / 3 + 25) / 2)
    assert g.loc["其他城镇", ["中心数", "未达标中心数"]].tolist() == [1, 0]
    assert g.loc["农村", ["中心数", "未达标中心数", "面积缺口（平方米）"]].tolist() == [1, 1, 50.0]
    assert g.loc["合计", ["中心数", "未达标中心数", "面积缺口（平方米）"]].tolist() == [4, 2, 150.0]
    w = ec.area_by_township(t, names).set_index("乡镇街道")
    assert w.loc["甲镇"].tolist() == [2, 2000, 1, 0, 50.0]
    assert w.loc["乙街道"].tolist() == [2, 4000, 1, 1, 100.0]
    assert w.loc["合计"].tolist() == [4, 6000, 2, 1, 150.0]


def test_area_standard_is_the_parameter(centres):
    # at 30: A needs 300 (met, not below), B 300 (gap 150), D 900 (gap 400), E 300 (gap 50)
    t = ec.area_table(centres, H1, 30.0)
    assert t["below_standard"].sum() == 3 and t["gap_m2"].sum() == pytest.approx(600.0)


def test_below_standard_list_old_neighbourhoods_first(centres, names):
    lst = ec.below_standard_list(ec.area_table(centres, H1, 20.0), names)
    assert lst["中心"].tolist() == ["南社区", "西村"]
    assert lst["缺口（平方米）"].tolist() == [100.0, 50.0]
    assert lst["按标准应有面积（平方米）"].tolist() == [600.0, 200.0]


def test_area_sentences(centres):
    s = ec.area_sentences(ec.area_table(centres, H1, 20.0), 20.0)
    assert s[0] == "按每百户20平方米的面积标准，期末已建成的4家照料中心中，2家面积未达标（占50.0%），合计缺口150平方米。"
    assert "城镇老旧小区中心2家，其中1家未达标（50.0%），缺口100平方米，占全部缺口的66.7%" in s[1]
    assert "其他中心未达标比例为50.0%" in s[1]
    assert ec.area_sentences(ec.area_table(centres.iloc[:0], H1, 20.0), 20.0) == ["期末本范围内无已建成的照料中心。"]


def test_area_chart_builds(centres):
    chart = ec.area_chart(ec.area_table(centres, H1, 20.0), 20.0, "图1", "来源")
    assert chart.caption == "图1" and len(chart.png()) > 1000


# --- meal service ---------------------------------------------------------------------------------

@pytest.fixture
def meals():
    return frame("meal_coverage", [
        dict(village_code="V1", township_code="T1", meal_service_since="2020-01-01"),
        dict(village_code="V2", township_code="T1", meal_service_since="2023-07-10"),
        dict(village_code="V3", township_code="T1"),
        dict(village_code="C1", township_code="T2", meal_service_since="2023-06-30"),
    ])


def test_meal_by_township(meals, names):
    m = ec.meal_by_township(meals, H1, names, 90.0).set_index("乡镇街道")
    assert m.loc["甲镇", ["村社区数", "已开通助餐", "达标尚需开通", "状态"]].tolist() == [3, 1, 2, "未达标"]
    assert m.loc["甲镇", "覆盖率（%）"] == pytest.approx(100 / 3)
    assert m.loc["乙街道", ["村社区数", "已开通助餐", "达标尚需开通", "状态"]].tolist() == [1, 1, 0, "达标"]
    # 90% of 4 is 3.6, so 4 are needed: 2 more
    assert m.loc["合计", ["村社区数", "已开通助餐", "达标尚需开通"]].tolist() == [4, 2, 2]
    assert m.loc["合计", "覆盖率（%）"] == pytest.approx(50.0)
    y = ec.meal_by_township(meals, Y2023, names, 50.0).set_index("乡镇街道")
    assert y.loc["甲镇", ["已开通助餐", "达标尚需开通"]].tolist() == [2, 0]


def test_meal_uncovered_and_sentences(meals, areas, names):
    u = ec.meal_uncovered(meals, H1, areas)
    assert u.to_dict("records") == [{"乡镇街道": "甲镇", "未开通数": 2, "村（社区）": "北村、西村"}]
    assert ec.meal_uncovered(meals, Y2023, areas)["村（社区）"].tolist() == ["北村"]
    s = ec.meal_sentences(ec.meal_by_township(meals, H1, names, 90.0), u, 90.0, True)
    assert s[0] == "期末4个村（社区）中2个已开通老年助餐服务，覆盖率50.0%，未达到90%的目标。"
    assert s[1] == "1个乡镇街道覆盖率低于目标，最低为甲镇（33.3%），各自达标合计尚需开通2个村（社区）。"
    assert s[2].startswith("尚未开通的2个村（社区）分布在1个乡镇街道")
    assert isinstance(ec.uncovered_table(u.iloc[:0], "表"), Text)


# --- safety inspections ---------------------------------------------------------------------------

@pytest.fixture
def inspections():
    return frame("safety_inspections", [
        dict(inspection_id="I1", institution_id="X", township_code="T1", inspection_date="2023-02-01", finding_id="F1",
             finding_type="fire", deadline="2023-03-01", rectified_date="2023-02-20"),
        dict(inspection_id="I1", institution_id="X", township_code="T1", inspection_date="2023-02-01", finding_id="F2",
             finding_type="food", deadline="2023-03-01", rectified_date="2023-04-10"),
        dict(inspection_id="I2", institution_id="Y", township_code="T2", inspection_date="2023-05-01"),
        dict(inspection_id="I3", institution_id="X", township_code="T1", inspection_date="2023-05-16", finding_id="F3",
             finding_type="building", deadline="2023-06-15"),
        dict(inspection_id="I4", institution_id="Z", township_code="T2", inspection_date="2023-06-20", finding_id="F4",
             finding_type="fire", deadline="2023-07-20"),
    ])


@pytest.fixture
def institutions():
    return frame("institutions", [
        dict(institution_id=i, institution_name=f"{i}养老院", township_code=t, beds=50, occupied_beds=30)
        for i, t in (("X", "T1"), ("Y", "T2"), ("Z", "T2"), ("W", "T1"))])


def test_findings_by_type(inspections):
    f = ec.findings_table(inspections, H1)
    b = ec.findings_by_type(f).set_index("问题类型")
    assert list(b.index) == ["消防", "食品", "建筑", "合计"]
    cols = ["发现问题", "按期整改", "逾期整改", "未整改", "其中已过期限"]
    assert b.loc["消防", cols].tolist() == [2, 1, 0, 1, 0]
    assert b.loc["食品", cols].tolist() == [1, 0, 1, 0, 0]
    assert b.loc["建筑", cols].tolist() == [1, 0, 0, 1, 1]
    assert b.loc["合计", cols].tolist() == [4, 1, 1, 2, 1]
    assert b["闭环整改率（%）"].tolist() == pytest.approx([50.0, 0.0, 0.0, 25.0])


def test_open_findings_most_overdue_first(inspections, institutions, names):
    f = ec.findings_table(inspections, H1)
    o = ec.open_findings(f, institutions, names)
    assert o["机构名称"].tolist() == ["X养老院", "Z养老院"]
    assert o["问题类型"].tolist() == ["建筑", "消防"] and o["期末逾期天数"].tolist() == [15, 0]
    assert o["乡镇街道"].tolist() == ["甲镇", "乙街道"]
    assert isinstance(ec.open_findings_table(f, institutions, names, "表"), Table)
    closed = ec.findings_table(inspections[inspections["finding_id"].isin(["F1"])], H1)
    assert ec.open_findings_table(closed, institutions, names, "表").paragraphs == ["本期检查发现的问题截至期末均已整改。"]
    assert ec.open_findings_table(closed.iloc[:0], institutions, names, "表").paragraphs == []
    assert isinstance(ec.findings_by_type_table(f, "表"), Table)
    assert ec.findings_by_type_table(f.iloc[:0], "表").paragraphs == []


def test_safety_sentences(inspections, institutions):
    f = ec.findings_table(inspections, H1)
    s = ec.safety_sentences(f, inspections, institutions, H1)
    assert s == ["本期对3家养老机构开展安全检查（占4家机构的75.0%），发现问题4项。",
                 "按期整改1项，闭环整改率25.0%；逾期整改1项；期末尚未整改2项。",
                 "未整改问题中1项已超过整改期限，最长逾期15天。"]
    none = Period.parse("2022H2")
    assert ec.safety_sentences(ec.findings_table(inspections, none), inspections, institutions, none) == \
        ["本期未开展养老机构安全检查。"]


# --- carers ---------------------------------------------------------------------------------------

@pytest.fixture
def carers():
    return frame("carers", [
        dict(id_number="330502199001011234", name="甲", township_code="T1", employer_id="X", hired_date="2020-01-01",
             certified_date="2021-01-01"),
        dict(id_number="330502199001021234", name="乙", township_code="T1", employer_id="X", hired_date="2022-05-01",
             certified_date="2023-03-01"),
        dict(id_number="330502199001031234", name="丙", township_code="T2", employer_id="A", hired_date="2023-02-01"),
        dict(id_number="330502199001041234", name="丁", township_code="T1", employer_id="Y", hired_date="2019-01-01",
             certified_date="2023-05-01", left_date="2023-06-01"),
        dict(id_number="330502199001051234", name="戊", township_code="T2", employer_id="Y", hired_date="2023-08-01"),
    ])


def test_carers_by_employer_and_township(carers, institutions, names):
    c = ec.carers_frame(carers, H1, institutions)
    e = ec.carers_by_employer(c, carers, H1, institutions).set_index("所在单位")
    cols = ["在岗护理员（人）", "已持证（人）", "本期新增持证（人）"]
    assert e.loc["养老机构", cols].tolist() == [2, 2, 2]  # 乙, and 丁 who left before the period end
    assert e.loc["照料中心", cols].tolist() == [1, 0, 0]
    assert e.loc["合计", cols].tolist() == [3, 2, 2]
    assert e["持证率（%）"].tolist() == pytest.approx([100.0, 0.0, 200 / 3])
    t = ec.carers_by_township(c, names).set_index("乡镇街道")
    assert t.loc["甲镇", ["已持证", "未持证", "在岗护理员"]].tolist() == [2, 0, 2]
    assert t.loc["乙街道", ["已持证", "未持证", "在岗护理员"]].tolist() == [0, 1, 1]
    assert t.loc["合计", ["已持证", "未持证", "在岗护理员"]].tolist() == [2, 1, 3]
    s = ec.carer_sentences(ec.carers_by_employer(c, carers, H1, institutions), 100.0)
    assert s == ["期末在岗养老护理员3人，已持证2人，持证率66.7%（目标100%），本期新增持证2人。"
                 "照料中心护理员持证率（0.0%）低于养老机构（100.0%）。"]


# --- upgrade effects ------------------------------------------------------------------------------

def planted_panel(n_never=20, sizes=(6, 6), starts=(6, 12), months=24, noise=0.0, seed=0) -> tuple[pd.DataFrame, dict]:
    """Centre x month panel: y = centre + month effects + tau(cohort, e), tau growing with e and
    larger for the earlier cohort; satisfaction = y / 100. Returns the panel and true effects."""
    rng = np.random.default_rng(seed)
    month = pd.date_range("2021-01-01", periods=months, freq="MS")
    rows = []
    first = [None] * n_never + [s for s, k in zip(starts, sizes) for _ in range(k)]
    for u, g in enumerate(first):
        alpha = 50 + 3 * u
        for t, m in enumerate(month):
            e = None if g is None else t - g
            tau = 0.0 if e is None or e < 0 else (10.0 if g == starts[0] else 4.0) + (1.0 if g == starts[0] else 0.5) * e
            y = alpha + 2 * np.sin(t) + 0.5 * t + tau + noise * rng.normal()
            rows.append(dict(centre_id=f"U{u:02d}", month=m, first_treated=pd.NaT if g is None else month[g],
                             service_person_times=y, satisfaction=y / 100, tau=tau, e=e))
    p = pd.DataFrame(rows)
    e = p["e"].astype(float)
    p["event_time"] = e
    p["treated"] = (e >= 0).astype(int)
    return p, {"att": p.loc[p["treated"] == 1, "tau"].mean(),
               "by_e": p[p["treated"] == 1].groupby("e")["tau"].mean()}


def test_estimate_effects_recovers_planted_effects_exactly_without_noise():
    p, truth = planted_panel(noise=1e-6)
    eff = ec.estimate_effects(p)
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
    f = ec.effects_frame(eff)
    assert f["估计方法"].tolist() == ["事件研究", "朴素双向固定效应"] * 2
    assert f["效应"].iloc[0] == pytest.approx(truth["att"], abs=1e-4)
    assert f["95%置信区间"].iloc[0] == f"{es.att.ci_low:.2f} ～ {es.att.ci_high:.2f}"
    s = ec.effect_sentences(eff)
    assert s[0] == "截至期末共有12家照料中心分2批完成提升改造，以20家从未改造的中心为对照，比较完工前6个月至完工后17个月的变化。"
    assert f"平均提高{truth['att']:.1f}人次" in s[1] and "显著" in s[1]
    assert s[2].startswith(f"朴素双向固定效应估计的月度服务人次效应为{naive:.1f}人次，比事件研究低")
    assert "增长被当作对照的变化扣除" in s[2]
    assert ec.effects_finding(eff)[0].startswith("已完成提升改造的12家照料中心，改造后月度服务人次提高")


def test_too_few_upgraded_centres_give_a_sentence_not_an_error():
    p, _ = planted_panel(sizes=(2, 2))
    with pytest.raises(EstimationError):
        ec.estimate_effects(p)
    with pytest.raises(ec.TooFewUpgraded):
        ec.estimate_effects(p)
    try:
        ec.estimate_effects(p)
    except EstimationError as e:
        text = ec.unavailable_text(e)
    assert text.paragraphs == ["截至期末本范围内完成提升改造的照料中心为4家，少于5家，不足以可靠估计改造效果，本节从略；"
                               "改造效果请参阅全区报告。"]
    assert ec.effects_table(text, "表").paragraphs == [] and ec.effect_sentences(text) == text.paragraphs
    assert ec.event_chart(text, "satisfaction", "图", "来源").paragraphs == [] and ec.effects_finding(text) == []


def test_too_few_clusters_from_the_estimator_also_give_a_sentence():
    p, _ = planted_panel(n_never=2, sizes=(3, 3), noise=1.0)  # 8 centres < 10 clusters
    with pytest.raises(EstimationError) as info:
        ec.estimate_effects(p)
    assert not isinstance(info.value, ec.TooFewUpgraded)
    assert ec.unavailable_text(info.value).paragraphs[0].startswith("本范围内的改造中心和对照中心不足以支持事件研究估计")


@pytest.mark.parametrize("att,naive,growth,words", [
    (10.0, 7.0, 2.0, ["比事件研究低3.0人次", "增长被当作对照的变化扣除"]),
    (10.0, 12.0, -2.0, ["比事件研究高2.0人次", "回落"]),
    (10.0, 12.0, 2.0, ["比事件研究高2.0人次", "按处理方差"]),
])
def test_naive_sentence(att, naive, growth, words):
    s = ec.naive_sentence("月度服务人次", "人次", att, naive, growth)
    assert all(w in s for w in words), s


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
    p = ec.effect_panel(dict(care_centres=centres, centre_upgrades=upgrades, centre_services=services,
                             satisfaction_survey=survey), H1)
    assert p["month"].max() == pd.Timestamp("2023-06-01") and len(p) == 12
    P = p[p["centre_id"] == "P"].set_index("month")
    assert P["event_time"].tolist() == [-2, -1, 0, 1, 2, 3] and P["treated"].tolist() == [0, 0, 1, 1, 1, 1]
    assert P.loc["2023-04-01", "satisfaction"] == 4.5 and np.isnan(P.loc["2023-05-01", "satisfaction"])
    assert p.loc[p["centre_id"] == "Q", "treated"].eq(0).all()


def test_main_findings():
    rows = [("care_centers", 200.0, "家"), ("care_center_service_times", 105125.0, "人次"),
            ("institutions_inspected", 0.0, "家"), ("dementia_beds_new", 100.0, "张"),
            ("certified_carers_new", 149.0, "人"), ("meal_service_coverage", 92.459, "%"),
            ("centers_upgrade_planned", 25.0, "家"), ("upgrades_started", 6.0, "家"), ("upgrades_completed", 0.0, "家")]
    f = pd.DataFrame([dict(id=i, label_zh=i, unit=u, value=v, status="none") for i, v, u in rows])
    f.loc[f["id"] == "meal_service_coverage", "status"] = "met"
    f.loc[f["id"] == "dementia_beds_new", "status"] = "not_met"
    s = ec.main_findings(Headline(f), ["A1", "A2", "A3"], ["M1", "M2"], ["S1", "S2"], ["E1"], ["C1"], "全区", "2023年上半年")
    assert s[0] == ("2023年上半年，全区200家居家养老服务照料中心累计服务老人105,125人次；新建认知障碍照护专区床位100张，"
                    "新增持证护理人员149人；老年助餐村社区覆盖率92.5%；完成25家照料中心提升改造方案设计，开工6家。")
    assert s[1] == "设定目标的2项主要指标中1项达标，dementia_beds_new未达标。"
    assert s[2:] == ["A1", "A2", "M1", "S2", "E1", "C1"]


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
    p = ec.effect_panel(data, per)
    eff = ec.estimate_effects(p, outcomes=(outcome,))
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
