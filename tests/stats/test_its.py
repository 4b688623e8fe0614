"""its(): planted series, the error models (Newey-West by Wooldridge's formula; AR(1) by REML and
Prais-Winsten against their dense-matrix definitions), coverage, seasonality, simulation, errors."""

import numpy as np
import pandas as pd
import pytest

from civmon.stats import EstimationError, its


def _series(T=48, t0=24, level=3.0, slope=-0.2, noise=None):
    t = np.arange(T)
    y = 10 + 0.5 * t + level * (t >= t0) + slope * (t - t0) * (t >= t0)
    if noise is not None:
        y = y + noise
    return pd.DataFrame({"t": t, "y": y})


def test_noise_free_series_is_recovered_with_its_counterfactual():
    res = its(_series(), "t", "y", intervention=24)
    assert res.level_change.estimate == pytest.approx(3.0, abs=1e-9)
    assert res.slope_change.estimate == pytest.approx(-0.2, abs=1e-9)
    assert res.pre_slope.estimate == pytest.approx(0.5, abs=1e-9)
    f = res.fitted
    assert list(f.columns) == ["time", "observed", "fitted", "counterfactual", "post"]
    assert np.allclose(f["fitted"], f["observed"])
    assert np.allclose(f["counterfactual"], 10 + 0.5 * f["time"])
    assert f["post"].sum() == 24
    assert list(res.to_frame()["term"]) == ["level_change", "slope_change"]


def test_newey_west_errors_follow_wooldridges_formula():
    """Wooldridge (Introductory Econometrics, eq. 12.43): se = sqrt(v) / SSR_r, where r_t are
    the residuals of the regressor on the other regressors, a_t = r_t u_t and
    v = sum a_t^2 + 2 sum_h [1 - h/(g+1)] sum_t a_t a_{t-h}. No degrees-of-freedom factor."""
    rng = np.random.default_rng(2)
    df = _series(T=60, t0=30, noise=rng.normal(0, 1, 60))
    for g in (2, None):
        res = its(df, "t", "y", intervention=30, hac_lags=g, errors="newey-west")
        lags = 3 if g is None else g  # floor(4 (60/100)^(2/9)) = 3
        assert res.hac_lags == lags
        t = df["t"].to_numpy(float)
        post = (t >= 30).astype(float)
        X = np.column_stack([np.ones(60), t, post, (t - 30) * post])
        y = df["y"].to_numpy()
        u = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        for j, result in ((2, res.level_change), (3, res.slope_change)):
            others = np.delete(X, j, axis=1)
            r = X[:, j] - others @ np.linalg.lstsq(others, X[:, j], rcond=None)[0]
            a = r * u
            v = a @ a + 2 * sum((1 - h / (lags + 1)) * a[h:] @ a[:-h] for h in range(1, lags + 1))
            assert result.se == pytest.approx(np.sqrt(v) / (r @ r), rel=1e-10)
            assert result.df == 56


def test_monthly_dates_with_seasonality():
    months = pd.date_range("2019-01-01", periods=60, freq="MS")
    month_effect = np.array([0, 1, 2, 0, -1, -2, 0, 1, 2, 0, -1, -2], dtype=float)
    k = np.arange(60)
    y = 100 + 0.3 * k + 5 * (k >= 36) + 0.4 * (k - 36) * (k >= 36) + month_effect[months.month - 1]
    df = pd.DataFrame({"month": months, "cases": y}).sample(frac=1, random_state=0)  # any row order
    res = its(df, "month", "cases", intervention="2022-01-01", seasonal=True, hac_lags=1,
              errors="newey-west")
    assert res.level_change.estimate == pytest.approx(5.0, abs=1e-8)
    assert res.slope_change.estimate == pytest.approx(0.4, abs=1e-8)
    assert res.fitted["time"].is_monotonic_increasing
    seasonal = res.table.set_index("term").loc[[f"month[{m}]" for m in range(2, 13)], "estimate"]
    assert np.allclose(seasonal, month_effect[1:], atol=1e-8)
    no_season = its(df, "month", "cases", intervention="2022-01-01", hac_lags=1, errors="newey-west")
    assert abs(no_season.level_change.estimate - 5.0) > 1e-3  # seasonality matters here


def test_simulated_estimates_are_centred_on_the_planted_changes():
    """400 series of 60 periods with AR(1) errors (rho = 0.3): level and slope changes are
    centred on the truth (coverage: test_default_intervals_cover_where_newey_west_does_not)."""
    from scipy.signal import lfilter
    rng = np.random.default_rng(3)
    noise = lfilter([1.0], [1.0, -0.3], rng.normal(size=(400, 60)), axis=1)
    levels, slopes = [], []
    for e in noise:
        res = its(_series(T=60, t0=30, level=2.0, slope=0.1, noise=e), "t", "y", intervention=30)
        levels.append(res.level_change.estimate)
        slopes.append(res.slope_change.estimate)
    for values, truth in ((levels, 2.0), (slopes, 0.1)):
        values = np.asarray(values)
        assert abs(values.mean() - truth) < 3 * values.std() / np.sqrt(len(values))


def test_its_errors_name_the_problem():
    df = _series()
    with pytest.raises(EstimationError, match="repeats"):
        its(pd.concat([df, df.iloc[:1]]), "t", "y", intervention=24)
    with pytest.raises(EstimationError, match="at least 3 periods on each side"):
        its(df, "t", "y", intervention=46)
    with pytest.raises(EstimationError, match="gaps \\(first at 11\\)"):
        its(df.drop(index=10), "t", "y", intervention=24)
    assert its(df.drop(index=10), "t", "y", intervention=24, hac_lags=0, errors="newey-west").n == 47
    with pytest.raises(EstimationError, match="unknown ITS error model"):
        its(df, "t", "y", intervention=24, errors="ols")
    with pytest.raises(EstimationError, match="monthly dates"):
        its(df, "t", "y", intervention=24, seasonal=True)


# --- the AR(1) error models against their definitions ------------------------------------------------

def _ar1_case(n=40, rho=0.6, seed=5):
    rng = np.random.default_rng(seed)
    u = np.zeros(n)
    for i in range(1, n):
        u[i] = rho * u[i - 1] + rng.standard_normal()
    return _series(T=n, t0=n // 2, noise=u)


def _dense(n, rho, s2):
    i = np.arange(n)
    return s2 / (1 - rho ** 2) * rho ** np.abs(i[:, None] - i[None, :])


def _design(df, t0):
    t = df["t"].to_numpy(float)
    post = (t >= t0).astype(float)
    return np.column_stack([np.ones(len(t)), t, post, (t - t0) * post]), df["y"].to_numpy(float)


def _restricted_loglik(X, y, rho, s2):
    """-2 x the REML log-likelihood (Harville 1977) from the dense covariance, up to a constant."""
    S = _dense(len(y), rho, s2)
    Si = np.linalg.inv(S)
    b = np.linalg.solve(X.T @ Si @ X, X.T @ Si @ y)
    r = y - X @ b
    return np.linalg.slogdet(S)[1] + np.linalg.slogdet(X.T @ Si @ X)[1] + r @ Si @ r


def test_reml_rho_maximises_the_dense_restricted_likelihood_and_the_ols_covariance_is_the_sandwich():
    from civmon.stats.ar_errors import fit_ar1_reml
    df = _ar1_case()
    X, y = _design(df, 20)
    err = fit_ar1_reml(X, y)
    from scipy import optimize
    best = optimize.minimize(lambda th: _restricted_loglik(X, y, th[0], np.exp(th[1])), [0.0, 0.0],
                             method="Nelder-Mead", options={"xatol": 1e-7, "fatol": 1e-10}).x
    assert err.rho == pytest.approx(best[0], abs=1e-4) and err.s2 == pytest.approx(np.exp(best[1]), rel=1e-3)
    res = its(df, "t", "y", intervention=20)  # the default: OLS coefficients, AR(1)-REML covariance
    bread = np.linalg.inv(X.T @ X)
    V = bread @ X.T @ _dense(40, err.rho, err.s2) @ X @ bread
    assert res.level_change.estimate == pytest.approx(np.linalg.lstsq(X, y, rcond=None)[0][2], rel=1e-10)
    assert res.level_change.se == pytest.approx(np.sqrt(V[2, 2]), rel=1e-8)
    assert res.slope_change.se == pytest.approx(np.sqrt(V[3, 3]), rel=1e-8)
    assert 1 <= res.level_change.df <= 40 - 4 - 1 and res.errors == "ols-ar1-reml"
    assert res.diagnostics.rho == pytest.approx(err.rho) and res.diagnostics.ar_order == 1


def test_prais_winsten_and_gls_are_gls_under_their_rho():
    df = _ar1_case(seed=6)
    X, y = _design(df, 20)
    for errors in ("prais-winsten", "gls-ar1-reml"):
        res = its(df, "t", "y", intervention=20, errors=errors)
        Si = np.linalg.inv(_dense(40, res.diagnostics.rho, 1.0))
        b = np.linalg.solve(X.T @ Si @ X, X.T @ Si @ y)
        assert res.level_change.estimate == pytest.approx(b[2], rel=1e-8)
        assert res.slope_change.estimate == pytest.approx(b[3], rel=1e-8)
    pw = its(df, "t", "y", intervention=20, errors="prais-winsten")
    u = y - X @ np.array(pw.table["estimate"])
    assert pw.diagnostics.rho == pytest.approx((u[1:] @ u[:-1]) / (u[:-1] @ u[:-1]), abs=1e-6)  # iterated to a fixed point


def test_arima_errors_match_statsmodels_sarimax():
    import statsmodels.api as sm
    df = _ar1_case(seed=7)
    X, y = _design(df, 20)
    ref = sm.tsa.SARIMAX(y, exog=X[:, 1:], order=(1, 0, 0), trend="c").fit(disp=False)
    res = its(df, "t", "y", intervention=20, errors="arima")
    # the same maximum likelihood, reached from a standardised outcome (optimiser tolerance apart)
    assert res.level_change.estimate == pytest.approx(ref.params[2], rel=5e-3)
    assert res.level_change.se == pytest.approx(ref.bse[2], rel=5e-3)
    assert res.level_change.df is None  # normal intervals, as SARIMAX reports
    # and the scale of the outcome does not matter (raw SARIMAX fails on spending in yuan: see its.py)
    big = its(df.assign(y=df["y"] * 1e6 + 3e7), "t", "y", intervention=20, errors="arima")
    assert big.level_change.estimate == pytest.approx(res.level_change.estimate * 1e6, rel=1e-4)
    assert big.slope_change.se == pytest.approx(res.slope_change.se * 1e6, rel=1e-3)


def test_a_placebo_date_in_a_series_without_change_covers_zero_at_the_nominal_rate():
    """150 series of Turner et al.'s design (bench/its_coverage.py) with no change at all: the 95%
    intervals of the level and slope change at the pretended date cover 0 in about 95% of them
    (Monte Carlo SE 0.018)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from its_coverage import turner_series

    rng = np.random.default_rng(36)
    hits = np.zeros(2)
    for _ in range(150):
        frame, t0, _truth = turner_series(36, 0.4, rng, level=0.0, slope=0.0)
        res = its(frame, "t", "y", intervention=t0)
        hits += [res.level_change.ci_low <= 0 <= res.level_change.ci_high,
                 res.slope_change.ci_low <= 0 <= res.slope_change.ci_high]
    cover = hits / 150
    assert np.all(cover >= 0.90) and np.all(cover <= 0.995), cover
