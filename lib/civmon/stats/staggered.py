"""Staggered adoption beyond Sun-Abraham: the imputation (two-stage) estimator and the panel without
its earliest cohort, the robustness designs beside :func:`civmon.stats.event_study`.

Why our own imputation code rather than pyfixest's ``did2s``: pyfixest is a test-only dependency
here (a heavy runtime one otherwise); its ``did2s`` takes integer times only (our eldercare panel is
monthly dates), builds the first-stage design as a dense unit x period dummy matrix for the variance
(households x years in the migrant panel), and reports the GMM variance with no small-sample factor
and normal intervals, whereas :func:`event_study` and :func:`twfe` use CR1 with t(G-1). The estimator
is a few lines of linear algebra: the first stage is solved through the small period x period Schur
complement of the two-way normal equations. The tests check point estimates and the variance
against pyfixest's ``did2s`` (which is Butts' R ``did2s``) to machine precision, up to the G/(G-1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from civmon.stats.errors import EstimationError
from civmon.stats.event_study import _label, period_index, staggered_sample
from civmon.stats.regression import MIN_CLUSTERS, numeric
from civmon.stats.results import Result


def without_earliest_cohort(df: pd.DataFrame, unit: str, time: str, first_treated: str):
    """The panel without the units of its earliest treatment cohort, and that cohort's first-treated
    value (as in ``df``). The earliest cohort is the first adopting within the panel after a
    pre-period (units treated from their first observed period are not a cohort: event_study drops
    them anyway). Raises :class:`EstimationError` when no unit adopts within the panel."""
    g = staggered_sample(df, [unit, time], unit, time, first_treated)[2]
    if not np.isfinite(g).any():
        raise EstimationError("no treated units: nobody adopts within the panel")
    first = np.nanmin(g)
    g_all, _ = period_index(df[first_treated])
    label = df[first_treated].loc[g_all == first].iloc[0]
    return df.loc[~(g_all == first)], label


def _twoway_solver(uc: np.ndarray, tc: np.ndarray, n_units: int, n_times: int, time_labels):
    """Solve the normal equations of y = a_unit + l_time on the observations (uc, tc), with l of
    the first period fixed at 0, for any right-hand sides (per-unit and per-period sums).

    [[Du, B], [B', Dt]] [a; l] = [ru; rt]: eliminate a (Du is diagonal) and solve the period x period
    Schur complement S = Dt - B' Du^-1 B, which is singular when the observations do not connect
    every unit and period (then a + l is not identified)."""
    du = np.bincount(uc, minlength=n_units).astype(float)
    dt = np.bincount(tc, minlength=n_times).astype(float)
    empty = np.flatnonzero(dt == 0)
    if len(empty):
        raise EstimationError(f"period {time_labels[empty[0]]} has no untreated observation: its "
                              "counterfactual cannot be imputed (everyone is treated by then)")
    B = np.zeros((n_units, n_times))
    np.add.at(B, (uc, tc), 1.0)
    B1 = B[:, 1:]
    S = np.diag(dt[1:]) - (B1.T / du) @ B1
    if n_times > 1:
        ev = np.linalg.eigvalsh(S)
        if ev[0] <= 1e-10 * max(ev[-1], 1.0):
            raise EstimationError("the untreated observations do not connect every unit and period "
                                  "(the unit and period effects are not identified)")

    def solve(ru: np.ndarray, rt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lam = np.zeros((n_times, ru.shape[1]))
        if n_times > 1:
            lam[1:] = np.linalg.solve(S, rt[1:] - B1.T @ (ru / du[:, None]))
        return (ru - B1 @ lam[1:]) / du[:, None], lam

    return solve


def did_imputation(df: pd.DataFrame, outcome: str | Sequence[str], unit: str, time: str,
                   first_treated: str, *, horizon: int | None = 6, cluster: str | None = None,
                   min_clusters: int = MIN_CLUSTERS, level: float = 0.95) -> Result | list[Result]:
    """Imputation estimator of the ATT under staggered adoption (Borusyak, Jaravel and Spiess 2024;
    numerically Gardner's 2022 two-stage DiD).

    First stage: unit and time fixed effects fitted on the untreated observations only (never-treated
    units and the not-yet-treated periods of the others); second stage: each treated observation's
    effect is its outcome minus the imputed untreated outcome, averaged by event time e = time -
    first_treated. The ATT averages every treated observation at event times 0..``horizon`` with
    equal weight (the observation weights of :func:`event_study`'s ATT with ``window=(-k, horizon)``;
    ``horizon=None``: all treated observations). Effects may differ by cohort and event time
    arbitrarily; parallel trends and no anticipation are needed over all untreated periods.

    Sample rules as :func:`event_study` (dates or integer periods; missing ``first_treated`` = never
    treated; cohorts after the last period never treated; units treated from their first observed
    period dropped). Errors: BJS's variance (their Theorem 3) with each treated residual taken about
    the mean effect of its cohort x event-time cell, BJS's suggested partition, so that effects that
    differ between cohorts are not counted as noise (as Sun-Abraham's saturated cells are not); this
    is the GMM sandwich of Gardner's two-stage estimator (Butts' R ``did2s``) with a second stage
    saturated in cohort x event time. Clustered by ``cluster`` (default ``unit``), times G/(G-1),
    t(G-1) intervals, as the other panel estimators; no leave-out correction, so, like the saturated
    event study, cells of very few units make the errors somewhat small. The returned Result's ``table`` has the event-time effects (event_time, estimate,
    se, ci_low, ci_high, pvalue, n) for e = 0..horizon. ``outcome`` may be a list of columns (same
    design): a list of results is returned.

    Raises :class:`EstimationError` when nobody is treated within the horizon, a period has no
    untreated observation, the untreated observations do not connect units and periods, or
    clusters are too few.
    """
    cluster_col = unit if cluster is None else cluster
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    d, t, g, kind, _, _ = staggered_sample(df, [*outcomes, unit, time] + ([cluster] if cluster else []),
                                           unit, time, first_treated)
    treated = np.isfinite(g) & (t >= g)
    if not treated.any():
        raise EstimationError("no treated units: nobody adopts within the panel")
    e = np.where(treated, t - g, np.nan)
    uc = pd.factorize(d[unit])[0]
    tc, t_levels = pd.factorize(t, sort=True)
    n_units, n_times = int(uc.max()) + 1, len(t_levels)
    labels = [_label(v, kind) for v in t_levels]
    untreated = ~treated
    t_treated = np.unique(tc[treated])
    missing = t_treated[~np.isin(t_treated, tc[untreated])]
    if len(missing):
        raise EstimationError(f"period {labels[missing[0]]} has no untreated observation: its "
                              "counterfactual cannot be imputed (everyone is treated by then)")
    solve = _twoway_solver(uc[untreated], tc[untreated], n_units, n_times, labels)

    e_all = np.unique(e[treated]).astype(int)
    post = e_all if horizon is None else e_all[e_all <= horizon]
    if len(post) == 0:
        raise EstimationError(f"no treated observations at event times 0..{horizon}")
    n_e = np.array([int(np.sum(e == ev)) for ev in post])

    # The estimator of each event-time effect is linear in y: weight 1/n_e on its treated
    # observations and -x_i'(X_U'X_U)^-1 c_e on the untreated ones (c_e: the mean design row of
    # its treated observations), which is what the variance needs.
    Cu = np.zeros((n_units, len(post)))
    Ct = np.zeros((n_times, len(post)))
    for j, ev in enumerate(post):
        m = e == ev
        Cu[:, j] = np.bincount(uc[m], minlength=n_units) / n_e[j]
        Ct[:, j] = np.bincount(tc[m], minlength=n_times) / n_e[j]
    zu, zt = solve(Cu, Ct)
    V = np.zeros((len(t), len(post)))
    V[untreated] = -(zu[uc[untreated]] + zt[tc[untreated]])
    for j, ev in enumerate(post):
        V[e == ev, j] = 1.0 / n_e[j]

    cl = pd.factorize(d[cluster_col].to_numpy())[0]
    n_clusters = int(cl.max()) + 1
    if n_clusters < max(2, min_clusters):
        raise EstimationError(
            f"too few clusters for cluster-robust errors: G={n_clusters} < {max(2, min_clusters)}")
    dof = n_clusters - 1
    crit = float(stats.t.ppf(0.5 + level / 2, dof))
    w = n_e / n_e.sum()
    method = ("imputation (Borusyak-Jaravel-Spiess / Gardner two-stage), never- and not-yet-treated "
              f"controls, CR1 by {cluster_col} (G={n_clusters})")

    out = []
    for y_col in outcomes:
        y = numeric(d, y_col)
        ru = np.bincount(uc[untreated], weights=y[untreated], minlength=n_units)[:, None]
        rt = np.bincount(tc[untreated], weights=y[untreated], minlength=n_times)[:, None]
        a, lam = solve(ru, rt)
        resid = y - (a[uc, 0] + lam[tc, 0])  # untreated: first-stage residual; treated: effect
        cell_mean = pd.Series(resid[treated]).groupby([g[treated], e[treated]]).transform("mean").to_numpy()
        eps = resid.copy()
        eps[treated] = resid[treated] - cell_mean
        est = V.T @ y
        scores = np.zeros((n_clusters, len(post)))
        np.add.at(scores, cl, V * eps[:, None])
        omega = scores.T @ scores * (n_clusters / (n_clusters - 1))
        se = np.sqrt(np.clip(np.diag(omega), 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.t.sf(np.abs(est) / se, dof)
        table = pd.DataFrame({"event_time": post, "estimate": est, "se": se, "ci_low": est - crit * se,
                              "ci_high": est + crit * se, "pvalue": p, "n": n_e})
        att = float(w @ est)
        att_se = float(np.sqrt(max(w @ omega @ w, 0.0)))
        out.append(Result(estimate=att, se=att_se, ci_low=att - crit * att_se, ci_high=att + crit * att_se,
                          pvalue=float(2 * stats.t.sf(abs(att) / att_se, dof)) if att_se > 0 else float("nan"),
                          n=int(n_e.sum()), method=method, term=f"ATT (event time 0..{int(post[-1])})"
                          if horizon is None else f"ATT (event time 0..{horizon})", level=level, df=dof,
                          n_clusters=n_clusters, table=table))
    return out[0] if isinstance(outcome, str) else out
