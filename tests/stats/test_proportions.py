"""proportion_ci() and diff_proportions_ci(): closed forms, exact coverage, symmetry, errors."""

import numpy as np
import pytest
from scipy import stats

from civmon.stats import EstimationError, diff_proportions_ci, proportion_ci


def test_closed_forms_at_zero_successes():
    """k = 0: Wilson upper limit z^2 / (n + z^2); Clopper-Pearson upper limit 1 - (alpha/2)^(1/n)."""
    z2 = stats.norm.ppf(0.975) ** 2
    w = proportion_ci(0, 20)
    assert (w.ci_low, w.estimate) == (0.0, 0.0)
    assert w.ci_high == pytest.approx(z2 / (20 + z2), rel=1e-12)
    e = proportion_ci(0, 20, method="exact")
    assert e.ci_high == pytest.approx(1 - 0.025 ** (1 / 20), rel=1e-10)
    full = proportion_ci(20, 20)
    assert full.ci_high == 1.0 and full.ci_low == pytest.approx(1 - w.ci_high)


@pytest.mark.parametrize("n, p", [(30, 0.1), (50, 0.3), (200, 0.05), (120, 0.5)])
def test_exact_coverage_by_binomial_enumeration(n, p):
    """Coverage computed exactly over all k: Clopper-Pearson never falls below 95%; Wilson
    stays close to 95% (within 92-98% at these n and p)."""
    k = np.arange(n + 1)
    prob = stats.binom.pmf(k, n, p)
    cover = {}
    for method in ("wilson", "exact"):
        inside = np.array([(lambda r: r.ci_low <= p <= r.ci_high)(proportion_ci(int(i), n, method)) for i in k])
        cover[method] = float(prob @ inside)
    assert cover["exact"] >= 0.95
    assert 0.92 <= cover["wilson"] <= 0.98


def test_difference_interval_is_antisymmetric_and_contains_the_estimate():
    a = diff_proportions_ci(56, 70, 48, 80)
    b = diff_proportions_ci(48, 80, 56, 70)
    assert a.estimate == pytest.approx(-b.estimate)
    assert (a.ci_low, a.ci_high) == pytest.approx((-b.ci_high, -b.ci_low))
    assert a.ci_low < a.estimate < a.ci_high
    assert a.pvalue is None and a.n == 150
    assert list(a.to_frame()["term"]) == ["difference"]


def test_proportion_errors_name_the_problem():
    with pytest.raises(EstimationError, match="n > 0"):
        proportion_ci(0, 0)
    with pytest.raises(EstimationError, match="0..n"):
        proportion_ci(5, 4)
    with pytest.raises(EstimationError, match="method"):
        proportion_ci(1, 4, method="wald")
    with pytest.raises(EstimationError, match="n > 0"):
        diff_proportions_ci(1, 4, 0, 0)
