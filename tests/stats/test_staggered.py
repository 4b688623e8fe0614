"""did_imputation (Borusyak-Jaravel-Spiess / Gardner two-stage) by hand and against pyfixest's did2s,
planted heterogeneous effects beside Sun-Abraham and the naive TWFE, and without_earliest_cohort."""

import warnings

import numpy as np
import pandas as pd
import pytest
from stats_sim import make_staggered_panel

from civmon.stats import EstimationError, did_imputation, event_study, twfe, without_earliest_cohort


def _heterogeneous(g, e):
    """Effects that differ by cohort and grow with event time (largest for the earliest cohort)."""
    a = np.select([g == 6, g == 12, g == 18], [3.0, 1.5, 0.5], 1.0)
    b = np.select([g == 6, g == 12, g == 18], [0.3, 0.15, 0.05], 0.1)
    return a + b * e


def _planted_att(df: pd.DataFrame, horizon: int | None) -> float:
    tr = df[df["treated"] == 1]
    e = tr["time"] - tr["first_treated"]
    return float(tr.loc[e <= (np.inf if horizon is None else horizon), "true_effect"].mean())


def test_equals_the_imputation_by_hand():
    """Unbalanced panel: unit and time effects fitted by least squares on the untreated rows only
    (never-treated and not-yet-treated), each treated row's effect is y minus its imputed y(0), the
    event-time estimates their means and the ATT the mean over event times 0..horizon."""
    df = make_staggered_panel(np.random.default_rng(1), 60, 14, [4, 8, 11, np.nan], _heterogeneous, missing=0.1)
    res = did_imputation(df, "y", "unit", "time", "first_treated", horizon=3)
    u = df[df["treated"] == 0]
    units, times = sorted(df["unit"].unique()), sorted(df["time"].unique())

    def design(frame):
        return np.column_stack([(frame["unit"].to_numpy()[:, None] == np.array(units)[None, :]),
                                (frame["time"].to_numpy()[:, None] == np.array(times[1:])[None, :])]).astype(float)

    coef = np.linalg.lstsq(design(u), u["y"].to_numpy(), rcond=None)[0]
    tr = df[df["treated"] == 1].assign(e=lambda f: f["time"] - f["first_treated"])
    tr = tr.assign(tau=tr["y"] - design(tr) @ coef)
    by_e = tr.groupby("e")["tau"].mean()
    table = res.table.set_index("event_time")
    assert list(table.index) == [0, 1, 2, 3]
    assert np.allclose(table["estimate"], by_e.loc[[0, 1, 2, 3]], rtol=0, atol=1e-10)
    assert res.estimate == pytest.approx(tr.loc[tr["e"] <= 3, "tau"].mean(), abs=1e-10)
    assert res.n == int((tr["e"] <= 3).sum()) == table["n"].sum()
    assert res.estimate == pytest.approx(float(np.average(table["estimate"], weights=table["n"])), abs=1e-12)
    assert res.n_clusters == 60 and res.df == 59 and res.term == "ATT (event time 0..3)"
    assert res.ci_low < res.estimate < res.ci_high


@pytest.mark.filterwarnings("ignore")
def test_matches_pyfixest_did2s_up_to_the_small_sample_factor():
    """pyfixest's did2s (Butts' R did2s) with a second stage saturated in cohort x event time: the
    event-time and overall estimates are the cell coefficients averaged by treated observations (its
    first stage iterates to a tolerance), and our errors are its GMM errors times sqrt(G/(G-1)),
    clustered by a coarser group."""
    pf = pytest.importorskip("pyfixest")
    warnings.filterwarnings("ignore", module="pyfixest")
    df = make_staggered_panel(np.random.default_rng(3), 200, 30, [8, 14, 20, 26, np.nan], _heterogeneous, missing=0.1)
    df["cl"] = df["unit"] % 40
    ours = did_imputation(df, "y", "unit", "time", "first_treated", horizon=None, cluster="cl")
    d = df.assign(is_tr=df["treated"].astype(bool))
    e = (d["time"] - d["first_treated"]).where(d["is_tr"])
    d["cell"] = np.where(d["is_tr"], d["first_treated"].fillna(0).astype(int).astype(str) + "_"
                         + e.fillna(0).astype(int).astype(str).str.zfill(2), "none")
    fit = pf.did2s(d, yname="y", first_stage="~ 0 | unit + time", second_stage="~ i(cell, ref='none')",
                   treatment="is_tr", cluster="cl")
    coef, vcov = fit.coef(), np.asarray(fit._vcov)
    cells = [name.split("::")[1] for name in coef.index]
    n_cell = d.loc[d["is_tr"], "cell"].value_counts().reindex(cells).to_numpy()
    cell_e = np.array([int(c.split("_")[1]) for c in cells])
    w = n_cell / n_cell.sum()
    assert len(cells) == 4 * 30 - (8 + 14 + 20 + 26)
    assert ours.estimate == pytest.approx(float(w @ coef.to_numpy()), rel=1e-6)
    assert ours.se / np.sqrt(40 / 39) == pytest.approx(float(np.sqrt(w @ vcov @ w)), rel=1e-6)
    table = ours.table.set_index("event_time")
    for ev in (0, 5, 21):
        we = np.where(cell_e == ev, n_cell, 0) / n_cell[cell_e == ev].sum()
        assert table.loc[ev, "estimate"] == pytest.approx(float(we @ coef.to_numpy()), rel=1e-5)
        assert table.loc[ev, "se"] / np.sqrt(40 / 39) == pytest.approx(float(np.sqrt(we @ vcov @ we)), rel=1e-5)


def test_recovers_planted_heterogeneous_effects_as_sun_abraham_does_where_twfe_is_biased():
    """Staggered adoption (cohorts 6, 12, 18 and never-treated units; the later cohorts are
    not-yet-treated controls of the earlier ones) with effects differing by cohort and growing with
    event time: Sun-Abraham's ATT and the imputation ATT both cover the planted ATT over every
    treated observation and over event times 0..6; the naive TWFE misses it by far more than its CI."""
    df = make_staggered_panel(np.random.default_rng(7), 300, 24, [6, 12, 18, np.nan], _heterogeneous)
    for horizon in (None, 6):
        planted = _planted_att(df, horizon)
        m = 17 if horizon is None else horizon
        sa = event_study(df, "y", "unit", "time", "first_treated", window=(-4, m)).att
        im = did_imputation(df, "y", "unit", "time", "first_treated", horizon=horizon)
        assert sa.n == im.n
        for r in (sa, im):
            assert r.ci_low < planted < r.ci_high, (horizon, r.method)
            assert abs(r.estimate - planted) < 2.5 * r.se
    naive = twfe(df, "y", "treated", "unit", "time")
    planted = _planted_att(df, None)
    assert planted == pytest.approx(3.654, abs=1e-3)
    assert naive.ci_high < planted - 1.0  # ~2.0 against 3.65: the design bites


def test_imputation_intervals_cover_the_planted_att_over_seeds():
    """40 small panels: the 95% interval covers the planted ATT (event times 0..4) in at least 36,
    the mean error is small against the standard error, and the standard errors match the spread."""
    errors, ses, covered = [], [], 0
    for seed in range(40):
        df = make_staggered_panel(np.random.default_rng(1000 + seed), 120, 20, [5, 10, 15, np.nan],
                                  lambda g, e: (g / 5) * (1 + 0.2 * e))
        planted = _planted_att(df, 4)
        r = did_imputation(df, "y", "unit", "time", "first_treated", horizon=4)
        covered += r.ci_low < planted < r.ci_high
        errors.append(r.estimate - planted)
        ses.append(r.se)
    assert covered >= 36
    assert abs(np.mean(errors)) < 2 * np.mean(ses) / np.sqrt(40)
    assert 0.75 < np.std(errors) / np.mean(ses) < 1.25


def test_monthly_dates_and_several_outcomes():
    df = make_staggered_panel(np.random.default_rng(2), 80, 18, [6, 10, np.nan], _heterogeneous)
    months = pd.Timestamp("2022-01-01") + pd.to_timedelta(0, "D")
    df = df.assign(month=pd.date_range(months, periods=18, freq="MS")[df["time"]],
                   first=pd.Series(pd.date_range(months, periods=18, freq="MS")).reindex(
                       df["first_treated"].fillna(-1).astype(int)).to_numpy(), y2=2 * df["y"])
    by_int = did_imputation(df, "y", "unit", "time", "first_treated", horizon=5)
    a, b = did_imputation(df, ["y", "y2"], "unit", "month", "first", horizon=5)
    assert a.estimate == pytest.approx(by_int.estimate, abs=1e-12) and a.se == pytest.approx(by_int.se, rel=1e-12)
    assert b.estimate == pytest.approx(2 * a.estimate, rel=1e-12) and b.se == pytest.approx(2 * a.se, rel=1e-12)


def test_errors_name_the_problem():
    df = make_staggered_panel(np.random.default_rng(4), 40, 12, [4, 8], _heterogeneous)  # no never-treated
    with pytest.raises(EstimationError, match="period 8 has no untreated observation"):
        did_imputation(df, "y", "unit", "time", "first_treated")
    ok = make_staggered_panel(np.random.default_rng(4), 40, 12, [4, 8, np.nan], _heterogeneous)
    with pytest.raises(EstimationError, match="too few clusters"):
        did_imputation(ok.assign(c=ok["unit"] % 5), "y", "unit", "time", "first_treated", cluster="c")
    with pytest.raises(EstimationError, match="nobody adopts"):
        did_imputation(ok.assign(first_treated=np.nan), "y", "unit", "time", "first_treated")


def test_without_earliest_cohort_drops_its_units_only():
    df = make_staggered_panel(np.random.default_rng(5), 40, 12, [0, 4, 8, np.nan], _heterogeneous)
    out, cohort = without_earliest_cohort(df, "unit", "time", "first_treated")
    # cohort 0 is treated from the first period (no pre-period): not a cohort, kept as the estimators drop it
    assert cohort == 4
    assert set(out["first_treated"].dropna().unique()) == {0, 8}
    assert len(out) == len(df) - 10 * 12
    es = event_study(out, "y", "unit", "time", "first_treated", window=(-3, 3))
    assert es.by_cohort_time["cohort"].unique().tolist() == [8]
    with pytest.raises(EstimationError, match="nobody adopts"):
        without_earliest_cohort(df.assign(first_treated=np.nan), "unit", "time", "first_treated")
