"""The migrants programme of the synthetic sample: calibration to the seed's figures, the planted
reconciliation anomalies, register dynamics, projects, the planted income DiD, determinism and
pseudonymisation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import civmon.indicators.migrants as im
from civmon import programmes
from civmon.data.pseudonymise import pseudonymise
from civmon.data.spec import DATASETS
from civmon.indicators.registry import REGISTRY
from civmon.period import Period
from civmon.sample import migrants
from civmon.sample.geography import build_areas

from .common import H1, REFERENCE, SEED, check_calibration, pseudo, reference_rows  # noqa: F401


def make(seed: int, scale: float = 1.0):
    return migrants.generate(build_areas(seed), np.random.default_rng([seed, 3]), scale)


@pytest.fixture(scope="module")
def other():
    parts = make(7)
    return parts, pseudo(parts)


@pytest.mark.parametrize("which", ["default", "other"])
def test_2023h1_indicators_equal_the_reference(which, data, other):
    d = data if which == "default" else other[1]
    rows = reference_rows("migrants")
    assert len(rows) == 5
    for r in rows.itertuples():
        value = REGISTRY[r.indicator_id].compute(d, H1)
        if r.bound == "exact":
            assert value == pytest.approx(r.value, abs=1e-9), r.indicator_id
        else:
            assert value >= r.value, r.indicator_id
    # "1670.74万余": prints as 1670.74, the yuan total is at least that
    budget = d["migrant_projects"].loc[d["migrant_projects"].year == 2023, "budget"].sum()
    assert 16_707_400 <= budget < 16_707_450


@pytest.mark.parametrize("which", ["default", "other"])
@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_reconciliation_finds_exactly_the_planted_anomalies(which, year, parts, data, other):
    truth, d = (parts.truth, data) if which == "default" else (other[0].truth, other[1])
    t = im.reconcile_subsidy(d["migrant_register"], d["migrant_payments"], year)
    planted = truth["subsidy"][str(year)]
    for status, a in planted["anomalies"].items():
        found = t[t.status == status]
        assert sorted(found.person_key) == a["person_keys"], status
        assert len(found) == a["count"]
        assert found.discrepancy.abs().sum() == pytest.approx(a["amount"]), status
    assert (t.status == "paid_not_entitled").sum() == 0
    assert (t.status == "paid_in_full").sum() == planted["paid_in_full"]
    assert t.entitled.sum() == planted["entitled_persons"]
    assert t.paid.sum() == pytest.approx(planted["amount_paid"])
    # the anomalies net out: the year's total is still persons paid x 600
    assert planted["amount_paid"] == 600 * planted["persons_paid"]


def test_planted_anomaly_sizes_2023(parts):
    a = parts.truth["subsidy"]["2023"]["anomalies"]
    assert {k: (v["count"], v["amount"]) for k, v in a.items()} == {
        "eligible_unpaid": (12, 7200.0), "duplicate": (3, 1800.0), "paid_after_removal": (5, 3000.0),
        "wrong_amount": (7, 1800.0)}
    assert parts.truth["subsidy"]["2023"]["paid_after_removal_reasons"] == {"death": 3, "moved": 1, "other": 1}


def test_register_dynamics(parts, data):
    reg = parts.frames["migrant_register"]
    removed = reg.dropna(subset=["removal_date"])
    lag = (removed.removal_date - removed.event_date).dt.days.dropna()
    assert (lag >= 0).all() and lag.median() == parts.truth["removals"]["lag_days_median"]
    assert (lag > 90).any() and (lag <= 90).mean() > 0.6  # most updates within a quarter, some late
    pending = reg.event_date.notna() & reg.removal_date.isna()
    assert pending.sum() == parts.truth["removals"]["pending_at_2023_12_31"] > 0
    by_year = parts.truth["removals"]["by_year_and_reason"]
    assert sum(by_year["2022"].values()) == im.removals(data["migrant_register"], Period.parse("2022"))
    assert set(reg.removal_reason.dropna()) == {"death", "moved", "other"}
    assert (~reg.eligible).sum() > 0
    assert reg.groupby("household_id").village_code.nunique().max() == 1


def test_projects(parts, data):
    p = parts.frames["migrant_projects"]
    assert set(p.project_type) == {"infrastructure", "environment", "industry", "training"}
    assert p[p.year < 2023].budget.between(350_000, 400_000).all()
    t = im.projects_of_year(data["migrant_projects"], Period.parse("2023"))
    assert (t.finish_slip_days > 0).any() and (t.start_slip_days > 0).any()
    assert (t.status == "not_started").sum() == 1 and (t.status == "in_progress").sum() == 1
    assert 50 < im.budget_execution_rate(data["migrant_projects"], H1) < 95
    assert im.acceptance_pass_rate(data["migrant_projects"], Period.parse("2022")) < 100
    assert parts.truth["projects"]["2023"]["budget"] == pytest.approx(16_707_436)


def _imputation_att(panel: pd.DataFrame, truth_effect: np.ndarray):
    """Household and year fixed effects fitted on untreated household-years; the mean residual of
    treated ones estimates the ATT. Returns (estimate, cluster-by-village SE of the error)."""
    tr = (panel.year >= panel.first_treated).to_numpy()
    hi = pd.factorize(panel.household_id)[0]
    yi = pd.factorize(panel.year)[0]
    x = np.zeros((len(panel), hi.max() + 1 + yi.max()))
    x[np.arange(len(panel)), hi] = 1
    m = yi > 0
    x[np.flatnonzero(m), hi.max() + yi[m]] = 1
    y = panel.log_income.to_numpy()
    beta = np.linalg.lstsq(x[~tr], y[~tr], rcond=None)[0]
    resid = (y - x @ beta)[tr]
    g = pd.DataFrame({"v": panel.village_code.to_numpy()[tr], "e": resid - truth_effect[tr]}).groupby("v").e
    s = g.agg(["sum", "size"])
    bias = s["sum"].sum() / s["size"].sum()
    se = np.sqrt(((s["sum"] - bias * s["size"]) ** 2).sum()) / s["size"].sum()
    return resid.mean(), se


def test_income_did_effect_is_planted_and_recoverable(parts, data):
    truth = parts.truth["income_did"]
    panel = im.income_panel(data["migrant_survey"], data["migrant_projects"])
    since = panel.year - panel.completion_year
    effect = np.where(since >= 1, truth["theta_per_year"] * since, 0.0)
    treated = effect > 0
    assert effect[treated].mean() == pytest.approx(truth["att_overall"])
    assert truth["villages_by_cohort"]["2021"] >= 8 and truth["villages_by_cohort"]["2022"] >= 8
    assert panel.village_code.nunique() >= 40 and truth["villages_never_completed"] >= 10
    est, se = _imputation_att(panel, effect)
    assert abs(est - truth["att_overall"]) < 4 * se
    assert truth["att_overall"] > 4 * se  # detectable with village-clustered errors


def test_income_tracks_the_benchmark(parts, data):
    b = data["rural_income_benchmark"].set_index("year").income_per_capita
    assert b[2021] == 41_303 and b[2022] == 44_000 and b[2023] == 47_000
    assert parts.truth["income_benchmark"]["2021"]["source"] == "stated"
    assert parts.truth["income_benchmark"]["2023"]["source"] == "estimate"
    for year in (2019, 2020, 2021, 2022, 2023):
        ratio = im.migrant_income_ratio(data["migrant_survey"], data["rural_income_benchmark"], Period.parse(str(year)))
        assert 0.95 < ratio < 1.1, year
    # never-treated villages: log income minus log benchmark has no trend
    panel = im.income_panel(data["migrant_survey"], data["migrant_projects"])
    never = panel[panel.completion_year.isna()]
    gap = never.groupby("year").log_income.mean() - np.log(b.reindex(sorted(never.year.unique())))
    assert np.ptp(gap.to_numpy()) < 0.03


def test_satisfaction_and_visits(data):
    assert 90 < im.migrant_satisfaction_rate(data["migrant_survey"], H1) < 99
    assert 80 < im.visit_coverage(data["migrant_register"], data["migrant_visits"], Period.parse("2023")) < 97
    assert im.visit_coverage(data["migrant_register"], data["migrant_visits"], H1) < 70


def test_same_seed_same_data_other_seed_other_data(parts, other):
    again = make(SEED)
    for name, df in parts.frames.items():
        pd.testing.assert_frame_equal(df, again.frames[name])
    assert again.truth == parts.truth
    assert not other[0].frames["migrant_register"].id_number.equals(parts.frames["migrant_register"].id_number)
    json.dumps(parts.truth)


def test_frames_follow_the_spec(parts):
    for name, df in parts.frames.items():
        assert list(df.columns) == DATASETS[name].column_names
    assert set(parts.frames) == set(programmes.get("migrants").datasets)
    reg = parts.frames["migrant_register"]
    assert reg.id_number.is_unique
    from civmon.data.pseudonymise import is_valid_id
    assert reg.id_number.map(is_valid_id).all()
    assert reg.id_number.str.startswith("330502").all()


def test_no_raw_ids_or_names_after_pseudonymisation(parts, data):
    raw = parts.frames["migrant_register"]
    secrets = set(raw.id_number) | set(raw.name)
    for name, df in data.items():
        for col in df.columns:
            if df[col].dtype == object or isinstance(df[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
                assert not secrets & set(df[col].dropna().astype(str)), (name, col)
    assert json.dumps(parts.truth).count("330502") == 0  # truth holds keys, never raw IDs


def test_scale_is_linear_and_keeps_the_anomaly_pattern():
    big = make(SEED, 3.0)
    pay = big.frames["migrant_payments"]
    p23 = pay[pay.year == 2023]
    assert p23.id_number.nunique() == 3 * 5940
    assert p23.amount.sum() == 600 * 3 * 5940
    assert big.truth["subsidy"]["2023"]["anomalies"]["duplicate"]["count"] == 9
