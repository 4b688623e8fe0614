"""Event study under staggered adoption: Sun and Abraham's (2021) interaction-weighted estimator.

Why Sun-Abraham rather than Callaway-Sant'Anna: it is one OLS regression (cohort x event-time
dummies with unit and time fixed effects), so it handles unbalanced panels without special
cases, shares the cluster-robust conventions of :func:`civmon.stats.twfe`, gives the joint
covariance of every effect for the pre-trend Wald test directly, runs in milliseconds, and
can be checked to machine precision against fixest/pyfixest's saturated event study.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from civmon.stats.errors import EstimationError
from civmon.stats.regression import MIN_CLUSTERS, complete_rows, fit_linear, numeric
from civmon.stats.results import EventStudyResult, PretrendTest, Result


def period_index(s: pd.Series) -> tuple[np.ndarray, str]:
    """Integer period numbers for a time column: months for datetimes (year*12 + month - 1),
    ordinals for pandas Periods, the values themselves for integer-valued numbers; NaN if missing."""
    if s.dtype == object and s.notna().any() and all(
            isinstance(v, (pd.Timestamp, np.datetime64)) for v in s.dropna()):
        s = pd.to_datetime(s)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = (s.dt.year * 12 + s.dt.month - 1).astype("Float64")
        return out.to_numpy(dtype=float, na_value=np.nan), "month"
    if isinstance(s.dtype, pd.PeriodDtype):
        return np.array([np.nan if pd.isna(v) else v.ordinal for v in s], dtype=float), "period"
    x = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    finite = x[np.isfinite(x)]
    if np.any(finite != np.round(finite)):
        raise EstimationError(f"time column {s.name!r} must hold whole periods (integers or dates)")
    x[np.isinf(x)] = np.nan
    return x, "number"


def _label(value: float, kind: str):
    if kind == "month":
        v = int(value)
        return pd.Timestamp(year=v // 12, month=v % 12 + 1, day=1)
    return int(value)



def staggered_sample(df: pd.DataFrame, cols: list[str], unit: str, time: str, first_treated: str):
    """The sample rules of a staggered design: complete rows on `cols`; first_treated of the same kind
    as time and constant within units; cohorts after the last period never treated; units treated
    from their first observed period dropped. Returns the rows, their periods t and cohorts g, the
    period kind, unit codes and the number of units dropped."""
    d = complete_rows(df, cols)
    t, kind = period_index(d[time])
    g, g_kind = period_index(d[first_treated])
    if kind != g_kind and not np.all(np.isnan(g)):
        raise EstimationError(f"{time!r} and {first_treated!r} must be of the same kind "
                              "(dates or integers)")
    u_codes = pd.factorize(d[unit])[0]
    varies = (pd.Series(g).groupby(u_codes).nunique(dropna=False) > 1).to_numpy()
    if varies.any():
        bad = d[unit].to_numpy()[np.flatnonzero(varies[u_codes])[0]]
        raise EstimationError(f"{first_treated!r} must be constant within each unit "
                              f"(unit {bad!r} varies)")
    t_min_unit = pd.Series(t).groupby(u_codes).transform("min").to_numpy()
    g = np.where(g > np.nanmax(t), np.nan, g)
    always = np.isfinite(g) & (g <= t_min_unit)
    dropped = len(np.unique(u_codes[always]))
    keep = ~always
    if not keep.any():
        raise EstimationError("every unit is treated from its first observed period: no pre-period")
    return d.loc[keep], t[keep], g[keep], kind, u_codes[keep], dropped

def event_study(df: pd.DataFrame, outcome: str | Sequence[str], unit: str, time: str,
                first_treated: str,
                window: tuple[int, int] = (-6, 6), cluster: str | None = None,
                control: str = "never", *, se: str = "cluster",
                min_clusters: int = MIN_CLUSTERS, level: float = 0.95,
                ) -> EventStudyResult | list[EventStudyResult]:
    """Dynamic treatment effects robust to effects that differ by cohort and over time.

    Sun and Abraham (2021): regress ``outcome`` on a dummy for every cohort x event time
    (event time e = time - first_treated; e = -1 is the reference) with unit and time fixed
    effects, using only comparison units as controls, then average the cohort effects at
    each event time with weights equal to each cohort's share of the treated observations
    at that event time (weights held fixed in the standard errors, as fixest's ``sunab``).
    All event times are saturated; ``window=(-k, m)`` selects what is reported: event
    times -k..m, the overall ATT (observation-weighted average over e = 0..m) and the
    pre-trend test (joint Wald test that the event-time effects -k..-2 are zero, as
    F = W/q on (q, G-1) degrees of freedom like fixest's ``wald()``; chi-squared over-rejects
    with few clusters).

    ``time``/``first_treated``: dates (monthly periods) or integers; a missing
    ``first_treated`` means never treated; units treated at or before their first
    observed period are dropped (no pre-period); cohorts first treated after the last
    period count as never treated. ``control="never"`` compares with never-treated units;
    ``control="notyet"`` adds the last-treated cohort to the comparison group and drops the
    periods from its adoption on, so every comparison unit is not yet treated (Sun and
    Abraham's choice when no unit is never treated; with a single cohort the never-treated
    units are the only comparison either way). Errors are cluster-robust by ``cluster``
    (default ``unit``) with the fixest/reghdfe correction and t(G-1) intervals.

    ``outcome`` may be a list of columns: each is estimated on the same design (rows complete
    for all of them) and a list of results is returned, sharing one decomposition.

    Raises :class:`EstimationError` when there are no comparison units, everyone is treated
    at once, a cohort x event time is not identified, or clusters are too few.
    """
    if control not in ("never", "notyet"):
        raise EstimationError("control must be 'never' or 'notyet'")
    k_lead, m_lag = int(window[0]), int(window[1])
    if k_lead > -1 or m_lag < 0:
        raise EstimationError("window must be (-k, m) with k >= 1 and m >= 0")
    cluster_col = unit if cluster is None else cluster
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    d, t, g, kind, u_codes, dropped = staggered_sample(
        df, [*outcomes, unit, time] + ([cluster] if cluster else []), unit, time, first_treated)

    cohorts = np.unique(g[np.isfinite(g)])
    has_never = bool(np.isnan(g).any())
    if len(cohorts) == 0:
        raise EstimationError("no treated units: nobody adopts within the panel")
    if len(cohorts) == 1 and not has_never:
        raise EstimationError("everyone treated at once: no never-treated or not-yet-treated "
                              "comparison units")
    if control == "never" and not has_never:
        raise EstimationError("no never-treated units for control='never' "
                              "(use control='notyet' to compare with the last-treated cohort)")
    treated_cohorts = cohorts
    if control == "notyet" and len(cohorts) > 1:
        last = cohorts[-1]
        treated_cohorts = cohorts[:-1]
        keep = t < last
        d, t, g, u_codes = d.loc[keep], t[keep], g[keep], u_codes[keep]
        g = np.where(g == last, np.nan, g)

    is_treated_unit = np.isfinite(g)
    e = np.where(is_treated_unit, t - g, np.nan)
    for c in treated_cohorts:
        if not np.any((g == c) & (e == -1)):
            raise EstimationError(f"cohort {_label(c, kind)} has no observation at event time -1 "
                                  "(the reference period)")
    cells = pd.DataFrame({"g": g[is_treated_unit], "e": e[is_treated_unit]})
    cells = cells[cells["e"] != -1]
    cell_counts = cells.groupby(["g", "e"]).size()
    cell_index = {key: j for j, key in enumerate(cell_counts.index)}
    n = len(t)
    t_codes, t_levels = pd.factorize(t, sort=True)
    n_time = len(t_levels) - 1
    X = np.zeros((n, n_time + len(cell_index)))
    rows = np.flatnonzero(t_codes > 0)
    X[rows, t_codes[rows] - 1] = 1.0
    cell_rows = np.flatnonzero(is_treated_unit & (e != -1))
    cols = [cell_index[(gi, ei)] for gi, ei in zip(g[cell_rows], e[cell_rows])]
    X[cell_rows, n_time + np.asarray(cols, dtype=int)] = 1.0
    cell_names = [f"cohort[{_label(gi, kind)}]:e[{int(ei)}]" for gi, ei in cell_counts.index]
    names = [f"time[{_label(v, kind)}]" for v in t_levels[1:]] + cell_names
    describe = {nm: f"cohort x event time {nm} (no comparison units at that time)"
                for nm in cell_names}
    Y = numeric(d, outcomes[0]) if isinstance(outcome, str) else np.column_stack(
        [numeric(d, c) for c in outcomes])
    fits = fit_linear(Y, X, names, se=se, cluster=d[cluster_col].to_numpy(),
                      absorb=pd.factorize(u_codes)[0], min_clusters=min_clusters, describe=describe)
    cell_g = cell_counts.index.get_level_values("g").to_numpy(float)
    cell_e = cell_counts.index.get_level_values("e").to_numpy(float).astype(int)
    cell_n = cell_counts.to_numpy()

    def weights_for(event_times) -> np.ndarray:
        """Interaction weights: each cell's share of the treated observations at these event times."""
        w = np.zeros(len(names))
        sel = np.isin(cell_e, list(event_times))
        w[n_time + np.flatnonzero(sel)] = cell_n[sel] / cell_n[sel].sum()
        return w

    observed_e = set(cell_e.tolist())
    event_times = [ev for ev in range(k_lead, m_lag + 1) if ev != -1 and ev in observed_e]
    post_e = [ev for ev in event_times if ev >= 0]
    if not post_e:
        raise EstimationError("no treated observations at event times 0..m of the window")
    # rows: each event time in the window, then the ATT; the design fixes them for every outcome
    W = np.vstack([weights_for([ev]) for ev in event_times] + [weights_for(post_e)])
    plan = {
        "names": names, "n_time": n_time, "cohort_labels": [_label(v, kind) for v in cell_g],
        "cell_g": cell_g, "cell_e": cell_e, "cell_n": cell_n,
        "event_times": event_times, "W": W, "kind": kind, "window": (k_lead, m_lag),
        "n_et": [int(cell_n[cell_e == ev].sum()) for ev in event_times],
        "n_ref": int(np.sum(e == -1)), "n_post": int(cell_n[np.isin(cell_e, post_e)].sum()),
        "level": level, "control": control, "cluster_col": cluster_col, "se": se, "n": n,
        "dropped": dropped,
    }
    if isinstance(outcome, str):
        return _summarise(fits, plan)
    return [_summarise(f, plan) for f in fits]


def _summarise(fit, plan: dict) -> EventStudyResult:
    """Cohort x event-time table, interaction-weighted event-time effects, ATT and pre-trend test."""
    n_time, cell_e, kind, level = plan["n_time"], plan["cell_e"], plan["kind"], plan["level"]
    k_lead, m_lag = plan["window"]
    beta = fit.params[n_time:]
    beta_se = np.sqrt(np.diag(fit.vcov)[n_time:])
    crit = float(stats.t.ppf(0.5 + level / 2, fit.dof))
    by_cohort_time = pd.DataFrame({
        "cohort": plan["cohort_labels"], "event_time": cell_e,
        "estimate": beta, "se": beta_se, "ci_low": beta - crit * beta_se,
        "ci_high": beta + crit * beta_se,
        "pvalue": 2 * stats.t.sf(np.abs(beta) / beta_se, fit.dof), "n": plan["cell_n"]})

    W = plan["W"]
    est = W @ fit.params
    cov = W @ fit.vcov @ W.T
    se_all = np.sqrt(np.clip(np.diag(cov), 0, None))
    p_all = 2 * stats.t.sf(np.abs(est) / se_all, fit.dof)
    ets = plan["event_times"]
    # the reference period -1 is shown as a zero row (when the window reaches it)
    at = int(np.searchsorted(ets, -1)) if k_lead <= -1 else None
    cols = {"event_time": list(ets), "estimate": list(est[:-1]), "se": list(se_all[:-1]),
            "ci_low": list(est[:-1] - crit * se_all[:-1]),
            "ci_high": list(est[:-1] + crit * se_all[:-1]), "pvalue": list(p_all[:-1]),
            "n": list(plan["n_et"]), "reference": [False] * len(ets)}
    if at is not None:
        for key, value in zip(cols, (-1, 0.0, 0.0, 0.0, 0.0, np.nan, plan["n_ref"], True)):
            cols[key].insert(at, value)
    by_event_time = pd.DataFrame(cols)

    control, se = plan["control"], plan["se"]
    method = (f"Sun-Abraham interaction-weighted event study, {control}-treated controls, "
              f"CR1 by {plan['cluster_col']} (G={fit.n_clusters})" if se == "cluster" else
              f"Sun-Abraham interaction-weighted event study, {control}-treated controls ({se})")
    att = Result(estimate=float(est[-1]), se=float(se_all[-1]),
                 ci_low=float(est[-1] - crit * se_all[-1]), ci_high=float(est[-1] + crit * se_all[-1]),
                 pvalue=float(p_all[-1]), n=plan["n_post"], method=method,
                 term=f"ATT (event time 0..{m_lag})", level=level, df=fit.dof,
                 n_clusters=fit.n_clusters)

    pretrend = None
    leads = [i for i, ev in enumerate(ets) if ev <= -2]
    if leads:
        b = est[leads]
        V = cov[np.ix_(leads, leads)]
        q = len(leads)
        if np.linalg.matrix_rank(V) < q:
            raise EstimationError(f"pre-trend test: the covariance of the {q} leads is singular "
                                  "(too few clusters for the window; narrow the window)")
        stat = float(b @ np.linalg.solve(V, b)) / q
        pretrend = PretrendTest(stat=stat, df=q, pvalue=float(stats.f.sf(stat, q, fit.dof)),
                                event_times=tuple(ets[i] for i in leads), df_denom=fit.dof)

    return EventStudyResult(by_event_time=by_event_time, att=att, pretrend=pretrend,
                            by_cohort_time=by_cohort_time, method=method, n=plan["n"],
                            n_clusters=fit.n_clusters or 0, control=control,
                            dropped_units=plan["dropped"])
