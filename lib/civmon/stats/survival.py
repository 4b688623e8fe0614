"""Survival analysis: Kaplan-Meier tables and medians (R's conventions) and Cox models (Efron ties)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from civmon.stats.errors import EstimationError
from civmon.stats.regression import collinear_columns, complete_rows, numeric
from civmon.stats.results import CoxResult, KmResult

_TOL = np.sqrt(np.finfo(float).eps)


def _durations(d: pd.DataFrame, duration: str, event: str) -> tuple[np.ndarray, np.ndarray]:
    t, ev = numeric(d, duration), numeric(d, event)
    if np.any(t < 0):
        raise EstimationError(f"negative durations in {duration!r}")
    if not np.all(np.isin(ev, (0.0, 1.0))):
        raise EstimationError(f"event column {event!r} must be binary 0/1 (1 = event observed)")
    return t, ev


def _first_time_at_or_below(times: np.ndarray, curve: np.ndarray, p: float = 0.5) -> float:
    """R's survival quantile rule: the first time the step curve falls to p or below; if it
    sits exactly at p, the midpoint to the next time; NaN if it never gets there."""
    hit = np.flatnonzero(np.isfinite(curve) & (curve <= p + _TOL))
    if len(hit) == 0:
        return float("nan")
    i = hit[0]
    if abs(curve[i] - p) < _TOL and i + 1 < len(times):
        return float((times[i] + times[i + 1]) / 2)
    return float(times[i])


def km(df: pd.DataFrame, duration: str, event: str, group: str | None = None,
       level: float = 0.95) -> KmResult:
    """Kaplan-Meier survival table and median survival with its confidence interval per group.

    Survival and Greenwood errors come from statsmodels' ``SurvfuncRight``. Pointwise intervals
    use the log transform, S exp(+-z sd(log S)) capped at 1 (R ``survfit``'s default
    ``conf.type="log"``; statsmodels defaults to cloglog). The median and its limits are where
    the curve and its lower/upper bands first fall to 0.5 (R's ``print.survfit`` rule); NaN
    means "not reached". ``table``: group, time, n_risk, n_events, n_censored, survival, se,
    ci_low, ci_high at each event time; ``median``: group, n, events, median, ci_low, ci_high.
    """
    cols = [duration, event] + ([group] if group else [])
    d = complete_rows(df, cols)
    t, ev = _durations(d, duration, event)
    z = stats.norm.ppf(0.5 + level / 2)
    labels = np.full(len(d), "all", dtype=object) if group is None else d[group].to_numpy()
    tables, medians = [], []
    for lab in pd.unique(labels) if group is None else sorted(pd.unique(labels)):
        m = labels == lab
        tg, eg = t[m], ev[m]
        if eg.sum() == 0:
            tab = pd.DataFrame(columns=["time", "n_risk", "n_events", "n_censored", "survival",
                                        "se", "ci_low", "ci_high"])
        else:
            sf = SurvfuncRight(tg, eg)
            times, surv = np.asarray(sf.surv_times, float), np.asarray(sf.surv_prob, float)
            n_risk, n_ev = np.asarray(sf.n_risk, float), np.asarray(sf.n_events, float)
            with np.errstate(divide="ignore", invalid="ignore"):
                sd_log = np.sqrt(np.cumsum(n_ev / (n_risk * (n_risk - n_ev))))
                low = np.where(surv > 0, surv * np.exp(-z * sd_log), np.nan)
                high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * sd_log)), np.nan)
            censored = np.array([np.sum((tg == x) & (eg == 0)) for x in times])
            tab = pd.DataFrame({"time": times, "n_risk": n_risk.astype(int),
                                "n_events": n_ev.astype(int), "n_censored": censored,
                                "survival": surv, "se": np.asarray(sf.surv_prob_se, float),
                                "ci_low": low, "ci_high": high})
        times_arr = tab["time"].to_numpy(float)
        medians.append({"group": lab, "n": int(m.sum()), "events": int(eg.sum()),
                        "median": _first_time_at_or_below(times_arr, tab["survival"].to_numpy(float)),
                        "ci_low": _first_time_at_or_below(times_arr, tab["ci_low"].to_numpy(float)),
                        "ci_high": _first_time_at_or_below(times_arr, tab["ci_high"].to_numpy(float))})
        tables.append(tab.assign(group=lab))
    table = pd.concat(tables, ignore_index=True)
    table = table[["group", *[c for c in table.columns if c != "group"]]]
    return KmResult(table=table, median=pd.DataFrame(medians), level=level)


def cox(df: pd.DataFrame, duration: str, event: str, covariates: Sequence[str],
        ties: str = "efron", *, level: float = 0.95, entry: str | None = None) -> CoxResult:
    """Cox proportional-hazards model on statsmodels' ``PHReg``.

    Ties are handled by Efron's method by default (R ``coxph``'s default; statsmodels defaults
    to Breslow); ``ties="breslow"`` is available. Standard errors are model-based (inverse
    information), intervals exp(b +- z se) on the hazard-ratio scale, p-values from Wald z.
    ``table``: term, coef, se, z, pvalue, hazard_ratio, ci_low, ci_high. Raises
    :class:`EstimationError` when there are no events, a covariate is constant or collinear,
    or the likelihood does not converge (e.g. a covariate perfectly predicts events).
    ``entry`` names a column of left-truncation (delayed entry) times on the duration scale: a
    subject is in the risk set only after it (R ``Surv(entry, duration, event)``); entry must be
    below the duration.
    """
    if ties not in ("efron", "breslow"):
        raise EstimationError("ties must be 'efron' or 'breslow'")
    covariates = list(covariates)
    if not covariates:
        raise EstimationError("cox() needs at least one covariate")
    d = complete_rows(df, [duration, event, *covariates, *([entry] if entry else [])])
    t, ev = _durations(d, duration, event)
    if ev.sum() == 0:
        raise EstimationError("no events: the Cox model cannot be estimated")
    entry_times = None
    if entry:
        entry_times = numeric(d, entry)
        if np.any(entry_times < 0) or np.any(entry_times >= t):
            raise EstimationError(f"entry times in {entry!r} must be >= 0 and below the durations")
    X = np.column_stack([numeric(d, c) for c in covariates])
    Xc = X - X.mean(axis=0)
    absorbed, dependent, _ = collinear_columns(np.column_stack([np.ones(len(d)), Xc])[:, 1:])
    constant = [covariates[j] for j in range(X.shape[1]) if np.all(X[:, j] == X[0, j])]
    if constant or absorbed or dependent:
        bad = constant or [covariates[j] for j in absorbed + dependent]
        raise EstimationError(f"collinear design: covariate(s) {bad} constant or collinear")
    model = PHReg(t, X, status=ev, ties=ties, entry=entry_times)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        res = model.fit(disp=False)
    not_converged = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    b, se = np.asarray(res.params), np.asarray(res.bse)
    # Monotone likelihood (a covariate orders events perfectly) drives a coefficient to
    # infinity; the optimiser stops with an absurd standard error per SD of the covariate.
    diverged = ~np.isfinite(se) | (se * X.std(axis=0) > 50)
    if diverged.any():
        bad = [covariates[j] for j in np.flatnonzero(diverged)]
        raise EstimationError(f"Cox likelihood does not converge for {bad}: monotone likelihood "
                              "(the covariate perfectly separates who has the event first)")
    if not_converged:
        raise EstimationError("Cox likelihood did not converge "
                              "(check for sparse or separated covariates)")
    zc = stats.norm.ppf(0.5 + level / 2)
    table = pd.DataFrame({"term": covariates, "coef": b, "se": se, "z": b / se,
                          "pvalue": 2 * stats.norm.sf(np.abs(b / se)),
                          "hazard_ratio": np.exp(b), "ci_low": np.exp(b - zc * se),
                          "ci_high": np.exp(b + zc * se)})
    return CoxResult(table=table, raw=res, n=len(d), n_events=int(ev.sum()), ties=ties,
                     loglik=float(res.llf))
