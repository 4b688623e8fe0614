"""Confidence intervals for a proportion (Wilson, Clopper-Pearson) and for a difference of two
independent proportions (Newcombe's hybrid score interval)."""

from __future__ import annotations

import math

from scipy import stats

from civmon.stats.errors import EstimationError
from civmon.stats.results import Result


def _check(k: int, n: int) -> None:
    if n is None or n <= 0:
        raise EstimationError(f"a proportion needs n > 0 (got n={n})")
    if k < 0 or k > n:
        raise EstimationError(f"successes must lie in 0..n (got k={k}, n={n})")
    if int(k) != k or int(n) != n:
        raise EstimationError("k and n must be whole counts")


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval without continuity correction (Newcombe 1998a, method 3)."""
    _check(k, n)
    z = stats.norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def proportion_ci(k: int, n: int, method: str = "wilson", level: float = 0.95) -> Result:
    """Proportion k/n with a confidence interval.

    ``method="wilson"``: Wilson score interval without continuity correction (the default:
    good coverage, never outside [0, 1]); ``"exact"``: Clopper-Pearson from beta quantiles.
    ``se`` is the Wald standard error sqrt(p(1-p)/n); ``pvalue`` is None (no test).
    """
    _check(k, n)
    p = k / n
    if method == "wilson":
        lo, hi = wilson_interval(k, n, level)
        label = "Wilson score interval (no continuity correction)"
    elif method == "exact":
        a = 1 - level
        lo = 0.0 if k == 0 else float(stats.beta.ppf(a / 2, k, n - k + 1))
        hi = 1.0 if k == n else float(stats.beta.ppf(1 - a / 2, k + 1, n - k))
        label = "Clopper-Pearson exact interval"
    else:
        raise EstimationError("method must be 'wilson' or 'exact'")
    return Result(estimate=p, se=math.sqrt(p * (1 - p) / n), ci_low=lo, ci_high=hi, pvalue=None,
                  n=int(n), method=label, term="proportion", level=level)


def diff_proportions_ci(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> Result:
    """Difference p1 - p2 of two independent proportions with Newcombe's (1998b) hybrid score
    interval (method 10): the Wilson limits of each proportion combined in quadrature,
    L = d - sqrt((p1-l1)^2 + (u2-p2)^2), U = d + sqrt((u1-p1)^2 + (p2-l2)^2).
    ``se`` is the unpooled Wald standard error; ``pvalue`` is None; ``n`` = n1 + n2.
    """
    _check(k1, n1)
    _check(k2, n2)
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, level)
    l2, u2 = wilson_interval(k2, n2, level)
    d = p1 - p2
    lo = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return Result(estimate=d, se=se, ci_low=max(-1.0, lo), ci_high=min(1.0, hi), pvalue=None,
                  n=int(n1 + n2), method="Newcombe hybrid score interval (method 10)",
                  term="difference", level=level)
