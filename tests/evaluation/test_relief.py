"""The relief evaluation's numbers on small hand-made frames (answers worked out by hand in comments),
on a noise-free planted series, and on the sample against its planted truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import civmon.indicators.relief as ind
from civmon import programmes
from civmon.evaluation import relief as ev
from civmon.period import Period

from evaluation import relief_data as rd
from evaluation.relief_data import H1, H2_22, WHOLE_SAMPLE, cat, planted_roster

Z = 1.959963984540054


@pytest.fixture
def households():
    return rd.households()


@pytest.fixture
def areas():
    return rd.areas()


@pytest.fixture
def standards():
    return rd.standards()


@pytest.fixture
def registries():
    return rd.registries()


@pytest.fixture
def needs():
    return rd.needs()


# --- 保障水平 ---------------------------------------------------------------------------------------

def test_standards_history_lists_each_change_with_the_ratio(standards):
    h = ev.standards_history(standards, H1)
    assert h["effective_date"].tolist() == [pd.Timestamp("2020-07-01"), pd.Timestamp("2023-04-01")]
    assert h["dibao"].tolist() == [1000.0, 1100.0]
    assert h["tekun"].tolist() == [1500.0, 1650.0]
    assert h["ratio"].tolist() == [1.5, 1.5]
    assert len(ev.standards_history(standards, H2_22)) == 1  # the 2023 rise is after 2022H2


def test_payment_level_weighs_the_standard_by_persons_paid(households, standards):
    pay = pd.DataFrame({
        "household_id": pd.array(["A", "A", "C", "E", "G", "A"], dtype="string"),
        "month": pd.to_datetime(["2023-03-01", "2023-04-01", "2023-04-01", "2023-05-01", "2023-01-01", "2023-07-01"]),
        "category": cat(["dibao", "dibao", "dibao", "tekun", "dibian", "dibao"], rd.CATS),
        "amount": [1200.0, 1400.0, 900.0, 1650.0, 300.0, 9999.0],
    })
    t = ev.payment_level(pay, households, standards, H1).set_index("category")
    # 低保: A (2 persons) in March at 1000 and April at 1100, C (3 persons) in April at 1100; July is outside.
    # person-months 2 + 2 + 3 = 7; paid 1200 + 1400 + 900 = 3500 -> 500.00 per person-month;
    # standard (2*1000 + 2*1100 + 3*1100) / 7 = 7500 / 7 = 1071.43; 500 / 1071.43 = 46.7 %
    assert t.loc["dibao", "person_months"] == 7
    assert t.loc["dibao", "avg_payment"] == 500.0
    assert t.loc["dibao", "standard"] == 1071.43
    assert t.loc["dibao", "pct_of_standard"] == 46.7
    # 低保边缘: G (2 persons) in January at 1500: 300 / 2 = 150, 10.0 %
    assert t.loc["dibian", "avg_payment"] == 150.0 and t.loc["dibian", "pct_of_standard"] == 10.0
    assert t.loc["tekun", "pct_of_standard"] == 100.0
    # 低收入对象合计: (3500 + 300) / (7 + 2) = 422.22, the avg_payment_per_person indicator
    assert t.loc["lowincome", "avg_payment"] == 422.22 == ind.avg_payment_per_person(pay, households, H1)
    assert t.loc["lowincome", "person_months"] == 9


def test_timeliness_counts_unpaid_as_late():
    pay = pd.DataFrame({
        "due_date": pd.to_datetime(["2023-01-10", "2023-02-10", "2023-03-10", "2023-04-10", "2022-12-10"]),
        "paid_date": pd.to_datetime(["2023-01-08", "2023-02-10", "2023-03-12", None, "2022-12-30"]),
    })
    # due in H1: four; on time: 01-08 and 02-10 (on the due date); late 03-12; unpaid 04-10 -> 2 of 4
    t = ev.timeliness(pay, H1)
    assert (t.k, t.n, t.pct) == (2, 4, 50.0) and t.pct == ind.payment_timeliness(pay, H1)
    assert (t.late, t.unpaid) == (1, 1)
    assert ev.timeliness(pay, Period.parse("2021H1")) is None


def test_headline_ids_extend_the_summary_and_are_registered():
    from civmon.indicators import all_indicators

    summary = programmes.get("relief").headline_ids
    assert ev.HEADLINE_IDS[:len(summary)] == summary
    assert set(ev.HEADLINE_IDS) <= set(all_indicators()) and len(set(ev.HEADLINE_IDS)) == len(ev.HEADLINE_IDS)
    # below the district the enrolment rates are left to the suppressed 应纳尽纳 table
    assert set(ev.HEADLINE_IDS) - set(ev.TOWNSHIP_HEADLINE_IDS) == {
        "disability_living_enrolment", "disability_nursing_enrolment", "child_subsidy_enrolment"}


def test_adequacy_only_with_a_consumption_figure(standards):
    assert ev.adequacy(standards, H1, None) is None
    a = ev.adequacy(standards, H1, 33000.0).set_index("category")
    # 低保 1100 x 12 = 13200 of 33000 = 40.0 %; 特困 1650 x 12 = 19800 = 60.0 %
    assert a.loc["dibao", "annual"] == 13200 and a.loc["dibao", "pct_of_consumption"] == 40.0
    assert a.loc["tekun", "pct_of_consumption"] == 60.0


# --- 覆盖与动态管理 ---------------------------------------------------------------------------------

def test_monthly_caseload_by_category(households):
    mc = ev.monthly_caseload(households, pd.to_datetime(["2023-02-01", "2023-06-01"]))
    m = mc.set_index(["month", "category"])
    # end of February: A, C, D (低保; H enters in March), G left on 02-10, B not yet: 低保 3 households 6 persons
    assert m.loc[(pd.Timestamp("2023-02-01"), "dibao"), ["households", "persons"]].tolist() == [3, 6]
    assert m.loc[(pd.Timestamp("2023-02-01"), "dibian"), "households"] == 0
    # end of June: A, D, H (C left on 06-30) 低保 3 households 4 persons; B 低保边缘; E 特困
    assert m.loc[(pd.Timestamp("2023-06-01"), "dibao"), ["households", "persons"]].tolist() == [3, 4]
    assert m.loc[(pd.Timestamp("2023-06-01"), "dibian"), "households"] == 1
    assert m.loc[(pd.Timestamp("2023-06-01"), "tekun"), "persons"] == 1


def test_township_tables_add_up_to_the_district(households, areas):
    t = ev.caseload_by_township(households, areas, H1).set_index("township")
    # at 2023-06-30: T1 has A, H (低保); T2 has D (低保), B (低保边缘)
    assert t.loc["甲镇", ["dibao", "dibian", "lowincome"]].tolist() == [2, 0, 2]
    assert t.loc["乙街道", ["dibao", "dibian", "lowincome"]].tolist() == [1, 1, 2]
    assert t.loc[ev.TOTAL, "lowincome"] == 4 == ind.lowincome_households(households, H1)
    c = ev.coverage_by_township(households, areas, H1).set_index("township")
    # persons: 甲镇 A 2 + H 1 = 3 of 2000 residents = 1.5 per 1000; 乙街道 D 1 + B 1 = 2 of 1000 = 2.0
    assert c.loc["甲镇", "lowincome_persons"] == 3 and c.loc["甲镇", "per_1000"] == 1.5
    assert c.loc["乙街道", "per_1000"] == 2.0 and c.loc["甲镇", "tekun_persons"] == 1
    # district: 5 of 3000 = 1.67 (villages are not counted twice)
    assert c.loc[ev.TOTAL, "population"] == 3000 and c.loc[ev.TOTAL, "per_1000"] == 1.67
    assert ev.coverage_per_1000(households, areas, H1) == 1.67
    cov = ev.coverage(households, pd.DataFrame({"month": pd.to_datetime([])}), areas, H1, threshold=5)
    assert (cov.households, cov.persons, cov.per_1000, cov.tekun_persons) == (4, 5, 1.67, 1)


def test_monthly_caseload_by_township_hides_small_counts_in_the_chart(households, areas):
    months = pd.to_datetime(["2023-02-01", "2023-06-01"])
    f, note = ev.monthly_caseload_by_township(households, areas, months, threshold=2)
    f = f.set_index(["month", "township"])["households"]
    # end of June: 甲镇 A, H = 2; 乙街道 D, B = 2 (both shown at threshold 2)
    assert f.loc[(pd.Timestamp("2023-06-01"), "甲镇")] == 2 and f.loc[(pd.Timestamp("2023-06-01"), "乙街道")] == 2
    # end of February: 甲镇 A, C = 2, 乙街道 D = 1 -> hidden, and 甲镇 with it (the district total is public)
    assert f.loc[pd.Timestamp("2023-02-01")].isna().all() and "未予显示" in note
    f5, _ = ev.monthly_caseload_by_township(households, areas, months[1:], threshold=1)
    assert f5.sum(numeric_only=True)["households"] == ind.lowincome_households(households, H1)
    empty = ev.monthly_caseload_by_township(households, areas, months[:0], threshold=5)
    assert empty.frame.empty and empty.note == ""


def test_entries_and_exits_balance(households):
    e = ev.entries_exits(households, H1)
    cols = ["start", "entered", "exited", "end"]
    # start of 2023 (roster at 2022-12-31): A, C, D, G = 4; entries H (03-15), B (06-30); exits G (02-10), C (06-30)
    total = e.iloc[-1]
    assert pd.isna(total["month"]) and total[cols].tolist() == [4, 2, 2, 4]
    body = e.iloc[:-1].set_index("month")
    assert body.loc[pd.Timestamp("2023-02-01"), cols].tolist() == [4, 0, 1, 3]
    assert body.loc[pd.Timestamp("2023-03-01"), cols].tolist() == [3, 1, 0, 4]
    assert body.loc[pd.Timestamp("2023-06-01"), cols].tolist() == [4, 1, 1, 4]
    assert (body["start"] + body["entered"] - body["exited"] == body["end"]).all()
    assert body["entered"].sum() == total["entered"]


def test_exit_reasons_and_the_employment_share(households):
    r = ev.exit_reasons(households, H1).set_index("reason")
    # exits in H1: C (employment), G (income_rise); D leaves in July
    assert r.loc["employment", "households"] == 1 and r.loc["income_rise", "households"] == 1
    assert r.loc["death", "households"] == 0
    assert r.loc[ev.TOTAL, "households"] == 2 and r.loc["employment", "pct"] == 50.0
    s = ev.employment_exit_share(households, H1)
    # Wilson 1/2, z = 1.959964: centre (0.5 + z^2/4) / (1 + z^2/2) = 0.5, half = z sqrt(1/8 + z^2/16) / (1 + z^2/2)
    half = Z * math.sqrt(0.25 / 2 + Z * Z / 16) / (1 + Z * Z / 2)
    assert (s.k, s.n, s.pct) == (1, 2, 50.0)
    assert s.ci_low == pytest.approx(100 * (0.5 - half)) and s.ci_high == pytest.approx(100 * (0.5 + half))
    assert ev.employment_exit_share(households, H2_22) is None  # no low-income exit in 2022H2


# --- 标准调整影响 -----------------------------------------------------------------------------------

def test_its_series_counts_month_ends_and_sums_payments(households):
    pay = pd.DataFrame({"household_id": pd.array(["A", "A", "E"], dtype="string"),
                        "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-02-01"]),
                        "category": cat(["dibao", "dibao", "tekun"], rd.CATS), "amount": [100.0, 120.0, 999.0]})
    s = ev.its_series(households, pay, pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01"]))
    # month ends: Jan A, C, D, G = 4; Feb G gone = 3; Mar H in = 4; 特困 payments are not low-income
    assert s["caseload"].tolist() == [4, 3, 4]
    assert s["spending"].tolist() == [100.0, 120.0, 0.0]


def test_standard_rise_its_recovers_a_noise_free_planted_rise():
    hh, pay, std = planted_roster()
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022H2"))
    assert eff.rise == pd.Timestamp("2022-05-05")
    c, s = eff.results["caseload"], eff.results["spending"]
    assert c.level_change.estimate == pytest.approx(40) and c.slope_change.estimate == pytest.approx(5)
    assert c.pre_slope.estimate == pytest.approx(2)
    assert s.level_change.estimate == pytest.approx(300) and s.slope_change.estimate == pytest.approx(20)
    t = eff.table
    row = t[(t["outcome"] == "spending") & (t["term"] == "level_change")].iloc[0]
    assert row["estimate"] == pytest.approx(0.03)  # 300 yuan in 万元
    assert (eff.n_pre, eff.n_post, eff.reason) == (16, 8, None) and eff.caveats == []
    assert "REML" in eff.method_note and "Satterthwaite" in eff.method_note and "Newey-West" not in eff.method_note
    assert "覆盖率研究" in eff.method_note


def test_standard_rise_its_says_why_when_it_cannot_run():
    hh, pay, std = planted_roster(months=18, rise_at=16)  # two months after the rise only
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022H1"))
    assert eff.results == {} and (eff.reason, eff.n_pre, eff.n_post) == ("too_few_months", 16, 2)
    no_rise = ev.standard_rise_its(hh, pay, std.iloc[:1], Period.parse("2022H1"))
    assert no_rise.rise is None and no_rise.reason == "no_rise" and no_rise.first_month == pd.Timestamp("2021-01-01")
    no_pay = ev.standard_rise_its(hh, pay.iloc[:0], std, Period.parse("2022H1"))
    assert no_pay.reason == "no_payments"


def test_a_short_post_period_is_a_caveat():
    hh, pay, std = planted_roster(months=20, rise_at=16)  # May to August 2022: four months after the rise
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022-08"))
    assert eff.results and eff.n_post == 4 and eff.caveats == [
        "调整后仅4个月，斜率变化主要反映调整初期的集中纳入，尚不稳定，宜待更多月份数据后再作判断。"]


# --- 退出与造血 -------------------------------------------------------------------------------------

def test_survival_frame_uses_spells_begun_in_the_window(households):
    sf = ev.survival_frame(households, pd.Timestamp("2021-01-01"), H1.end_ts)
    # B (entered on the last day: 0 days, censored), C (2022-01-01 to 2023-06-30, exit), D (2021-01-01, exit
    # after the end: censored at 2023-06-30), G (2022-03-01 to 2023-02-10, exit), H (2023-03-15, censored);
    # A began before the window, E is 特困, F enters later
    assert len(sf) == 5
    days = [0, 545, 910, 346, 107]
    assert sf["months"].to_numpy() == pytest.approx(np.array(days) / (365.25 / 12))
    assert sf["exited"].tolist() == [0, 1, 0, 1, 0]
    assert sf["labour_capacity"].tolist() == [0, 1, 0, 1, 0] and sf["employment_support"].tolist() == [0, 1, 0, 0, 0]


def test_survival_frame_with_prevalent_spells_is_left_truncated(households):
    sf = ev.survival_frame(households, pd.Timestamp("2021-01-01"), H1.end_ts, prevalent=True)
    # A too (entered 2020-05-01, still on at the start: 245 days already on assistance)
    assert len(sf) == 6 and sf["entry"].max() == pytest.approx(245 / (365.25 / 12))


def test_exit_analysis_on_few_exits_gives_km_but_no_cox(households):
    pay = pd.DataFrame({"month": pd.to_datetime(["2021-01-01"])})
    ea = ev.exit_analysis(households, pay, H1)
    assert ea.cox is None and ea.cox_reason == "too_few_exits"
    res = ea.km["labour_capacity"]
    # with labour capacity (group 1): C (exit at 545 d) and G (exit at 346 d): S = 1/2 after G, 0 after C
    lab = res.table[res.table["group"] == 1]
    assert lab["survival"].tolist() == [0.5, 0.0]
    at = ev.survival_at(res, 12).set_index("group")  # 12 months = 365.25 d: after G's exit
    assert at.loc[1, "survival"] == 0.5 and at.loc[0, "survival"] == 1.0
    pf = ea.km_curves["labour_capacity"]
    assert pf.groupby("group")["time"].first().tolist() == [0.0, 0.0]
    assert pf[pf["group"] == 0]["survival"].tolist() == [1.0]  # no exit: the curve stays at 1
    kt = ea.km_summary.set_index(["covariate", "group"])
    assert kt.loc[("labour_capacity", 1), "events"] == 2 and np.isnan(kt.loc[("labour_capacity", 0), "median"])
    assert kt.loc[("labour_capacity", 1), "survival"] == 50.0
    # Cox: the five spells begun in the window and A (left-truncated), less B (no time at risk yet)
    assert (ea.spells, ea.spell_exits, ea.cox_households, ea.cox_left_truncated, ea.cox_exits) == (5, 2, 5, 1, 2)
    assert ea.method_note == ev.EXIT_METHOD_NOTE


def test_exit_analysis_without_payment_data(households):
    ea = ev.exit_analysis(households, pd.DataFrame({"month": pd.to_datetime([])}), H1)
    assert ea.reason == "no_data" and ea.km == {} and ea.cox is None and ea.employment.k == 1


def test_the_exit_method_note_describes_the_method_run():
    note = ev.EXIT_METHOD_NOTE
    # KM on spells begun in the data; Cox on every low-income household on the roster, left-truncated, Efron
    assert "Kaplan-Meier曲线以数据起始月以来新纳入" in note
    assert "纳入观察期内在册的全部低保、低保边缘家庭" in note and "左截断" in note and "Efron" in note
    assert "仅用数据期内新纳入的家庭" not in note


# --- 应纳尽纳 -------------------------------------------------------------------------------------

def test_cross_registry_matching(registries, areas):
    dreg, dsub, creg, csub = registries
    s = ev.enrolment_summary(*registries, H1).set_index("subsidy")
    # living: eligible p1, p2, p4 (low income, registered by 06-30; p5 registers in July); paid in June p1, p2
    #   -> missing p4 (T2), enrolment 2/3 = 66.7 %
    # nursing: eligible grade <= 2: p1, p3, p4; paid in June p1, p4 (p3 only in May) -> missing p3 (T2)
    # children: c1, c2, c3; paid c1 -> missing c2 (T2, registered 41 days before the end: recent), c3 (T1)
    assert s["unpaid"].tolist() == [1, 1, 2]
    assert s["rate"].tolist() == [66.7, 66.7, 33.3]
    assert s["recent"].tolist() == [0, 0, 1]
    assert s["eligible"].tolist() == [3, 3, 3] and s["paid"].tolist() == [2, 2, 1]
    assert s.loc["living", "rate"] == ind.disability_living_enrolment(dreg, dsub, H1)
    assert s.loc["nursing", "rate"] == ind.disability_nursing_enrolment(dreg, dsub, H1)
    assert s.loc["child", "rate"] == ind.child_subsidy_enrolment(creg, csub, H1)
    t = ev.unenrolled_by_township(ev.unenrolled(*registries, H1), areas).set_index("township")
    assert t.loc["甲镇"].tolist() == [0, 0, 1] and t.loc["乙街道"].tolist() == [1, 1, 1]
    assert t.loc[ev.TOTAL].tolist() == [1, 1, 2]
    data = dict(zip(("disability_registry", "disability_subsidy", "children_registry", "child_subsidy"), registries),
                areas=areas)
    assert ev.enrolment(data, H1).unpaid_total == 4


# --- 助联体 ----------------------------------------------------------------------------------------

def test_needs_by_type_and_township(needs, areas):
    nf = ev.needs_frame(needs, H1)
    # collected in H1: N0 (10 d), N1 (resolved after the end), N2 (30 d), N3 (open), N5 (10 d); N4 in 2022
    assert len(nf) == 5 and nf["resolved"].sum() == 3
    bt = ev.needs_by_type(nf).set_index("need_type")
    assert bt.loc["living", ["collected", "resolved", "rate", "median_days"]].tolist() == [4, 3, 75.0, 10.0]
    assert bt.loc["medical", "resolved"] == 0 and math.isnan(bt.loc["medical", "median_days"])
    assert bt.loc[ev.TOTAL, ["collected", "resolved", "rate"]].tolist() == [5, 3, 60.0]
    assert bt.loc[ev.TOTAL, "collected"] == ind.alliance_needs_collected(needs, H1)
    assert bt.loc[ev.TOTAL, "resolved"] == ind.alliance_needs_resolved(needs, H1)
    tt = ev.needs_by_township(nf, areas).set_index("township")
    assert tt.loc["甲镇", ["collected", "resolved"]].tolist() == [3, 2] and tt.loc["乙街道", "rate"] == 50.0
    rate, med = ev.needs_summary(nf)
    assert (rate.k, rate.n, med) == (3, 5, 10.0)
    centre = (0.6 + Z * Z / 10) / (1 + Z * Z / 5)  # Wilson 3/5
    half = Z * math.sqrt(0.24 / 5 + Z * Z / 100) / (1 + Z * Z / 5)
    assert rate.ci_low == pytest.approx(100 * (centre - half)) and rate.ci_high == pytest.approx(100 * (centre + half))
    assert ev.needs_result(needs, areas, H1).commonest is None  # 5 needs: too few to name the commonest type
    assert ev.needs_result(needs, areas, Period.parse("2021H1")).rate is None


def test_the_commonest_need_type_from_enough_needs(needs, areas):
    many = pd.concat([needs] * 4, ignore_index=True)  # 20 collected in H1, 16 of them 生活帮扶
    top = ev.needs_result(many, areas, H1).commonest
    assert top == {"need_type": "living", "collected": 16, "resolved": 12, "rate": 75.0}


# --- the sample: the planted rise effects and hazard ratios -------------------------------------------

@pytest.fixture(scope="module")
def sample():
    return rd.sample()


def test_its_series_are_the_planted_series(sample):
    data, truth = sample
    eff = ev.standard_rise_its(data["relief_households"], data["relief_payments"], data["relief_standards"],
                               WHOLE_SAMPLE)
    assert eff.series["month"].dt.strftime("%Y-%m").tolist() == truth["its"]["months"]
    assert eff.series["caseload"].tolist() == truth["its"]["caseload"]
    assert eff.series["spending"].round(2).tolist() == pytest.approx(truth["its"]["spending"], abs=0.005)
    assert eff.rise == pd.Timestamp(truth["standards"]["rise_date"])


@pytest.mark.parametrize("outcome", ["caseload", "spending"])
def test_its_misses_the_planted_effect_by_exactly_the_counterfactuals_departure(sample, outcome):
    # Before the rise the observed series is the counterfactual; the post segment has its own level and
    # slope, so (estimate - planted effect) must equal the OLS line through the planted counterfactual's
    # post-rise departures from its own pre-rise linear trend. This pins the series and the estimator
    # exactly and explains any miss (for spending about 30k yuan in level: see the xfails below).
    data, truth = sample
    eff = ev.standard_rise_its(data["relief_households"], data["relief_payments"], data["relief_standards"],
                               WHOLE_SAMPLE)
    its_t = truth["its"]
    cf, r = np.asarray(its_t[f"{outcome}_counterfactual"], float), its_t["rise_month_index"]
    k = np.arange(len(cf))
    departure = cf[r:] - np.polyval(np.polyfit(k[:r], cf[:r], 1), k[r:])
    d_slope, d_level = np.polyfit(np.arange(len(departure)), departure, 1)
    res, planted = eff.results[outcome], its_t[f"{outcome}_effect"]
    assert res.level_change.estimate - planted["level_change"] == pytest.approx(d_level, abs=0.02)
    assert res.slope_change.estimate - planted["slope_change_per_month"] == pytest.approx(d_slope, abs=0.02)


@pytest.mark.parametrize("outcome,term,key", [
    ("caseload", "level_change", "level_change"), ("caseload", "slope_change", "slope_change_per_month"),
    # The spending misses are sampling noise, not a flaw of the truth: the no-rise roster is a stock of
    # long spells (a strongly autocorrelated series), and its post-rise departure from the pre-rise trend
    # here is ~30k yuan in level (an ordinary draw). Newey-West intervals covered the planted spending
    # effects in only 59%/46% of generator seeds; the default AR(1)-REML error model covers them at about
    # the nominal rate (bench/its_coverage.py, docs/its_coverage.md) and covers them in this seed too.
    ("spending", "level_change", "level_change"), ("spending", "slope_change", "slope_change_per_month"),
])
def test_its_recovers_the_planted_rise_effects(sample, outcome, term, key):
    data, truth = sample
    eff = ev.standard_rise_its(data["relief_households"], data["relief_payments"], data["relief_standards"],
                               WHOLE_SAMPLE)
    r = getattr(eff.results[outcome], term)
    planted = truth["its"][f"{outcome}_effect"][key]
    assert r.ci_low < planted < r.ci_high, (r.estimate, r.ci_low, r.ci_high, planted)


@pytest.mark.parametrize("period", ["2023H1", "2023H2"])  # the report's period; the truth's whole window
def test_cox_recovers_the_planted_hazard_ratios(sample, period):
    data, truth = sample
    ea = ev.exit_analysis(data["relief_households"], data["relief_payments"], Period.parse(period))
    t = ea.cox.table.set_index("term")
    for cov, hr in truth["survival"]["hazard_ratios"].items():
        assert t.loc[cov, "ci_low"] < hr < t.loc[cov, "ci_high"], (cov, t.loc[cov].to_dict(), hr)
    assert ea.cox.n_events >= ev.MIN_EXITS_COX
    if period == "2023H2":  # the truth's window: the same left-truncated risk set and exits as planted
        assert ea.cox.n_events == truth["survival"]["exits_observed"]
        assert abs(len(ea.cox_frame) - truth["survival"]["spells"]) <= 2


@pytest.mark.parametrize("period", ["2023H1", "2023H2"])
def test_proportional_hazards_hold_on_the_sample_generated_with_them(sample, period):
    """The sample's exits are Weibull with proportional hazards: the cox.zph test rejects for
    neither covariate nor globally, the assumptions log carries its chi-squares, no caveat is added."""
    data, _ = sample
    ea = ev.exit_analysis(data["relief_households"], data["relief_payments"], Period.parse(period))
    f = ea.ph_frame
    assert f["term"].tolist() == ["labour_capacity", "employment_support", "global"] and f["df"].tolist() == [1, 1, 2]
    assert (f["pvalue"] > 0.05).all() and f["holds"].all()
    assert ea.ph.transform == "km" and ea.caveats == []
    ph = [a for a in ea.assumptions if a.assumption.startswith("比例风险")]
    assert [a.statistic for a in ph] == f["chisq"].tolist() and all(a.holds for a in ph)
    assert ph[0].assumption == "比例风险：劳动能力的退出风险比在随访期内不变" and "cox.zph" in ph[0].check
    untestable = [a for a in ea.assumptions if a.holds is None]
    assert [a.assumption[:4] for a in untestable] == ["独立删失", "独立删失", "左截断可"]


def test_a_failed_proportional_hazards_test_gives_the_caveat():
    from civmon.stats import PhTest
    ph = PhTest(pd.DataFrame({"term": ["labour_capacity", "employment_support"], "chisq": [9.0, 0.2], "df": [1, 1],
                              "pvalue": [0.0027, 0.65]}), 9.1, 2, 0.011)
    assert ev.ph_caveats(ph) == ["比例风险检验显示劳动能力的退出风险比随在册时间变化，表中风险比是随访期内的平均值，不宜理解为任一时点的效应。"]
    ea = ev.ExitAnalysis(pd.DataFrame(), ph=ph, cox=object())
    rows = {a.assumption: a for a in ev.exit_assumptions(ea)}
    bad = rows["比例风险：劳动能力的退出风险比在随访期内不变"]
    assert bad.holds is False and bad.caveat == "劳动能力的风险比随在册时间变化，表中风险比是随访期内的平均值。"
    assert rows["比例风险：全部因素（全局检验）的退出风险比在随访期内不变"].holds is False
    assert rows["比例风险：参加就业帮扶的退出风险比在随访期内不变"].holds is True


def test_no_cox_model_no_proportional_hazards_check(households):
    ea = ev.exit_analysis(households, pd.DataFrame({"month": pd.to_datetime(["2021-01-01"])}), H1)
    assert ea.cox is None and ea.ph is None and ea.ph_frame is None
    assert not any(a.assumption.startswith("比例风险") for a in ea.assumptions)
