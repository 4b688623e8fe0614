"""km() and cox(): hand calculations, R's median rule, lifelines cross-checks, errors."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from civmon.stats import EstimationError, cox, km


@pytest.fixture
def small():
    return pd.DataFrame({"t": [1, 2, 2, 3, 4, 4, 5, 6], "e": [1, 1, 0, 1, 0, 1, 1, 0]})


def test_km_table_by_hand(small):
    """S: 7/8, x 6/7, x 4/5, x 3/4, x 1/2 -> .875, .75, .6, .45, .225 (censored at 2 and 4
    still at risk there). Greenwood: var(log S) = sum d / (n (n - d)); log-transform CI."""
    res = km(small, "t", "e")
    tab = res.table
    assert list(tab["time"]) == [1, 2, 3, 4, 5]
    assert list(tab["n_risk"]) == [8, 7, 5, 4, 2]
    assert list(tab["n_censored"]) == [0, 1, 0, 1, 0]
    assert np.allclose(tab["survival"], [0.875, 0.75, 0.6, 0.45, 0.225])
    var_log = np.cumsum([1 / (8 * 7), 1 / (7 * 6), 1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1)])
    assert np.allclose(tab["se"], tab["survival"] * np.sqrt(var_log))
    z = stats.norm.ppf(0.975)
    assert np.allclose(tab["ci_low"], tab["survival"] * np.exp(-z * np.sqrt(var_log)))
    assert np.allclose(tab["ci_high"], np.minimum(1, tab["survival"] * np.exp(z * np.sqrt(var_log))))
    med = res.median.iloc[0]
    assert med["median"] == 4 and med["n"] == 8 and med["events"] == 5


def test_median_rule_midpoint_and_not_reached():
    """R: a curve sitting exactly at 0.5 gives the midpoint to the next event time
    (1, 2, 3, 4 all events -> median 2.5); a curve that never reaches 0.5 gives NaN."""
    res = km(pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 1, 1, 1]}), "t", "e")
    assert res.median.iloc[0]["median"] == 2.5
    late = km(pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 0, 0, 0, 0]}), "t", "e")
    assert np.isnan(late.median.iloc[0]["median"])


def test_km_matches_lifelines_by_group():
    lifelines = pytest.importorskip("lifelines")
    rossi = lifelines.datasets.load_rossi()
    res = km(rossi, "week", "arrest", group="fin")
    for g, sub in rossi.groupby("fin"):
        kmf = lifelines.KaplanMeierFitter().fit(sub["week"], sub["arrest"])
        ours = res.table[res.table["group"] == g].set_index("time")["survival"]
        theirs = kmf.survival_function_.iloc[:, 0].loc[ours.index]
        assert np.allclose(ours, theirs, rtol=1e-12)
    assert set(res.median["group"]) == {0, 1}


def test_cox_efron_agrees_with_lifelines():
    """lifelines' CoxPHFitter (Efron ties) is an independent implementation; it stops at a
    looser tolerance, so agreement is to about 1e-5."""
    lifelines = pytest.importorskip("lifelines")
    lung = lifelines.datasets.load_lung()[["time", "status", "age", "sex", "ph.ecog"]].dropna()
    res = cox(lung, "time", "status", ["age", "sex", "ph.ecog"]).table.set_index("term")
    cph = lifelines.CoxPHFitter().fit(lung, "time", "status")
    assert np.allclose(res["coef"], cph.params_[res.index], rtol=1e-4)
    assert np.allclose(res["se"], cph.standard_errors_[res.index], rtol=1e-4)
    assert np.allclose(res["hazard_ratio"], np.exp(res["coef"]))
    assert np.allclose(res["ci_low"], np.exp(res["coef"] - stats.norm.ppf(0.975) * res["se"]))


def test_survival_errors_name_the_problem(small):
    with pytest.raises(EstimationError, match="no events"):
        cox(small.assign(e=0, x=[1, 2, 3, 4, 5, 6, 7, 8]), "t", "e", ["x"])
    with pytest.raises(EstimationError, match="constant or collinear"):
        cox(small.assign(x=1.0), "t", "e", ["x"])
    with pytest.raises(EstimationError, match="constant or collinear"):
        cox(small.assign(x=np.arange(8.0), z=2 * np.arange(8.0)), "t", "e", ["x", "z"])
    separated = pd.DataFrame({"t": range(1, 9), "e": [1, 1, 1, 1, 0, 0, 0, 0], "x": [1, 1, 1, 1, 0, 0, 0, 0]})
    with pytest.raises(EstimationError, match="monotone likelihood"):
        cox(separated, "t", "e", ["x"])
    with pytest.raises(EstimationError, match="binary"):
        km(small.assign(e=2), "t", "e")
    with pytest.raises(EstimationError, match="negative durations"):
        km(small.assign(t=-1), "t", "e")


def test_cox_with_left_truncation_matches_lifelines_entry_col():
    """Delayed entry (left truncation): coefficients and errors equal lifelines' CoxPHFitter(entry_col)."""
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(11)
    n = 600
    x1, x2 = rng.integers(0, 2, n), rng.integers(0, 2, n)
    t = rng.exponential(20 / np.exp(0.6 * x1 + 0.3 * x2))
    entry = rng.uniform(0, 10, n)
    keep = t > entry  # only spells still running at entry are observed
    censor = entry + rng.uniform(5, 40, n)
    d = pd.DataFrame({"time": np.minimum(t, censor), "event": (t <= censor).astype(int), "x1": x1, "x2": x2,
                      "entry": entry})[keep]
    ours = cox(d, "time", "event", ["x1", "x2"], entry="entry").table.set_index("term")
    ref = lifelines.CoxPHFitter().fit(d, "time", "event", entry_col="entry")
    assert np.allclose(ours["coef"], ref.params_[["x1", "x2"]], atol=1e-5)
    assert np.allclose(ours["se"], ref.standard_errors_[["x1", "x2"]], atol=1e-5)
    naive = cox(d, "time", "event", ["x1", "x2"]).table.set_index("term")
    assert not np.allclose(naive["coef"], ours["coef"], atol=1e-3)  # ignoring entry times changes the fit


def test_cox_rejects_entry_after_exit():
    d = pd.DataFrame({"time": [5.0, 6, 7, 8], "event": [1, 0, 1, 1], "x": [0, 1, 0, 1], "entry": [0, 7, 1, 1]})
    with pytest.raises(EstimationError, match="entry times"):
        cox(d, "time", "event", ["x"], entry="entry")
