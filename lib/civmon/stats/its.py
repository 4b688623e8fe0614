"""Interrupted time series: segmented regression with a choice of error model, the counterfactual
line, and the residual diagnostics a method note reports.

The default error model, ``ols-ar1-reml``, was chosen by the coverage study in
``bench/its_coverage.py`` (see its docstring and docs/its_coverage.md): of the error models offered it
is the one whose 95% intervals cover the level and slope change at close to the nominal rate on the
sample's own series and on Turner et al.'s (2021) simulation designs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

from civmon.stats.ar_errors import (Ar1Errors, fit_ar1_reml, fit_prais_winsten, gls_coefficients, ols_covariance,
                                    satterthwaite_df, whiten)
from civmon.stats.errors import EstimationError
from civmon.stats.event_study import period_index
from civmon.stats.regression import complete_rows, fit_linear, newey_west_lags, numeric, t_inference
from civmon.stats.results import ItsDiagnostics, ItsResult, Result

MIN_SEGMENT = 3
ERRORS = ("ols-ar1-reml", "gls-ar1-reml", "prais-winsten", "arima", "newey-west")
DEFAULT_ERRORS = "ols-ar1-reml"
METHOD = {
    "ols-ar1-reml": "segmented regression (OLS), AR(1) errors by REML, Satterthwaite df",
    "gls-ar1-reml": "segmented regression (GLS), AR(1) errors by REML, Satterthwaite df",
    "prais-winsten": "segmented regression, Prais-Winsten FGLS with AR(1) errors",
    "arima": "regression with AR(p) errors (SARIMAX, maximum likelihood)",
    "newey-west": "segmented regression, Newey-West",
}


def segment_design(t_raw: np.ndarray, t0: float, seasonal: bool, kind: str) -> tuple[np.ndarray, list[str]]:
    """Columns 1, t, post, (t - t0) post [, month dummies] of the segmented regression."""
    post = (t_raw >= t0).astype(float)
    cols = [np.ones(len(t_raw)), t_raw - t_raw[0], post, (t_raw - t0) * post]
    names = ["Intercept", "time", "level_change", "slope_change"]
    if seasonal:
        if kind != "month":
            raise EstimationError("seasonal=True needs monthly dates in the time column")
        month = (t_raw % 12).astype(int)
        for m in range(1, 12):
            cols.append((month == m).astype(float))
            names.append(f"month[{m + 1}]")
    return np.column_stack(cols), names


def its(df: pd.DataFrame, time: str, outcome: str, intervention, hac_lags: int | None = None,
        seasonal: bool = False, *, errors: str = DEFAULT_ERRORS, ar_order: int = 1,
        hac_df_correction: bool = False, level: float = 0.95) -> ItsResult:
    """Segmented regression ``y = b0 + b1 t + b2 post + b3 (t - t0) post [+ month dummies] + u``.

    ``time`` holds dates (monthly periods) or integer periods, one row per period;
    ``intervention`` is the first post-intervention period t0 (same kind as ``time``).
    ``level_change`` is b2 (the jump at t0), ``slope_change`` b3 (per period), ``pre_slope`` b1.

    ``errors`` chooses the error model and so the intervals:

    * ``ols-ar1-reml`` (default): OLS coefficients (every period weighted alike, so the estimand is
      the least-squares line through the post-period even when the effect ramps in), with their
      covariance (X'X)^-1 X' Sigma X (X'X)^-1 under AR(1) errors estimated by REML, and t intervals
      with Satterthwaite degrees of freedom for each coefficient;
    * ``gls-ar1-reml``: GLS under REML AR(1) errors, Satterthwaite df (Turner et al. 2021's REML);
    * ``prais-winsten``: iterated Prais-Winsten FGLS with AR(1) errors, t(n-k) (Stata ``prais``);
    * ``arima``: regression with AR(``ar_order``) errors by maximum likelihood (statsmodels
      ``SARIMAX``, exogenous segment terms), normal intervals;
    * ``newey-west``: OLS with Newey-West errors, Bartlett weights and ``hac_lags`` lags (default
      floor(4 (n/100)^(2/9))), no df correction (Wooldridge s.12.5; ``hac_df_correction=True``
      multiplies by n/(n-k)), t(n-k).

    ``seasonal=True`` adds month-of-year dummies (monthly dates only). ``fitted`` gives observed,
    fitted and counterfactual (b2 = b3 = 0) lines; ``diagnostics`` the Durbin-Watson statistic of
    the OLS residuals and a Ljung-Box test of the residuals the error model leaves (whitened for
    the AR models).

    Raises :class:`EstimationError` if times repeat, periods are missing (for every error model
    but Newey-West with hac_lags=0), or either segment has fewer than 3 periods.
    """
    if errors not in ERRORS:
        raise EstimationError(f"unknown ITS error model {errors!r}; use one of {ERRORS}")
    d = complete_rows(df, [time, outcome])
    t_raw, kind = period_index(d[time])
    order = np.argsort(t_raw, kind="stable")
    d, t_raw = d.iloc[order], t_raw[order]
    if len(np.unique(t_raw)) != len(t_raw):
        raise EstimationError(f"{time!r} repeats: its() takes one row per period (aggregate first)")
    if kind == "month":
        intervention = pd.Timestamp(intervention)
    t0_arr, _ = period_index(pd.Series([intervention]))
    if not np.isfinite(t0_arr[0]):
        raise EstimationError("intervention time is missing")
    t0 = t0_arr[0]
    y = numeric(d, outcome)
    X, names = segment_design(t_raw, t0, seasonal, kind)
    post = X[:, 2]
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < MIN_SEGMENT or n_post < MIN_SEGMENT:
        raise EstimationError(f"interrupted time series needs at least {MIN_SEGMENT} periods on each "
                              f"side of the intervention (have {n_pre} before, {n_post} after)")
    lags = newey_west_lags(len(d)) if hac_lags is None else int(hac_lags)
    gaps = np.flatnonzero(np.diff(t_raw) != 1)
    if len(gaps) and (errors != "newey-west" or lags > 0):
        first = d[time].iloc[gaps[0] + 1]
        raise EstimationError(f"{time!r} has gaps (first at {first}): the error model needs consecutive "
                              "periods; fill the missing periods (or use errors='newey-west', hac_lags=0)")
    if errors == "newey-west":
        fit = fit_linear(y, X, names, se="hac", hac_lags=lags, hac_df_correction=hac_df_correction,
                         describe={nm: f"month dummy {nm}" for nm in names[4:]})
        b, V, dfs, resid_white, err = fit.params, fit.vcov, np.full(len(names), float(fit.dof)), None, None
        method = f"{METHOD[errors]} ({lags} lags)"
    else:
        b, V, dfs, resid_white, err = _ar_fit(X, y, errors, ar_order)
        method = METHOD[errors] if errors != "arima" else METHOD[errors].replace("AR(p)", f"AR({ar_order})")
    res = {nm: _result(nm, b[i], V[i, i], dfs[i], len(y), method, level) for i, nm in enumerate(names)}
    fitted = X @ b
    X_cf = X.copy()
    X_cf[:, 2:4] = 0.0
    plot = pd.DataFrame({"time": d[time].to_numpy(), "observed": y, "fitted": fitted,
                         "counterfactual": X_cf @ b, "post": post.astype(bool)})
    table = pd.DataFrame([{"term": nm, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                           "ci_high": r.ci_high, "pvalue": r.pvalue, "df": r.df} for nm, r in res.items()])
    ols_resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    diag = diagnostics(ols_resid, y - fitted if resid_white is None else resid_white,
                       0 if err is None else ar_order, err)
    return ItsResult(level_change=res["level_change"], slope_change=res["slope_change"], pre_slope=res["time"],
                     fitted=plot, table=table, hac_lags=lags if errors == "newey-west" else 0, n=len(y),
                     errors=errors, diagnostics=diag, vcov=V, names=tuple(names))


def _result(name: str, est: float, var: float, df: float | None, n: int, method: str, level: float) -> Result:
    se = float(np.sqrt(max(var, 0.0)))
    lo, hi, p = t_inference(float(est), se, None if df is None or not np.isfinite(df) else float(df), level)
    return Result(estimate=float(est), se=se, ci_low=lo, ci_high=hi, pvalue=p, n=n, method=method, term=name,
                  level=level, df=None if df is None or not np.isfinite(df) else float(df))


def _ar_fit(X: np.ndarray, y: np.ndarray, errors: str, ar_order: int):
    """Coefficients, covariance, per-coefficient df, whitened residuals and the error process."""
    n, k = X.shape
    if errors == "arima":
        return _arima_fit(X, y, ar_order)
    if errors == "prais-winsten":
        err = fit_prais_winsten(X, y)
        b, V = gls_coefficients(X, y, err)
        dfs = np.full(k, float(n - k))
    else:
        err = fit_ar1_reml(X, y)
        if errors == "ols-ar1-reml":
            b = np.linalg.lstsq(X, y, rcond=None)[0]
            V = ols_covariance(X, err)

            def var_of(theta):
                return np.diag(ols_covariance(X, err, theta[1], np.exp(theta[0])))
        else:
            b, V = gls_coefficients(X, y, err)

            def var_of(theta):
                e = Ar1Errors(rho=theta[1], s2=float(np.exp(theta[0])), theta_cov=None, method="reml")
                return np.diag(gls_coefficients(X, y, e)[1])
        dfs = satterthwaite_df(var_of, err, fallback=n - k - 1)
    return b, V, dfs, whiten(y - X @ b, err.rho), err


def _arima_fit(X: np.ndarray, y: np.ndarray, p: int):
    import statsmodels.api as sm

    # Standardised outcome, the constant as a regressor: on raw spending (millions of yuan) the
    # likelihood optimiser stops far from the optimum (coverage 0 in the study before this).
    centre, scale = float(np.mean(y)), float(np.std(y)) or 1.0
    model = sm.tsa.SARIMAX((y - centre) / scale, exog=X, order=(p, 0, 0), trend="n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = model.fit(disp=False)
    k = X.shape[1]
    b = np.asarray(r.params[:k], float) * scale
    b[0] += centre
    V = np.asarray(r.cov_params(), float)[:k, :k] * scale ** 2
    rho = float(r.params[k]) if p >= 1 else 0.0
    err = Ar1Errors(rho=rho, s2=float(r.params[-1]) * scale ** 2, theta_cov=None, method="arima")
    return b, V, np.full(k, np.inf), np.asarray(r.resid, float)[p:] * scale, err


def ljung_box_lags(n: int) -> int:
    """Lags of the Ljung-Box test: min(10, n // 5), at least 1 (Box-Jenkins' rule for short series)."""
    return max(1, min(10, n // 5))


def diagnostics(ols_resid: np.ndarray, resid: np.ndarray, ar_order: int, err: Ar1Errors | None) -> ItsDiagnostics:
    """Durbin-Watson of the OLS residuals; Ljung-Box of what the error model leaves (df reduced by
    the AR order), so a small p-value says the error model has not captured the autocorrelation."""
    lags = ljung_box_lags(len(resid))
    q = p = dw = float("nan")
    if np.var(resid) > 1e-20 * max(1.0, float(np.mean(ols_resid ** 2))) and np.any(ols_resid):  # not an exact fit
        lb = acorr_ljungbox(resid, lags=[lags], model_df=min(ar_order, lags - 1) if lags > 1 else 0)
        q, p, dw = float(lb["lb_stat"].iloc[0]), float(lb["lb_pvalue"].iloc[0]), float(durbin_watson(ols_resid))
    return ItsDiagnostics(durbin_watson=dw, ljung_box=q, ljung_box_p=p, ljung_box_lags=lags, ar_order=ar_order,
                          rho=None if err is None else err.rho, rho_at_bound=bool(err is not None and err.at_bound))


def minimum_detectable_effect(res: Result, power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest true effect a two-sided test at `alpha` detects with probability `power`, given the
    estimate's standard error and degrees of freedom: (t_{1-alpha/2} + t_{power}) se (Bloom 1995)."""
    dist = stats.norm if res.df is None else stats.t(res.df)
    return float((dist.ppf(1 - alpha / 2) + dist.ppf(power)) * res.se)
