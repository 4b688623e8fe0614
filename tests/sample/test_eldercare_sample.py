"""The eldercare programme of the synthetic sample: calibration to the seed's 2023H1 figures,
realism, planted upgrade effects (recoverable by a staggered-robust estimator, missed by TWFE),
determinism and pseudonymisation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import civmon.indicators.eldercare as ie
from civmon import programmes
from civmon.data.spec import DATASETS
from civmon.indicators.registry import REGISTRY
from civmon.period import Period
from civmon.sample import eldercare
from civmon.sample.geography import build_areas

from .common import H1, REFERENCE, SEED, check_calibration, pseudo, reference_rows  # noqa: F401


def make(seed: int, scale: float = 1.0):
    return eldercare.generate(build_areas(seed), np.random.default_rng([seed, 2]), scale)


@pytest.mark.parametrize("seed", [SEED, 7])
def test_2023h1_indicators_equal_the_reference(seed, parts, data):
    d = data if seed == SEED else pseudo(make(seed))
    rows = reference_rows("eldercare")
    assert len(rows) == 7
    for r in rows.itertuples():
        value = REGISTRY[r.indicator_id].compute(d, H1)
        if r.bound == "exact":
            assert value == pytest.approx(r.value, abs=1e-9), r.indicator_id
        else:
            assert value >= r.value, r.indicator_id
    # "10万余": a little over 100,000, not 130,000
    assert REGISTRY["care_center_service_times"].compute(d, H1) < 110_000


def test_truth_records_the_calibration(parts, data):
    c = parts.truth["calibration_2023H1"]
    assert c["care_centers"] == 200 and c["centers_upgrade_planned"] == 25
    assert ie.meal_service_coverage(data["meal_coverage"], H1) == pytest.approx(c["meal_service_coverage_pct"],
                                                                                 abs=1e-3)
    assert ie.centres_below_area_standard(data["care_centres"], H1) == parts.truth["centres_below_area_standard_2023H1"]
    assert ie.area_gap_m2(data["care_centres"], H1) == pytest.approx(parts.truth["area_gap_m2_2023H1"], abs=0.05)
    insp = parts.truth["inspections"]
    assert ie.inspection_findings(data["safety_inspections"], H1) == insp["findings_2023H1"]
    json.dumps(parts.truth)


def test_realism(parts, data):
    c = parts.frames["care_centres"]
    township = c.centre_name.str.endswith("居家养老服务中心")
    assert township.sum() == 14 and (c.floor_area_m2[township] >= 1500).all()
    village = (c.urban_rural == "rural") & ~township
    assert c.floor_area_m2[village].between(200, 600).all()
    t = ie.area_standard_table(data["care_centres"], H1)
    old = t[t.old_neighbourhood.astype(bool)]
    assert len(old) >= 15 and old.below_standard.mean() > 0.6  # the seed's problem
    assert t[~t.old_neighbourhood.astype(bool)].below_standard.mean() < 0.3
    f = ie.findings_table(data["safety_inspections"], Period.parse("2023"))
    assert set(f.status) == {"rectified_on_time", "rectified_late", "open"}
    assert 50 < ie.carer_certification_rate(data["carers"], H1) < 100
    assert ie.upgrades_completed(data["centre_upgrades"], H1) == 0  # the 2023 plans complete later
    assert ie.upgrades_completed(data["centre_upgrades"], Period.parse("2023")) == 16
    assert 85 < ie.eldercare_satisfaction_rate(data["satisfaction_survey"], H1) < 99


def _panel(data, outcome):
    p = ie.upgrade_panel(data["care_centres"], data["centre_upgrades"], data["centre_services"],
                         data["satisfaction_survey"])
    p["t"] = (p.month.dt.year - 2021) * 12 + p.month.dt.month - 1
    g = (p.first_treated.dt.year - 2021) * 12 + p.first_treated.dt.month - 1
    p["e"] = p.t - g
    p["treated"] = (p.e >= 0).to_numpy()
    p["y"] = p[outcome].astype(float)
    return p.dropna(subset=["y"]).reset_index(drop=True)


def _two_way(p, rows, extra=None):
    """Least squares of y on centre and month dummies (+ extra columns) over `rows`."""
    ui = pd.factorize(p.centre_id)[0]
    ti = pd.factorize(p.t)[0]
    x = np.zeros((len(p), ui.max() + 1 + ti.max()))
    x[np.arange(len(p)), ui] = 1
    m = ti > 0
    x[np.flatnonzero(m), ui.max() + ti[m]] = 1
    if extra is not None:
        x = np.column_stack([x, extra])
    beta = np.linalg.lstsq(x[rows], p.y.to_numpy()[rows], rcond=None)[0]
    return x, beta


@pytest.mark.parametrize("outcome,key", [("service_person_times", "service_person_times"),
                                         ("satisfaction", "satisfaction_score")])
def test_planted_upgrade_effects_recovered_and_twfe_biased(parts, data, outcome, key):
    truth = parts.truth["upgrade_effects"]["outcomes"][key]
    p = _panel(data, outcome)
    tr = p.treated.to_numpy()
    # true effect per treated centre-month, from the truth's cohort x event-time table
    cohort = p.first_treated.dt.strftime("%Y-%m")
    tau = np.array([truth["cohorts"][c]["effects"][str(int(e))] if t else 0.0
                    for c, e, t in zip(cohort, p.e.fillna(-1), tr)])
    assert tau[tr].mean() == pytest.approx(truth["att"]["all_post"])
    assert tr.sum() == truth["n_treated_centre_months"]
    # imputation estimator (Borusyak, Jaravel and Spiess): fixed effects from untreated rows only
    x, beta = _two_way(p, ~tr)
    resid = p.y.to_numpy() - x @ beta
    # cluster-robust (by centre) standard error of the mean estimation error
    g = pd.DataFrame({"c": p.centre_id[tr].to_numpy(), "err": resid[tr] - tau[tr]}).groupby("c").err.agg(["sum", "size"])
    bias = g["sum"].sum() / g["size"].sum()
    se = np.sqrt(((g["sum"] - bias * g["size"]) ** 2).sum()) / g["size"].sum()
    att_hat = resid[tr].mean()
    assert abs(att_hat - truth["att"]["all_post"]) < 4 * se
    # effects are large relative to the noise, grow with time since completion, differ by cohort
    assert truth["att"]["all_post"] > 8 * se
    ev = truth["event_time"]
    assert ev["24"]["effect"] > 2 * ev["0"]["effect"]
    first = [c["effects"]["0"] for c in truth["cohorts"].values()]
    assert max(first) > 2 * min(first)
    # naive static TWFE is pulled well below the ATT
    x, beta = _two_way(p, np.ones(len(p), bool), extra=tr.astype(float))
    assert truth["att"]["all_post"] - beta[-1] > max(3 * se, 0.15 * truth["att"]["all_post"])


def test_flat_pre_trends(data):
    """The 2023 cohorts against never-upgraded centres over 2021-01..2023-06: no trend in the gap."""
    p = _panel(data, "service_person_times")
    late = p.first_treated >= pd.Timestamp("2023-01-01")
    never = p.first_treated.isna()
    pre = p.t < 30
    gap = (p[late & pre].groupby("t").y.mean() - p[never & pre].groupby("t").y.mean()).dropna()
    t = gap.index.to_numpy(float)
    slope, intercept = np.polyfit(t, gap.to_numpy(), 1)
    resid = gap.to_numpy() - (slope * t + intercept)
    se = np.sqrt(resid.var(ddof=2) / ((t - t.mean()) ** 2).sum())
    assert abs(slope) < 4 * se
    assert abs(slope) < 0.2  # person-times per month, against effects of 8-50


def test_same_seed_same_data_other_seed_other_data(parts):
    again = make(SEED)
    for name, df in parts.frames.items():
        pd.testing.assert_frame_equal(df, again.frames[name])
    assert again.truth == parts.truth
    other = make(7)
    assert not other.frames["centre_services"].equals(parts.frames["centre_services"])


def test_frames_follow_the_spec(parts):
    for name, df in parts.frames.items():
        assert list(df.columns) == DATASETS[name].column_names
    assert set(parts.frames) == set(programmes.get("eldercare").datasets)
    s = parts.frames["centre_services"]
    assert not s.duplicated(["centre_id", "month"]).any()
    assert s.month.min() == pd.Timestamp("2021-01-01") and s.month.max() == pd.Timestamp("2023-12-01")


def test_no_raw_ids_or_names_after_pseudonymisation(parts, data):
    raw = parts.frames["carers"]
    secrets = set(raw.id_number) | set(raw.name)
    for name, df in data.items():
        for col in df.columns:
            if df[col].dtype == object or isinstance(df[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
                assert not secrets & set(df[col].dropna().astype(str)), (name, col)
    assert "id_number" not in data["carers"] and "name" not in data["carers"]


def test_scale_is_linear():
    small, big = make(SEED, 1.0), make(SEED, 3.0)
    ratio = len(big.frames["centre_services"]) / len(small.frames["centre_services"])
    assert 2.8 < ratio < 3.2
    assert len(big.frames["carers"]) == 3 * len(small.frames["carers"])


def test_small_scale_generates():
    """A tenth-size sample (for quick experiments) still has dementia beds in blocks of 5."""
    beds = make(SEED, scale=0.1).frames["dementia_beds"]
    assert len(beds) > 0 and (beds["beds"] % 5 == 0).all() and (beds["beds"] > 0).all()
