"""Linear regression with AR(1) errors for short time series: REML estimation of the error process
(Harville 1977; the method Turner et al. 2021 found closest to nominal coverage in interrupted time
series), Prais-Winsten feasible GLS, and Satterthwaite degrees of freedom for each coefficient.

Model: y = X b + u, u_t = rho u_{t-1} + e_t, e ~ N(0, s2), |rho| < 1, rows in time order without gaps.
The Prais-Winsten transform P (first row scaled by sqrt(1 - rho^2), then quasi-differences) whitens u:
P u ~ N(0, s2 I), so GLS is OLS on (P y, P X).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from civmon.stats.errors import EstimationError

RHO_BOUND = 0.99
_STEP = 1e-4


def whiten(A: np.ndarray, rho: float) -> np.ndarray:
    """The Prais-Winsten transform of the rows of A (a vector or a matrix)."""
    first = np.sqrt(1 - rho ** 2) * A[:1]
    return np.concatenate([first, A[1:] - rho * A[:-1]])


def _gls(X: np.ndarray, y: np.ndarray, rho: float):
    Xt, yt = whiten(X, rho), whiten(y, rho)
    xtx = Xt.T @ Xt
    b = np.linalg.solve(xtx, Xt.T @ yt)
    e = yt - Xt @ b
    return b, xtx, float(e @ e)


def _neg_reml(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """-log restricted likelihood at theta = (log s2, rho), up to a constant."""
    n, k = X.shape
    s2, rho = np.exp(theta[0]), theta[1]
    _, xtx, ssr = _gls(X, y, rho)
    return 0.5 * ((n - k) * np.log(s2) + ssr / s2 - np.log(1 - rho ** 2) + np.linalg.slogdet(xtx)[1])


def _profile_neg_reml(rho: float, X: np.ndarray, y: np.ndarray) -> float:
    n, k = X.shape
    _, xtx, ssr = _gls(X, y, rho)
    return 0.5 * ((n - k) * np.log(ssr / (n - k)) - np.log(1 - rho ** 2) + np.linalg.slogdet(xtx)[1])


@dataclass(frozen=True)
class Ar1Errors:
    """The fitted AR(1) error process: `rho`, innovation variance `s2`, and `theta_cov`, the
    inverse observed REML information of (log s2, rho) (None when it is not positive definite,
    e.g. rho on the bound); `method` is "reml" or "prais-winsten"."""

    rho: float
    s2: float
    theta_cov: np.ndarray | None
    method: str

    @property
    def at_bound(self) -> bool:
        return abs(self.rho) >= RHO_BOUND - 1e-3

    def covariance(self, n: int, rho: float | None = None, s2: float | None = None) -> np.ndarray:
        """The n x n covariance of u: s2 / (1 - rho^2) rho^|i-j|."""
        rho = self.rho if rho is None else rho
        s2 = self.s2 if s2 is None else s2
        i = np.arange(n)
        return s2 / (1 - rho ** 2) * rho ** np.abs(i[:, None] - i[None, :])


def _hessian(f, x: np.ndarray) -> np.ndarray:
    p = len(x)
    H = np.empty((p, p))
    E = np.eye(p) * _STEP
    for i in range(p):
        for j in range(p):
            H[i, j] = (f(x + E[i] + E[j]) - f(x + E[i] - E[j]) - f(x - E[i] + E[j]) + f(x - E[i] - E[j])) / (4 * _STEP ** 2)
    return H


def fit_ar1_reml(X: np.ndarray, y: np.ndarray) -> Ar1Errors:
    """REML estimate of (rho, s2) of the AR(1) errors of y on X (rho bounded to +-0.99)."""
    n, k = X.shape
    if n - k < 3:
        raise EstimationError(f"too few periods for AR(1) errors (n={n}, {k} coefficients)")
    ols_resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    if ols_resid @ ols_resid <= 1e-20 * max(1.0, float(y @ y)):  # an exact fit: no error process to estimate
        return Ar1Errors(rho=0.0, s2=0.0, theta_cov=None, method="reml")
    opt = optimize.minimize_scalar(_profile_neg_reml, bounds=(-RHO_BOUND, RHO_BOUND), args=(X, y),
                                   method="bounded", options={"xatol": 1e-6})
    rho = float(opt.x)
    _, _, ssr = _gls(X, y, rho)
    s2 = ssr / (n - k)
    theta = np.array([np.log(s2), rho])
    cov = None
    if abs(rho) < RHO_BOUND - 1e-3:
        H = _hessian(lambda t: _neg_reml(t, X, y), theta)
        if np.all(np.linalg.eigvalsh(H) > 0):
            cov = np.linalg.inv(H)
    return Ar1Errors(rho=rho, s2=s2, theta_cov=cov, method="reml")


def fit_prais_winsten(X: np.ndarray, y: np.ndarray, max_iter: int = 50, tol: float = 1e-8) -> Ar1Errors:
    """Iterated Prais-Winsten: rho from the lag-1 regression of the current GLS residuals, to
    convergence (Stata ``prais``'s default rho estimate); s2 = SSR / (n - k) of the whitened fit."""
    n, k = X.shape
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    rho = 0.0
    for _ in range(max_iter):
        u = y - X @ b
        new = float(np.clip((u[1:] @ u[:-1]) / (u[:-1] @ u[:-1]), -RHO_BOUND, RHO_BOUND))
        b, _, _ = _gls(X, y, new)
        done = abs(new - rho) < tol
        rho = new
        if done:
            break
    _, _, ssr = _gls(X, y, rho)
    return Ar1Errors(rho=rho, s2=ssr / (n - k), theta_cov=None, method="prais-winsten")


def gls_coefficients(X: np.ndarray, y: np.ndarray, err: Ar1Errors) -> tuple[np.ndarray, np.ndarray]:
    """GLS coefficients and their covariance s2 (X' Omega^-1 X)^-1 under the fitted errors."""
    b, xtx, _ = _gls(X, y, err.rho)
    return b, err.s2 * np.linalg.inv(xtx)


def ols_covariance(X: np.ndarray, err: Ar1Errors, rho: float | None = None, s2: float | None = None) -> np.ndarray:
    """Covariance of the OLS coefficients when the errors follow the fitted AR(1) process:
    (X'X)^-1 X' Sigma X (X'X)^-1."""
    bread = np.linalg.inv(X.T @ X)
    return bread @ X.T @ err.covariance(len(X), rho, s2) @ X @ bread


def satterthwaite_df(var_of_theta, err: Ar1Errors, fallback: float) -> np.ndarray:
    """Satterthwaite degrees of freedom 2 v^2 / (g' A g) for each variance v(theta) returned by
    `var_of_theta` (a vector function of theta = (log s2, rho)), with g its gradient and A the
    inverse REML information; `fallback` where A is unavailable. Clipped to [1, fallback]."""
    if err.theta_cov is None or err.s2 <= 0:
        return np.full(len(var_of_theta(np.array([0.0, err.rho]))), float(fallback))
    theta = np.array([np.log(err.s2), err.rho])
    v = var_of_theta(theta)
    E = np.eye(2) * _STEP
    g = np.column_stack([(var_of_theta(theta + E[i]) - var_of_theta(theta - E[i])) / (2 * _STEP) for i in range(2)])
    den = np.einsum("ji,ik,jk->j", g, err.theta_cov, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(den > 0, 2 * v ** 2 / den, fallback)
    return np.clip(df, 1.0, fallback)
