"""The relief programme of the synthetic sample: calibration to the seed's 2023H1 figures,
realism (assistance = gap x persons, standards, churn, registries larger than recipient lists),
and planted effects recoverable from the data (standard rise by ITS, exit hazard ratios by Cox).
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from civmon.indicators.registry import REGISTRY
from civmon.period import Period
from civmon.sample import relief
from civmon.sample import relief_roster as R
from civmon.sample import relief_subsidies as S
from civmon.sample.geography import build_areas

import civmon.indicators.relief as irel

from .common import H1, REFERENCE, SEED, check_calibration, pseudo, reference_rows  # noqa: F401


def make(seed: int, scale: float = 1.0):
    return relief.generate(build_areas(seed), np.random.default_rng([seed, 1]), scale)


def test_relief_indicators_equal_the_summary_for_2023h1(data):
    check_calibration(data, "relief")


def test_another_seed_gives_other_records_and_the_same_calibration(parts):
    other = make(7)
    assert not other.frames["relief_payments"]["amount"].equals(parts.frames["relief_payments"]["amount"])
    check_calibration(pseudo(other), "relief")


def test_other_periods_differ_and_trend(data):
    ids = ("lowincome_households", "lowincome_funds", "temp_relief_households", "one_stop_person_times",
           "alliance_needs_collected")
    h1 = {i: REGISTRY[i].compute(data, H1) for i in ids}
    for label in ("2022H1", "2022H2", "2023H2"):
        other = {i: REGISTRY[i].compute(data, Period.parse(label)) for i in ids}
        assert sum(other[i] != h1[i] for i in ids) >= 4, label
    # the caseload grows after the standard's rise; one-stop volume grows over the years
    assert REGISTRY["lowincome_households"].compute(data, Period.parse("2022H2")) < h1["lowincome_households"]
    assert REGISTRY["one_stop_person_times"].compute(data, Period.parse("2021H1")) < h1["one_stop_person_times"]


def test_assistance_is_the_gap_between_standard_and_income_times_persons(parts):
    hh = parts.frames["relief_households"].set_index("household_id")
    pay = parts.frames["relief_payments"]
    std = parts.frames["relief_standards"]
    p = pay.join(hh[["persons", "income_per_capita"]], on="household_id")
    for cat, factor in (("dibao", 1.0), ("dibian", 0.5), ("tekun", None)):
        s = std[std["category"] == cat].sort_values("effective_date")
        rows = p[p["category"] == cat]
        level = s["standard"].to_numpy()[np.searchsorted(s["effective_date"], rows["month"], side="right") - 1]
        persons = rows["persons"].to_numpy(dtype=float)
        if factor is None:
            expected = level * persons
        else:  # 低保边缘: half the gap, floored to the cent
            expected = np.floor(factor * (level - rows["income_per_capita"]).to_numpy() * persons * 100 + 1e-6) / 100
        assert np.allclose(rows["amount"].to_numpy(), expected, atol=0.005), cat
        assert (rows["amount"] > 0).all()


def test_payments_fall_within_the_household_spell(parts):
    hh = parts.frames["relief_households"].set_index("household_id")[["entry_date", "exit_date"]]
    pay = parts.frames["relief_payments"].join(hh, on="household_id")
    assert (pay["due_date"] >= pay["entry_date"]).all()
    assert (pay["paid_date"].dropna() >= pay.loc[pay["paid_date"].notna(), "entry_date"]).all()
    assert not (pay["due_date"] >= pay["exit_date"]).any()
    assert (pay["due_date"].dt.day == 10).all() and (pay["due_date"].dt.month == pay["month"].dt.month).all()


def test_standards_rise_during_2023h1_and_tekun_is_one_and_a_half_dibao(parts):
    std = parts.frames["relief_standards"]
    dibao = std[std.category == "dibao"].set_index("effective_date")["standard"]
    tekun = std[std.category == "tekun"].set_index("effective_date")["standard"]
    assert dibao[pd.Timestamp("2020-07-01")] == 1080 and dibao[R.RISE_DATE] == 1154
    assert tekun[R.RISE_DATE] == 1731 and H1.contains(R.RISE_DATE)
    assert ((tekun / dibao).round(2) == 1.5).all()


def test_household_size_and_churn(parts, data):
    hh = parts.frames["relief_households"]
    low = hh[hh.category.isin(["dibao", "dibian"])]
    assert 1.4 < low["persons"].mean() < 1.6
    members = parts.frames["relief_members"]
    assert len(members) == hh["persons"].sum()
    months = pd.period_range("2021-01", "2023-12", freq="M")
    entries = low["entry_date"].dt.to_period("M").value_counts()
    exits = low["exit_date"].dt.to_period("M").value_counts()
    assert (entries.reindex(months, fill_value=0) > 0).all() and (exits.reindex(months, fill_value=0) > 0).all()
    assert (low["exit_reason"].notna() == low["exit_date"].notna()).all()
    # exit rate per half-year of a few percent, as observed in Zhejiang
    assert 2.0 < REGISTRY["exit_rate"].compute(data, H1) < 8.0
    # a few payments are late, most are on time: timeliness near 1 - planted late and unpaid shares
    expected = 100 * (1 - R.LATE_SHARE - R.UNPAID_SHARE)
    assert abs(REGISTRY["payment_timeliness"].compute(data, H1) - expected) < 1.0
    pay = parts.frames["relief_payments"]
    late = pay["paid_date"].isna() | (pay["paid_date"] > pay["due_date"])
    assert late.sum() == parts.truth["payments"]["late_or_unpaid_rows"]


def test_temporary_relief_is_lognormal_between_500_and_20000(parts):
    amount = parts.frames["temp_relief"]["amount"]
    assert amount.between(500, 20000).all()
    assert 2000 < amount.median() < 6000 and amount.max() > 3 * amount.median()


def test_registries_are_larger_than_recipient_lists_with_the_planted_gap(parts, data):
    truth = parts.truth
    reg = data["disability_registry"]
    paid = data["disability_subsidy"]
    for kind, eligible in (("living", reg["low_income"].astype(bool)), ("nursing", reg["disability_grade"] <= 2)):
        never = eligible & ~reg["person_key"].isin(paid.loc[paid.subsidy_type == kind, "person_key"])
        assert never.sum() == truth["disability_subsidy"]["unpaid_in_registry"][kind]
        assert 0 < truth["disability_subsidy"]["never_enrolled_in_registry"][kind] <= never.sum()
    assert len(reg) > paid["person_key"].nunique()
    creg, cpaid = data["children_registry"], data["child_subsidy"]
    never_child = ~creg["person_key"].isin(cpaid["person_key"])
    assert never_child.sum() == truth["child_subsidy"]["never_enrolled_in_registry"] > 0
    assert 85.0 < REGISTRY["disability_living_enrolment"].compute(data, H1) < 100.0


def test_truth_series_match_the_records(parts):
    its = parts.truth["its"]
    hh = parts.frames["relief_households"]
    low = hh[hh.category.isin(["dibao", "dibian"])]
    ends = pd.date_range("2021-01-31", "2023-12-31", freq="ME")
    caseload = [int(irel.on_roster(low, e).sum()) for e in ends]
    assert caseload == its["caseload"]
    pay = parts.frames["relief_payments"]
    spend = pay[pay.category.isin(["dibao", "dibian"])].groupby("month")["amount"].sum()
    assert np.allclose(spend.to_numpy(), its["spending"], atol=0.01)
    # before the rise the counterfactual is the observed series
    r = its["rise_month_index"]
    assert its["caseload_counterfactual"][:r] == its["caseload"][:r]
    assert np.allclose(its["spending_counterfactual"][:r], its["spending"][:r])
    assert its["caseload_effect"]["level_change"] > 50 and its["caseload_effect"]["slope_change_per_month"] > 0
    assert its["spending_effect"]["slope_change_per_month"] > 0


def test_segmented_regression_recovers_the_planted_rise(parts):
    import statsmodels.api as sm

    its = parts.truth["its"]
    r = its["rise_month_index"]
    t = np.arange(36)
    X = sm.add_constant(np.c_[t, t >= r, np.where(t >= r, t - r, 0)].astype(float))
    for key in ("caseload", "spending"):
        fit = sm.OLS(np.asarray(its[key]), X).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
        truth = its[f"{key}_effect"]
        assert abs(fit.params[2] - truth["level_change"]) < 4 * fit.bse[2], key
        assert fit.params[2] > 3 * fit.bse[2], key  # detectable


def test_cox_model_recovers_the_planted_exit_hazard_ratios(parts):
    from lifelines import CoxPHFitter

    hh = parts.frames["relief_households"]
    low = hh[hh.category.isin(["dibao", "dibian"])]
    start, end = pd.Timestamp("2021-01-01"), pd.Timestamp("2023-12-31")
    d = pd.DataFrame({
        "entry": (start - low["entry_date"]).dt.days.clip(lower=0) / 365.25,
        "T": (low["exit_date"].fillna(end) - low["entry_date"]).dt.days / 365.25,
        "E": low["exit_date"].notna().astype(int),
        "labour_capacity": low["labour_capacity"].astype(int),
        "employment_support": low["employment_support"].astype(int),
    })
    d = d[d["T"] > d["entry"]]
    cph = CoxPHFitter().fit(d, "T", "E", entry_col="entry")
    truth = parts.truth["survival"]["log_hazard_ratios"]
    for k, beta in truth.items():
        est, se = cph.params_[k], cph.standard_errors_[k]
        assert abs(est - beta) < 3 * se, k
        assert est > 2 * se, k  # detectable


def test_truth_records_the_generator_parameters(parts):
    truth = parts.truth
    assert truth["survival"]["hazard_ratios"] == R.HAZARD_RATIOS == {"labour_capacity": 1.8, "employment_support": 1.5}
    assert truth["survival"]["baseline"]["shape"] == R.WEIBULL_SHAPE
    assert truth["standards"]["rise_date"] == "2023-04-01"
    assert truth["its"]["planted"] == {"induced_batch": R.INDUCED_BATCH, "induced_monthly_inflow": R.INDUCED_MONTHLY}
    assert truth["disability_subsidy"]["never_enrolled_share"] == S.NEVER_ENROLLED
    assert truth["calibration"] == {"households_2023_06_30": 3115, "persons_2023_06_30": 4675}
    assert truth["payments"]["late_share_planted"] == R.LATE_SHARE


def test_small_scales_still_calibrate_to_the_scaled_targets():
    small = pseudo(make(3, scale=0.1))
    assert REGISTRY["lowincome_households"].compute(small, H1) == round(3115 * 0.1)
    assert REGISTRY["lowincome_funds"].compute(small, H1) == pytest.approx(232.72, abs=0.01)
    assert REGISTRY["temp_relief_households"].compute(small, H1) == round(127 * 0.1)
