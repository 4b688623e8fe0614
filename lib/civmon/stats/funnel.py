"""Funnel plots for proportions (Spiegelhalter 2005, Stat Med 24:1185-1202): exact binomial control
limits around a target rate, z-scores, the over-dispersion test and the multiplicative adjustment.

Limits (Spiegelhalter 2005, appendix A.1.1, as in his own R program, ``qbinom.interp`` of the 2016
funnel code): for target p0, denominator n and tail probability t, the lower limit is
(r - a) / n where r is the smallest count with P(X <= r) >= t and a = (P(X <= r) - t) / P(X = r);
the upper limit is (r' + 1 - a') / n where r' is the smallest count with P(X <= r') >= 1 - t and
a' = (P(X <= r') - (1 - t)) / P(X = r'). The interpolation makes the limits smooth in n; the extra
count on the upper side makes them symmetric (the upper limit for p0 is one minus the lower limit
for 1 - p0) and puts every count inside them that an exact one-sided binomial test at t would not
reject. So a unit is outside a limit exactly when its exact tail probability P(X <= k) or
P(X >= k) is below t, which is how it is flagged: a unit that is merely small (wide limits) is
never flagged for the discreteness of its count.

Over-dispersion (Spiegelhalter 2005, section 6.3; Spiegelhalter et al. 2012, JRSS A 175:1-47):
z_i = (k_i/n_i - p0) / sqrt(p0(1-p0)/n_i), Winsorised at 10% each side (the most extreme z-scores
set to the 10th and 90th percentile values, by the rule of the same R program), phi = mean(z^2);
under the binomial model I*phi is approximately chi-squared on I degrees of freedom, I - 1 when the
target is the units' own pooled rate. When the test rejects at `alpha` (and phi > 1) the limits
become p0 +/- z_t sqrt(phi p0 (1-p0) / n) (the multiplicative model), never narrower than the
exact ones; but only with enough units for Winsorising to move at least one z-score at each end
(10 at 10%): with fewer, a single true outlier inflates phi and would hide itself behind the
widened limits, so phi is reported and the limits stay exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from civmon.stats.errors import EstimationError

LEVELS = (0.95, 0.998)  # the "alert" (about 2 SD) and "alarm" (about 3 SD) limits
WINSOR = 10.0  # percent of z-scores Winsorised at each end
GRID_POINTS = 160


def level_name(level: float) -> str:
    """Column suffix of a limit level: 0.95 -> "95", 0.998 -> "998"."""
    return f"{level * 100:g}".replace(".", "")


def _tail(level: float) -> float:
    if not 0 < level < 1:
        raise EstimationError(f"a control-limit level lies in (0, 1), not {level}")
    return (1 - level) / 2


def qbinom_interp(p: float, n, p0: float, tail: str) -> np.ndarray:
    """Spiegelhalter's interpolated p-point of a binomial proportion (R ``qbinom.interp``): for
    tail "lower", (r - a) / n with r = qbinom(p) and a = (pbinom(r) - p) / dbinom(r); for "upper",
    (r + 1 - a) / n with r = qbinom(1 - p) and a = (pbinom(r) - (1 - p)) / dbinom(r). Not clipped."""
    if tail not in ("lower", "upper"):
        raise EstimationError(f"tail is 'lower' or 'upper', not {tail!r}")
    n = np.atleast_1d(np.asarray(n, dtype=float))
    binom = stats.binom(n, p0)
    q = p if tail == "lower" else 1 - p
    r = binom.ppf(q)
    a = (binom.cdf(r) - q) / binom.pmf(r)
    return (r - a) / n if tail == "lower" else (r + 1 - a) / n


def binomial_limits(n, p0: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial (lower, upper) control limits of a proportion at denominators `n` (interpolated,
    see the module docstring), clipped to [0, 1]; a degenerate target (0 or 1) gives limits equal to it."""
    n = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(n < 1) or np.any(n != np.round(n)):
        raise EstimationError("denominators must be whole numbers of at least 1")
    if not 0 <= p0 <= 1:
        raise EstimationError(f"the target rate lies in [0, 1], not {p0}")
    if p0 in (0.0, 1.0):
        return np.full(n.shape, p0), np.full(n.shape, p0)
    t = _tail(level)
    lower, upper = qbinom_interp(t, n, p0, "lower"), qbinom_interp(t, n, p0, "upper")
    return np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0)


def overdispersed_limits(n, p0: float, level: float, phi: float) -> tuple[np.ndarray, np.ndarray]:
    """Multiplicative over-dispersion limits p0 +/- z sqrt(phi p0 (1 - p0) / n), clipped to [0, 1]."""
    n = np.atleast_1d(np.asarray(n, dtype=float))
    half = stats.norm.ppf(1 - _tail(level)) * np.sqrt(phi * p0 * (1 - p0) / n)
    return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)


def z_scores(k, n, p0: float) -> np.ndarray:
    """Standardised Pearson residuals (k/n - p0) / sqrt(p0 (1 - p0) / n); 0 where k/n equals a
    degenerate target, +/-inf where it does not."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    diff = k / n - p0
    if p0 in (0.0, 1.0):
        return np.where(diff > 0, np.inf, np.where(diff < 0, -np.inf, 0.0))
    return diff / np.sqrt(p0 * (1 - p0) / n)


def winsorise(z, percent: float = WINSOR) -> np.ndarray:
    """z-scores with the trunc(I * percent / 100) + 1 lowest set to the value of the last of them and
    as many highest to the first of theirs (Spiegelhalter's ``winsorise``: 10% of 15 units moves the
    single most extreme z-score at each end; fewer than 10 units, none)."""
    z = np.asarray(z, dtype=float)
    if len(z) == 0:
        return z
    s = np.sort(z)
    w = int(len(z) * percent / 100) + 1
    return np.clip(z, s[w - 1], s[len(z) - w])


def dispersion(z, df: int, percent: float = WINSOR) -> tuple[float, float, float]:
    """(phi, I * phi, p-value of I * phi on chi-squared(df)) from Winsorised z-scores."""
    zw = winsorise(z, percent)
    phi = float(np.mean(zw ** 2))
    stat = len(zw) * phi
    return phi, stat, float(stats.chi2.sf(stat, df))


@dataclass(frozen=True)
class FunnelStats:
    """A funnel plot of proportions against their denominators.

    ``units``: unit, k, n, rate, z, z_adjusted (z / sqrt(phi) when adjusted, else z), p_low
    (P(X <= k)), p_high (P(X >= k)), the limits at the unit's n (lower95, upper95, lower998,
    upper998: the adjusted ones when the adjustment was applied) and the flags below95, above95,
    below998, above998 (a unit outside 99.8% is outside 95% too). ``limits``: the same limit
    columns over a grid of n, for drawing. ``phi``, ``statistic`` (I * phi) and ``pvalue`` (on
    chi-squared with ``df``) test over-dispersion (NaN with fewer than 2 units or a degenerate
    target); ``adjusted`` says whether the limits were widened by phi.
    """

    units: pd.DataFrame
    limits: pd.DataFrame
    target: float
    levels: tuple[float, ...]
    phi: float
    statistic: float
    df: int
    pvalue: float
    overdispersed: bool
    adjusted: bool
    winsor: float = WINSOR
    method: str = "exact binomial limits (Spiegelhalter 2005)"

    def to_frame(self) -> pd.DataFrame:
        """The per-unit table."""
        return self.units.copy()


def _limits(n, p0, levels, phi, adjusted) -> dict[str, np.ndarray]:
    out = {}
    for lv in levels:
        lo, hi = binomial_limits(n, p0, lv)
        if adjusted:
            alo, ahi = overdispersed_limits(n, p0, lv, phi)
            lo, hi = np.minimum(lo, alo), np.maximum(hi, ahi)
        out[f"lower{level_name(lv)}"], out[f"upper{level_name(lv)}"] = lo, hi
    return out


def limit_grid(n_min: int, n_max: int, points: int = GRID_POINTS) -> np.ndarray:
    """Whole denominators from n_min to n_max, dense where the funnel bends (small n)."""
    n_min, n_max = max(1, int(n_min)), max(1, math.ceil(n_max))
    g = np.concatenate([np.geomspace(n_min, max(n_min, n_max), points), np.linspace(n_min, n_max, points)])
    return np.unique(np.round(g).astype(int))


def funnel(k, n, target: float | None = None, *, units=None, levels=LEVELS, winsor: float = WINSOR,
           alpha: float = 0.05, adjust: bool = True, target_from_data: bool | None = None,
           grid=None) -> FunnelStats:
    """Funnel plot of k/n against n around `target` (default: the pooled rate sum k / sum n).

    `target_from_data` (default: whether `target` was left out) says the target is estimated from
    these units, so the over-dispersion test has I - 1 degrees of freedom instead of I. With
    `adjust`, over-dispersed data (test p < `alpha`, phi > 1) get the multiplicative limits when
    there are enough units for the Winsorised phi to be robust to an outlier (see the module).
    `grid` (denominators for the limit curves) defaults to half the smallest n up to 1.05 x the
    largest.
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if k.shape != n.shape or k.ndim != 1 or len(k) == 0:
        raise EstimationError("a funnel needs one numerator and one denominator per unit")
    if np.any(n < 1) or np.any(k < 0) or np.any(k > n) or np.any(k != np.round(k)) or np.any(n != np.round(n)):
        raise EstimationError("counts must be whole, 0 <= k <= n and n >= 1")
    names = list(range(len(k))) if units is None else list(units)
    if len(names) != len(k):
        raise EstimationError("one unit name per numerator")
    if target_from_data is None:
        target_from_data = target is None
    p0 = float(k.sum() / n.sum()) if target is None else float(target)
    if not 0 <= p0 <= 1:
        raise EstimationError(f"the target rate lies in [0, 1], not {p0}")
    z = z_scores(k, n, p0)
    degenerate = p0 in (0.0, 1.0)
    df = len(k) - 1 if target_from_data else len(k)
    if degenerate or df < 1:
        phi = stat = pvalue = float("nan")
    else:
        phi, stat, pvalue = dispersion(z, df, winsor)
    over = bool(not math.isnan(pvalue) and pvalue < alpha and phi > 1)
    robust = winsor == 0 or int(len(k) * winsor / 100) >= 1
    adjusted = over and adjust and robust
    scale = math.sqrt(phi) if adjusted else 1.0

    rows = pd.DataFrame({"unit": names, "k": k.astype(int), "n": n.astype(int), "rate": k / n, "z": z,
                         "z_adjusted": z / scale})
    dist = stats.binom(n, p0)
    rows["p_low"] = dist.cdf(k)
    rows["p_high"] = dist.sf(k - 1)
    for name, values in _limits(n, p0, levels, phi, adjusted).items():
        rows[name] = values
    for lv in levels:
        t, s = _tail(lv), level_name(lv)
        low, high = rows["p_low"] < t, rows["p_high"] < t
        if adjusted:  # outside the widened limits too
            crit = stats.norm.ppf(1 - t)
            low &= rows["z_adjusted"] < -crit
            high &= rows["z_adjusted"] > crit
        rows[f"below{s}"], rows[f"above{s}"] = low.to_numpy(), high.to_numpy()

    ns = limit_grid(max(1, n.min() // 2), 1.05 * n.max()) if grid is None else np.asarray(grid, dtype=int)
    curves = pd.DataFrame({"n": ns, **_limits(ns, p0, levels, phi, adjusted)})
    how = "exact binomial limits (Spiegelhalter 2005)"
    if adjusted:
        how += f", multiplicative over-dispersion adjustment (phi = {phi:.3f})"
    return FunnelStats(units=rows, limits=curves, target=p0, levels=tuple(levels), phi=phi, statistic=stat,
                       df=df, pvalue=pvalue, overdispersed=over, adjusted=adjusted, winsor=winsor, method=how)
