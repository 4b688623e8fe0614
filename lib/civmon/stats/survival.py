"""Survival analysis: Kaplan-Meier tables and medians (R's conventions), Cox models (Efron ties) and
the proportional-hazards test of a Cox model (R's cox.zph)."""

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
from civmon.stats.results import CoxResult, KmResult, PhTest

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


PH_TRANSFORMS = ("km", "rank", "identity", "log")


def _time_transform(t: np.ndarray, ev: np.ndarray, entry: np.ndarray, transform: str) -> np.ndarray:
    """g(t) for every subject, as R ``cox.zph``: km = 1 - S(t-) of the (left-truncated) Kaplan-Meier
    curve, rank = ranks of all times (ties averaged), identity, log."""
    if transform == "identity":
        return t.astype(float)
    if transform == "log":
        return np.log(t)
    if transform == "rank":
        return stats.rankdata(t)
    times = np.unique(t[ev == 1])
    deaths = np.array([np.sum((t == x) & (ev == 1)) for x in times], dtype=float)
    at_risk = np.array([np.sum((entry <= x) & (t >= x)) for x in times], dtype=float)
    surv = np.cumprod(1 - deaths / at_risk)
    before = np.searchsorted(times, t, side="left")  # event times strictly before t
    return 1.0 - np.r_[1.0, surv][before]


def ph_test(res: CoxResult, transform: str = "km") -> PhTest:
    """Test of proportional hazards for a fitted :func:`cox` model (Grambsch and Therneau 1994), as
    R ``survival::cox.zph`` (version 3): for each covariate, the score test at the fitted
    coefficients of adding covariate x g(t) (a coefficient that changes linearly in g(t)), with the
    full information matrix of (beta, gamma), chi-squared on 1 df; the global test adds all of
    them (df = number of covariates). To first order it is the test of a linear trend in the scaled
    Schoenfeld residuals against g(t), which is what a cox.zph plot shows.

    ``transform`` is the time scale g: "km" (R's default: 1 - the Kaplan-Meier curve just before t,
    so the test weighs the event times evenly), "rank", "identity" or "log". Ties are treated as the
    model was fitted (Efron or Breslow). Delayed entry (``cox(..., entry=)``) is handled through the
    risk sets: a subject counts at event time t when entry <= t <= its duration, as statsmodels'
    likelihood that fitted the model counts it (R's (start, stop] differs only when an entry equals
    an event time); the KM time scale is then the left-truncated Kaplan-Meier curve (as R uses for
    counting-process data)."""
    if transform not in PH_TRANSFORMS:
        raise EstimationError(f"transform must be one of {PH_TRANSFORMS}")
    model = res.raw.model
    t = np.asarray(model.endog, float)
    ev = np.asarray(model.status, float)
    X = np.asarray(model.exog, float)
    entry = np.zeros(len(t)) if model.entry is None else np.asarray(model.entry, float)
    beta = np.asarray(res.raw.params, float)
    terms = list(res.table["term"])
    p = X.shape[1]
    X = X - X.mean(axis=0)
    eta = X @ beta
    w = np.exp(eta - eta.mean())
    g_all = _time_transform(t, ev, entry, transform)
    dead = ev == 1
    g_all = g_all - g_all[dead].mean()

    # risk-set sums at each distinct event time: {entry <= tau <= t} = {t >= tau} minus {entry > tau}
    taus = np.unique(t[dead])
    xx = X[:, :, None] * X[:, None, :]

    def at_risk(f: np.ndarray) -> np.ndarray:
        by_t, by_entry = np.argsort(t), np.argsort(entry)
        cum_t = np.concatenate([np.zeros((1, *f.shape[1:])), np.cumsum(f[by_t][::-1], axis=0)])[::-1]
        cum_e = np.concatenate([np.zeros((1, *f.shape[1:])), np.cumsum(f[by_entry][::-1], axis=0)])[::-1]
        return cum_t[np.searchsorted(t[by_t], taus, "left")] - cum_e[np.searchsorted(entry[by_entry], taus, "right")]

    s0, s1, s2 = at_risk(w), at_risk(w[:, None] * X), at_risk(w[:, None, None] * xx)
    k = np.searchsorted(taus, t[dead])  # each death's event time
    d_k = np.bincount(k, minlength=len(taus))

    def deaths(f: np.ndarray) -> np.ndarray:
        out = np.zeros((len(taus), *f.shape[1:]))
        np.add.at(out, k, f[dead])
        return out

    d0, d1, d2 = deaths(w), deaths(w[:, None] * X), deaths(w[:, None, None] * xx)
    xsum = deaths(X)
    g = np.zeros(len(taus))
    g[k] = g_all[dead]
    # one term per death: Efron takes the r-th of d tied deaths with r/d of the dying removed
    kk = np.repeat(np.arange(len(taus)), d_k)
    r = np.arange(len(kk)) - np.repeat(np.cumsum(d_k) - d_k, d_k)
    frac = r / d_k[kk] if res.ties == "efron" else np.zeros(len(kk))
    den = s0[kk] - frac * d0[kk]
    mean = (s1[kk] - frac[:, None] * d1[kk]) / den[:, None]
    V = (s2[kk] - frac[:, None, None] * d2[kk]) / den[:, None, None] - mean[:, :, None] * mean[:, None, :]
    gk = g[kk]
    u = (g[:, None] * xsum).sum(axis=0) - (gk[:, None] * mean).sum(axis=0)
    info = np.zeros((2 * p, 2 * p))
    info[:p, :p] = V.sum(axis=0)
    info[:p, p:] = info[p:, :p] = (gk[:, None, None] * V).sum(axis=0)
    info[p:, p:] = (gk[:, None, None] ** 2 * V).sum(axis=0)

    def score_test(cols: list[int]) -> float:
        idx = list(range(p)) + [p + j for j in cols]
        uu = np.r_[np.zeros(p), u[cols]]
        return float(uu @ np.linalg.solve(info[np.ix_(idx, idx)], uu))

    chisq = np.array([score_test([j]) for j in range(p)])
    glob = score_test(list(range(p)))
    table = pd.DataFrame({"term": terms, "chisq": chisq, "df": 1, "pvalue": stats.chi2.sf(chisq, 1)})
    return PhTest(table=table, global_chisq=glob, global_df=p, global_pvalue=float(stats.chi2.sf(glob, p)),
                  transform=transform, n_events=int(dead.sum()))
