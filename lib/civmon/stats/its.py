"""Interrupted time series: segmented regression with Newey-West errors and the counterfactual line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.stats.errors import EstimationError
from civmon.stats.event_study import period_index
from civmon.stats.regression import complete_rows, fit_linear, newey_west_lags, numeric
from civmon.stats.results import ItsResult

MIN_SEGMENT = 3


def its(df: pd.DataFrame, time: str, outcome: str, intervention, hac_lags: int | None = None,
        seasonal: bool = False, *, hac_df_correction: bool = False,
        level: float = 0.95) -> ItsResult:
    """Segmented regression ``y = b0 + b1 t + b2 post + b3 (t - t0) post [+ month dummies] + e``.

    ``time`` holds dates (monthly periods) or integer periods, one row per period;
    ``intervention`` is the first post-intervention period t0 (same kind as ``time``).
    ``level_change`` is b2 (the jump at t0), ``slope_change`` b3 (per period), ``pre_slope`` b1.
    Errors are Newey-West with Bartlett weights and ``hac_lags`` lags (default
    floor(4 (n/100)^(2/9))), without a degrees-of-freedom correction, as Wooldridge
    (Introductory Econometrics s.12.5); ``hac_df_correction=True`` multiplies the covariance
    by n/(n-k). Intervals use t(n-k). ``seasonal=True`` adds month-of-year dummies (monthly
    dates only). ``fitted`` gives observed, fitted and counterfactual (b2 = b3 = 0) lines.

    Raises :class:`EstimationError` if times repeat, periods are missing (with hac_lags > 0),
    or either segment has fewer than 3 periods.
    """
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
    post = (t_raw >= t0).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < MIN_SEGMENT or n_post < MIN_SEGMENT:
        raise EstimationError(f"interrupted time series needs at least {MIN_SEGMENT} periods on each "
                              f"side of the intervention (have {n_pre} before, {n_post} after)")
    tt = t_raw - t_raw[0]
    since = (t_raw - t0) * post
    cols = [np.ones(len(d)), tt, post, since]
    names = ["Intercept", "time", "level_change", "slope_change"]
    if seasonal:
        if kind != "month":
            raise EstimationError("seasonal=True needs monthly dates in the time column")
        month = (t_raw % 12).astype(int)
        for m in range(1, 12):
            cols.append((month == m).astype(float))
            names.append(f"month[{m + 1}]")
    X = np.column_stack(cols)
    lags = newey_west_lags(len(d)) if hac_lags is None else int(hac_lags)
    gaps = np.flatnonzero(np.diff(t_raw) != 1)
    if lags > 0 and len(gaps):
        first = d[time].iloc[gaps[0] + 1]
        raise EstimationError(f"{time!r} has gaps (first at {first}): Newey-West needs consecutive "
                              "periods; fill the missing periods or use hac_lags=0")
    fit = fit_linear(y, X, names, se="hac", hac_lags=lags, hac_df_correction=hac_df_correction,
                     describe={n: f"month dummy {n}" for n in names[4:]})
    method = f"segmented regression, Newey-West ({lags} lags)"
    fitted = X @ fit.params
    X_cf = X.copy()
    X_cf[:, 2:4] = 0.0
    counterfactual = X_cf @ fit.params
    plot = pd.DataFrame({"time": d[time].to_numpy(), "observed": y, "fitted": fitted,
                         "counterfactual": counterfactual, "post": post.astype(bool)})
    return ItsResult(level_change=fit.result("level_change", method, level),
                     slope_change=fit.result("slope_change", method, level),
                     pre_slope=fit.result("time", method, level), fitted=plot,
                     table=fit.table(level), hac_lags=lags, n=fit.n)
