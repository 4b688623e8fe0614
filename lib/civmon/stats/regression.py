"""Linear regression core: OLS/WLS on statsmodels with absorbed fixed effects and the
standard-error conventions of Stata and fixest (see :func:`fit_linear`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse
import statsmodels.api as sm
from scipy import stats
from statsmodels.regression.linear_model import RegressionResults
from statsmodels.stats import sandwich_covariance as sw

from civmon.stats.errors import EstimationError
from civmon.stats.results import Result

SE_TYPES = ("classical", "hc1", "cluster", "hac")
MIN_CLUSTERS = 10
_COLLINEAR_TOL = 1e-9


@dataclass(frozen=True)
class LinearFit:
    """A fitted linear model: coefficients, covariance and the degrees of freedom used for t."""

    names: tuple[str, ...]
    params: np.ndarray
    vcov: np.ndarray
    n: int
    dof: float
    se_type: str
    n_clusters: int | None
    k_params: int
    raw: object = field(compare=False, repr=False)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def lincomb(self, weights: np.ndarray) -> tuple[float, float]:
        """Estimate and standard error of ``weights @ params`` (weights held fixed)."""
        est = float(weights @ self.params)
        var = float(weights @ self.vcov @ weights)
        return est, float(np.sqrt(max(var, 0.0)))

    def inference(self, est: float, se: float, level: float = 0.95) -> tuple[float, float, float]:
        """CI bounds and two-sided p-value from a t distribution with ``dof`` degrees of freedom."""
        return t_inference(est, se, self.dof, level)

    def result(self, name: str, method: str, level: float = 0.95) -> Result:
        i = self.index(name)
        est, se = float(self.params[i]), float(np.sqrt(self.vcov[i, i]))
        lo, hi, p = self.inference(est, se, level)
        return Result(estimate=est, se=se, ci_low=lo, ci_high=hi, pvalue=p, n=self.n,
                      method=method, term=name, level=level, df=self.dof,
                      n_clusters=self.n_clusters, table=self.table(level))

    def table(self, level: float = 0.95, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, se, ci_low, ci_high, pvalue."""
        names = list(self.names if names is None else names)
        idx = [self.index(nm) for nm in names]
        est = self.params[idx]
        se = np.sqrt(np.diag(self.vcov)[idx])
        crit = float(stats.t.ppf(0.5 + level / 2, self.dof))
        with np.errstate(divide="ignore", invalid="ignore"):
            p = 2 * stats.t.sf(np.abs(est) / se, self.dof)
        return pd.DataFrame({"term": names, "estimate": est, "se": se, "ci_low": est - crit * se,
                             "ci_high": est + crit * se, "pvalue": p})


def t_inference(est: float, se: float, dof: float | None, level: float = 0.95):
    """Two-sided CI and p-value; t with ``dof`` degrees of freedom, normal when dof is None."""
    if dof is None:
        crit = float(stats.norm.ppf(0.5 + level / 2))
        p = float(2 * stats.norm.sf(abs(est) / se)) if se > 0 else float("nan")
    else:
        crit = float(stats.t.ppf(0.5 + level / 2, dof))
        p = float(2 * stats.t.sf(abs(est) / se, dof)) if se > 0 else float("nan")
    return float(est - crit * se), float(est + crit * se), p


def demean(X: np.ndarray, codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Subtract (weighted) group means of every column: the within transformation for one FE."""
    n_groups = int(codes.max()) + 1
    w = np.ones(len(codes)) if weights is None else weights
    M = scipy.sparse.csr_matrix((w, (codes, np.arange(len(codes)))), shape=(n_groups, len(codes)))
    sums = M @ X
    wsum = np.asarray(M.sum(axis=1)).ravel()
    means = sums / (wsum[:, None] if X.ndim == 2 else wsum)
    return X - means[codes]


def collinear_columns(X: np.ndarray, X_raw: np.ndarray | None = None
                      ) -> tuple[list[int], list[int], np.ndarray | None]:
    """Columns absorbed by the fixed effects (zero after demeaning), columns that are linear
    combinations of earlier ones (QR without pivoting on unit-norm columns), and, when there
    are none, the triangular factor R of X (X = QR) for the fit."""
    norms = np.linalg.norm(X, axis=0)
    raw_norms = norms if X_raw is None else np.linalg.norm(X_raw, axis=0)
    absorbed = [j for j in range(X.shape[1])
                if raw_norms[j] == 0 or norms[j] <= _COLLINEAR_TOL * raw_norms[j]]
    keep = [j for j in range(X.shape[1]) if j not in absorbed]
    if not keep:
        return absorbed, [], None
    Z = X[:, keep] / norms[keep]
    r = np.linalg.qr(Z, mode="r")[: len(keep)]
    diag = np.abs(np.diag(r))
    dependent = [keep[i] for i in np.flatnonzero(diag < 1e-8)]
    if len(keep) > X.shape[0]:
        dependent += keep[X.shape[0]:]
    if absorbed or dependent:
        return absorbed, dependent, None
    return [], [], r * norms[None, :]


def _has_constant(X: np.ndarray) -> bool:
    return bool(np.any(np.all(X == X[:1], axis=0) & (X[0] != 0)))


def _is_nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True if every level of ``inner`` lies within a single level of ``outer``."""
    pairs = np.unique(np.stack([inner, outer], axis=1), axis=0)
    return len(pairs) == len(np.unique(inner))


def fit_linear(y: np.ndarray, X: np.ndarray, names: Sequence[str], *, se: str = "classical",
               cluster: np.ndarray | None = None, absorb: np.ndarray | None = None,
               weights: np.ndarray | None = None, hac_lags: int | None = None,
               hac_df_correction: bool = False, min_clusters: int = MIN_CLUSTERS,
               describe: dict[str, str] | None = None) -> LinearFit | list[LinearFit]:
    """Fit y on X by OLS (WLS with ``weights``), one set of fixed effects absorbed by demeaning.

    ``y`` may be a matrix (one column per outcome, same design): the design is decomposed
    once and a list of fits is returned, with the same formulas evaluated in numpy
    (classical, hc1 and cluster only); a single outcome goes through statsmodels.

    Conventions (N observations, K parameters including absorbed fixed effects, G clusters):

    * classical: s^2 (X'X)^-1 with s^2 = SSR/(N-K), as Stata ``regress``;
    * hc1: N/(N-K) times the White sandwich, as Stata ``regress, robust``;
    * cluster (CR1): G/(G-1) x (N-1)/(N-K') times the cluster sandwich, as fixest and
      Stata ``xtreg, fe vce(cluster)``/``reghdfe``: K' does not count fixed effects nested
      in the clusters (only one parameter stands for them), so errors are smaller than
      statsmodels' default, which counts every dummy. Inference uses t(G-1);
      fewer than ``min_clusters`` clusters is an error;
    * hac: Newey-West with Bartlett weights 1 - h/(L+1) and no degrees-of-freedom
      correction, as Wooldridge (Introductory Econometrics, s.12.5);
      ``hac_df_correction=True`` multiplies by N/(N-K). Rows must be in time order.

    Other than cluster, inference uses t(N-K). Columns that the fixed effects absorb or that
    are linear combinations of earlier columns raise :class:`EstimationError` naming them
    (``describe`` maps a column name to a phrase for the message).
    """
    if se not in SE_TYPES:
        raise EstimationError(f"unknown standard-error type {se!r}; use one of {SE_TYPES}")
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    names = tuple(names)
    n, p = X.shape
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise EstimationError("missing or infinite values in the estimation sample")
    if n == 0:
        raise EstimationError("no observations in the estimation sample")
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
            raise EstimationError("weights must be positive and finite")

    n_absorbed = 0
    Xd, yd = X, y
    if absorb is not None:
        n_absorbed = len(np.unique(absorb))
        Xd = demean(X, absorb, weights)
        yd = demean(y, absorb, weights)
    if weights is not None:
        sqw = np.sqrt(weights)
        Xd = Xd * sqw[:, None]
        yd = yd * (sqw if yd.ndim == 1 else sqw[:, None])
        X_raw = X * sqw[:, None]
    else:
        X_raw = X

    absorbed, dependent, R = collinear_columns(Xd, X_raw if absorb is not None else None)
    if absorbed or dependent:
        describe = describe or {}
        parts = []
        if absorbed:
            cols = ", ".join(describe.get(names[j], repr(names[j])) for j in absorbed)
            parts.append(f"{cols} "
                         + ("absorbed by the fixed effects (no variation within units)"
                            if absorb is not None else "is constant zero"))
        if dependent:
            cols = ", ".join(describe.get(names[j], repr(names[j])) for j in dependent)
            parts.append(f"{cols} collinear with the other regressors")
        raise EstimationError("collinear design: " + "; ".join(parts))

    k_full = p + n_absorbed
    if n - k_full <= 0:
        raise EstimationError(f"no residual degrees of freedom (N={n}, K={k_full})")

    # One QR serves the collinearity check and the fit: b = R^-1 R'^-1 X'y, (X'X)^-1 = R^-1 R'^-1;
    # the statsmodels results object then supplies residuals and the sandwich pieces.
    r_inv, info = scipy.linalg.lapack.dtrtri(R, lower=0)
    if info != 0:
        raise EstimationError("singular design matrix")
    xtx_inv = r_inv @ r_inv.T
    cl, n_clusters, k_cl = None, None, p
    if se == "cluster":
        if cluster is None:
            raise EstimationError("se='cluster' needs a cluster variable")
        cl = pd.factorize(np.asarray(cluster))[0]
        n_clusters = int(cl.max()) + 1
        if n_clusters < max(2, min_clusters):
            raise EstimationError(
                f"too few clusters for cluster-robust errors: G={n_clusters} < {max(2, min_clusters)}"
                " (use se='classical'/'hc1', a coarser design or more clusters)")
        if absorb is not None:
            k_cl = p + (1 if _is_nested(absorb, cl) else n_absorbed)
    if yd.ndim == 2:
        return _fit_many(yd, Xd, xtx_inv, names, se, cl, n_clusters, k_full, k_cl)
    params = xtx_inv @ (Xd.T @ yd)
    model = sm.OLS(yd, Xd, hasconst=absorb is None and _has_constant(Xd))
    model.rank = p  # full rank was established above; spares statsmodels an SVD
    ssr = float(np.sum((yd - Xd @ params) ** 2))
    res = RegressionResults(model, params, normalized_cov_params=xtx_inv, scale=ssr / (n - k_full))
    dof: float = n - k_full
    if se == "classical":
        vcov = xtx_inv * (ssr / (n - k_full))
    elif se == "hc1":
        vcov = sw.cov_white_simple(res, use_correction=False) * (n / (n - k_full))
    elif se == "hac":
        lags = newey_west_lags(n) if hac_lags is None else int(hac_lags)
        if lags < 0:
            raise EstimationError("hac_lags must be >= 0")
        vcov = sw.cov_hac(res, nlags=lags, use_correction=False)
        if hac_df_correction:
            vcov = vcov * (n / (n - k_full))
    else:
        vcov = sw.cov_cluster(res, cl, use_correction=False)
        vcov = vcov * (n_clusters / (n_clusters - 1) * (n - 1) / (n - k_cl))
        dof = n_clusters - 1
    return LinearFit(names=names, params=params, vcov=np.asarray(vcov), n=n, dof=dof,
                     se_type=se, n_clusters=n_clusters, k_params=k_full, raw=res)


def _fit_many(Yd: np.ndarray, Xd: np.ndarray, xtx_inv: np.ndarray, names: tuple[str, ...],
              se: str, cl: np.ndarray | None, n_clusters: int | None, k_full: int,
              k_cl: int) -> list[LinearFit]:
    """The formulas of :func:`fit_linear` for many outcomes at once (vectorised sandwiches,
    in chunks of outcomes so that intermediate arrays stay around 20 million numbers)."""
    n, p = Xd.shape
    B = xtx_inv @ (Xd.T @ Yd)
    E = Yd - Xd @ B
    A = Xd @ xtx_inv
    if se == "classical":
        V = xtx_inv[None] * (np.sum(E ** 2, axis=0) / (n - k_full))[:, None, None]
        dof = n - k_full
    elif se in ("hc1", "cluster"):
        if se == "cluster":
            order = np.argsort(cl, kind="stable")
            starts = np.flatnonzero(np.r_[True, np.diff(cl[order]) != 0])
            rows = len(starts)
            factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - k_cl)
            dof = n_clusters - 1
        else:
            rows = n
            factor = n / (n - k_full)
            dof = n - k_full
        V = np.empty((Yd.shape[1], p, p))
        step = max(1, int(2e7 // (rows * p)))
        for lo in range(0, Yd.shape[1], step):
            Ec = E[:, lo:lo + step]
            if se == "cluster":  # cluster sums of (X'X)^-1 x_i e_i: G x p x R
                S = np.stack([np.add.reduceat(A[order, j][:, None] * Ec[order], starts, axis=0)
                              for j in range(p)], axis=1)
            else:
                S = A[:, :, None] * Ec[:, None, :]
            V[lo:lo + step] = np.einsum("gpr,gqr->rpq", S, S) * factor
    else:
        raise EstimationError(f"se={se!r} is not available for several outcomes at once")
    return [LinearFit(names=names, params=B[:, r], vcov=V[r], n=n, dof=dof, se_type=se,
                      n_clusters=n_clusters, k_params=k_full, raw=None) for r in range(B.shape[1])]


def newey_west_lags(n: int) -> int:
    """Default HAC truncation lag floor(4 (n/100)^(2/9)) (Newey and West 1994), as Wooldridge
    suggests."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


# ---------------------------------------------------------------- DataFrame helpers

def require_columns(df: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise EstimationError(f"columns not in data: {missing}")


def numeric(df: pd.DataFrame, col: str) -> np.ndarray:
    """A column as float64 (booleans as 0/1, nullable missing as NaN); error if not numeric."""
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype) or not (
            pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise EstimationError(f"column {col!r} is not numeric (dtype {s.dtype})")
    return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def complete_rows(df: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Listwise deletion on the columns a model uses (as Stata and R do)."""
    require_columns(df, cols)
    out = df.loc[df[list(dict.fromkeys(cols))].notna().all(axis=1)]
    if len(out) == 0:
        raise EstimationError("no complete observations for " + ", ".join(map(str, cols)))
    return out


def se_label(fit: LinearFit) -> str:
    if fit.se_type == "cluster":
        return f"cluster-robust CR1, G={fit.n_clusters}"
    return {"classical": "classical", "hc1": "HC1 robust", "hac": "Newey-West"}[fit.se_type]


def resolve_se(se: str | None, cluster: str | None) -> str:
    """Default error type: cluster-robust when a cluster variable is given, else classical."""
    if se is None:
        return "cluster" if cluster is not None else "classical"
    if se == "cluster" and cluster is None:
        raise EstimationError("se='cluster' needs a cluster variable (cluster=...)")
    return se


@dataclass(frozen=True)
class OlsResult:
    """A general OLS fit: tidy coefficient ``table`` and ``result(term)`` for one coefficient."""

    table: pd.DataFrame
    fit: LinearFit = field(compare=False, repr=False)
    method: str = ""

    @property
    def n(self) -> int:
        return self.fit.n

    def result(self, term: str, level: float = 0.95) -> Result:
        return self.fit.result(term, self.method, level)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()


def ols(df: pd.DataFrame, outcome: str, regressors: Sequence[str] = (), *, se: str | None = None,
        cluster: str | None = None, hac_lags: int | None = None, hac_df_correction: bool = False,
        weights: str | None = None, intercept: bool = True, absorb: str | None = None,
        min_clusters: int = MIN_CLUSTERS, level: float = 0.95) -> OlsResult:
    """General linear regression with the conventions of :func:`fit_linear`.

    ``se``: "classical" (default; "cluster" when ``cluster`` is given), "hc1", "cluster" or
    "hac" (Newey-West; rows are taken in their current order, so sort by time first).
    ``absorb`` names a fixed-effect column removed by demeaning (no intercept then).
    """
    se = resolve_se(se, cluster)
    regressors = list(regressors)
    extra = [c for c in (cluster, weights, absorb) if c is not None]
    d = complete_rows(df, [outcome, *regressors, *extra])
    cols = [numeric(d, c) for c in regressors]
    names = list(regressors)
    if intercept and absorb is None:
        cols.insert(0, np.ones(len(d)))
        names.insert(0, "Intercept")
    if not cols:
        raise EstimationError("no regressors")
    X = np.column_stack(cols)
    fit = fit_linear(numeric(d, outcome), X, names, se=se,
                     cluster=None if cluster is None else d[cluster].to_numpy(),
                     absorb=None if absorb is None else pd.factorize(d[absorb])[0],
                     weights=None if weights is None else numeric(d, weights),
                     hac_lags=hac_lags, hac_df_correction=hac_df_correction,
                     min_clusters=min_clusters)
    method = f"OLS ({se_label(fit)})"
    return OlsResult(table=fit.table(level), fit=fit, method=method)
