"""Difference in differences: the 2x2 regression estimator and the naive two-way fixed-effects one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from civmon.stats.errors import EstimationError
from civmon.stats.regression import (MIN_CLUSTERS, complete_rows, fit_linear, numeric,
                                     resolve_se, se_label)
from civmon.stats.results import Result


def _binary(d: pd.DataFrame, col: str) -> np.ndarray:
    x = numeric(d, col)
    if not np.all(np.isin(x, (0.0, 1.0))):
        raise EstimationError(f"column {col!r} must be binary 0/1 (or boolean)")
    return x


def did(df: pd.DataFrame, outcome: str | Sequence[str], treated: str, post: str,
        controls: Sequence[str] = (),
        cluster: str | None = None, se: str | None = None, weights: str | None = None, *,
        min_clusters: int = MIN_CLUSTERS, level: float = 0.95) -> Result | list[Result]:
    """2x2 difference in differences: the coefficient on treated x post in
    ``outcome ~ 1 + treated + post + treated:post + controls`` (OLS, WLS with ``weights``).

    ``se``: "classical" (Stata ``regress``, t(N-K)), "hc1" (Stata ``, robust``) or "cluster"
    (CR1, G/(G-1) x (N-1)/(N-K), t(G-1), as Stata ``vce(cluster)``); default "cluster" if
    ``cluster`` is given, else "classical". Rows with missing values are dropped. Raises
    :class:`EstimationError` when a cell of the 2x2 is empty, a control is collinear, or
    there are fewer than ``min_clusters`` clusters. ``outcome`` may be a list of columns
    (same sample, one decomposition): a list of results is returned.
    """
    se = resolve_se(se, cluster)
    controls = list(controls)
    extra = [c for c in (cluster, weights) if c is not None]
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    d = complete_rows(df, [*outcomes, treated, post, *controls, *extra])
    tr, po = _binary(d, treated), _binary(d, post)
    for t_val, p_val, label in ((0, 0, "untreated before"), (0, 1, "untreated after"),
                                (1, 0, "treated before"), (1, 1, "treated after")):
        if not np.any((tr == t_val) & (po == p_val)):
            what = "untreated (control)" if t_val == 0 else "treated"
            raise EstimationError(f"no {what} observations {'after' if p_val else 'before'} "
                                  f"the change: the 2x2 cell '{label}' is empty")
    term = f"{treated}:{post}"
    names = ["Intercept", treated, post, term, *controls]
    X = np.column_stack([np.ones(len(d)), tr, po, tr * po, *[numeric(d, c) for c in controls]])
    describe = {c: f"control {c!r}" for c in controls}
    Y = numeric(d, outcome) if isinstance(outcome, str) else np.column_stack(
        [numeric(d, c) for c in outcomes])
    fits = fit_linear(Y, X, names, se=se,
                      cluster=None if cluster is None else d[cluster].to_numpy(),
                      weights=None if weights is None else numeric(d, weights),
                      min_clusters=min_clusters, describe=describe)
    if isinstance(outcome, str):
        return fits.result(term, f"2x2 DID, OLS ({se_label(fits)})", level)
    return [f.result(term, f"2x2 DID, OLS ({se_label(f)})", level) for f in fits]


def twfe(df: pd.DataFrame, outcome: str | Sequence[str], treatment: str, unit: str, time: str,
         controls: Sequence[str] = (), cluster: str | None = None, weights: str | None = None, *,
         se: str | None = None, min_clusters: int = MIN_CLUSTERS,
         level: float = 0.95) -> Result | list[Result]:
    """Two-way fixed-effects estimate of a binary treatment: ``outcome ~ treatment + controls
    | unit + time`` (unit effects absorbed, time dummies). The naive estimator, biased when
    effects differ across cohorts or over time under staggered adoption; kept for comparison
    with :func:`civmon.stats.event_study`.

    Errors: cluster-robust by ``cluster`` or, by default, by ``unit`` (fixest's default),
    with the fixest/reghdfe correction G/(G-1) x (N-1)/(N-K) where unit effects nested in
    the clusters are not counted in K; ``se="classical"`` or ``"hc1"`` count every fixed
    effect in K (as Stata ``xtreg, fe`` and ``areg``). Raises :class:`EstimationError` when
    no unit is treated, no observation is untreated, everyone is treated at once, or a
    control is collinear or absorbed by the fixed effects. ``outcome`` may be a list of
    columns (same sample): a list of results is returned.
    """
    cluster_col = unit if cluster is None else cluster
    se = se or "cluster"
    controls = list(controls)
    extra = [c for c in (cluster, weights) if c is not None]
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    d = complete_rows(df, [*outcomes, treatment, unit, time, *controls, *extra])
    tr = _binary(d, treatment)
    if not tr.any():
        raise EstimationError(f"no treated observations ({treatment!r} is 0 throughout)")
    if tr.all():
        raise EstimationError(f"no untreated observations ({treatment!r} is 1 throughout)")
    t_codes, t_levels = pd.factorize(d[time], sort=True)
    by_time = pd.Series(tr).groupby(t_codes).agg(["min", "max"])
    if (by_time["min"] == by_time["max"]).all():
        raise EstimationError("everyone treated at once: the treatment varies only over time, "
                              "so it is collinear with the time fixed effects")
    time_dummies = (t_codes[:, None] == np.arange(1, len(t_levels))[None, :]).astype(float)
    time_names = [f"{time}[{lvl}]" for lvl in t_levels[1:]]
    names = [*time_names, treatment, *controls]
    X = np.column_stack([time_dummies, tr, *[numeric(d, c) for c in controls]])
    describe = {treatment: f"treatment {treatment!r}", **{c: f"control {c!r}" for c in controls}}
    Y = numeric(d, outcome) if isinstance(outcome, str) else np.column_stack(
        [numeric(d, c) for c in outcomes])
    fits = fit_linear(Y, X, names, se=se, cluster=d[cluster_col].to_numpy(),
                      absorb=pd.factorize(d[unit])[0],
                      weights=None if weights is None else numeric(d, weights),
                      min_clusters=min_clusters, describe=describe)
    label = "TWFE, unit and time fixed effects ({})"
    if isinstance(outcome, str):
        return fits.result(treatment, label.format(se_label(fits)), level)
    return [f.result(treatment, label.format(se_label(f)), level) for f in fits]
