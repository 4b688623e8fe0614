"""Funnel-plot limits and the over-dispersion check (civmon.stats.funnel): hand-worked exact limits,
published reference values, the flagging rule for small units and the over-dispersion test."""

import numpy as np
import pytest

from civmon.stats import EstimationError, binomial_limits, funnel
from civmon.stats.funnel import dispersion, qbinom_interp, winsorise, z_scores


def test_exact_limits_worked_by_hand():
    """n = 20, p0 = 0.8, X ~ Binomial(20, 0.8). cdf / pmf (scipy.stats.binom):
    P(X<=10) = 0.002595, P(X=10) = 0.002031; P(X<=11) = 0.009982; P(X<=12) = 0.032143, P(X=12) = 0.022161;
    P(X<=18) = 0.930825; P(X<=19) = 0.988471, P(X=19) = 0.057646.
    Lower 95% (t = 0.025): r = 12 (first cdf >= 0.025), a = (0.032143 - 0.025) / 0.022161 = 0.32233,
    limit = (12 - 0.32233) / 20 = 0.58388.
    Upper 95% (1 - t = 0.975): r = 19, a = (0.988471 - 0.975) / 0.057646 = 0.23368,
    limit = (19 + 1 - 0.23368) / 20 = 0.98832.
    Lower 99.8% (t = 0.001): r = 10, a = (0.002595 - 0.001) / 0.002031 = 0.78532, limit = 0.46073.
    Upper 99.8%: r = 20, (20 + 1 - a) / 20 > 1, clipped to 1."""
    lo, hi = binomial_limits(20, 0.8, 0.95)
    assert lo[0] == pytest.approx(0.58388, abs=2e-5)
    assert hi[0] == pytest.approx(0.98832, abs=2e-5)
    lo, hi = binomial_limits(20, 0.8, 0.998)
    assert lo[0] == pytest.approx(0.46073, abs=2e-5)
    assert hi[0] == 1.0


def test_flags_follow_the_exact_tail_probability():
    """Same binomial: 12/20 has P(X<=12) = 0.032 > 0.025, inside; 11/20 has P(X<=11) = 0.00998, below
    95% but not 99.8%; 9/20 has P(X<=9) = 0.00056 < 0.001, below 99.8% (three units this far apart
    are over-dispersed, so the multiplicative adjustment is switched off to see the exact rule)."""
    f = funnel([12, 11, 9], [20, 20, 20], target=0.8, adjust=False).units
    assert f["below95"].tolist() == [False, True, True]
    assert f["below998"].tolist() == [False, False, True]
    assert f["p_low"].round(5).tolist() == [0.03214, 0.00998, 0.00056]
    assert f["rate"].iloc[0] > f["lower95"].iloc[0] and f["rate"].iloc[1] < f["lower95"].iloc[1]


@pytest.mark.parametrize("n, p0, upper, lower", [
    (1, 0.8, 0.125, 0.96875), (30, 0.8, 0.6653926, 0.9189948), (500, 0.94, 0.9193284, 0.9590222),
    (1, 0.9, 0.25, 0.9722222), (1, 0.91, 0.2777778, 0.9725275), (1, 0.92, 0.3125, 0.9728261),
    (30, 0.9, 0.7984726, 0.9803418), (30, 0.91, 0.8099055, 0.9858884), (30, 0.92, 0.8265404, 0.9898332),
    (500, 0.9, 0.8739851, 0.9245525), (500, 0.91, 0.8851109, 0.9333339), (500, 0.92, 0.8964178, 0.9419426),
])
def test_interpolation_agrees_with_spiegelhalters_r_function(n, p0, upper, lower):
    """Spiegelhalter's R ``qbinom.interp`` (the 2016 funnel program's limits, lower: (r - a)/n, upper:
    (r + 1 - a)/n), values computed in R and published as the reference of its port in
    github.com/gmp26/rcljs-widgets, src/tests/binom_limits.cljs ("scalar/vector agreement with R":
    qbinom-interp 0.975 n p0 :upper / :lower), to their 7 decimals."""
    assert qbinom_interp(0.975, n, p0, "upper")[0] == pytest.approx(upper, abs=5e-8)
    assert qbinom_interp(0.975, n, p0, "lower")[0] == pytest.approx(lower, abs=5e-8)


# UKHSA/PHE Fingertips funnel limits for a proportion around 80.642448% (PHEindicatormethods,
# tests/testthat/testdata_funnel_prop_outputs.csv: Population, Lower2s0025limit, Upper2s0025limit,
# Lower3s0001limit, Upper3s0001limit, in %). PHE inverts the Wilson score interval instead of taking
# binomial quantiles, so the two agree only up to the binomial's skewness and continuity terms:
# about 0.8 and 1.4 counts on the lower side, 0.2 and 0.4 on the upper, at every n.
PHE_TARGET = 0.80642448
PHE_ROWS = [(50, 69.691035, 91.593861, 63.375595, 97.909301), (102, 72.974925, 88.309971, 68.553233, 92.731663),
            (486, 77.12978, 84.155115, 75.104102, 86.180794), (1008, 78.203374, 83.081521, 76.796814, 84.488082),
            (9998, 79.867989, 81.416907, 79.421375, 81.863521), (110000, 80.408963, 80.875933, 80.274317, 81.010578)]


@pytest.mark.parametrize("n, lo95, hi95, lo998, hi998", PHE_ROWS)
def test_limits_agree_with_the_published_phe_funnel_table_within_one_and_a_half_counts(n, lo95, hi95, lo998, hi998):
    ours = [*binomial_limits(n, PHE_TARGET, 0.95), *binomial_limits(n, PHE_TARGET, 0.998)]
    ours = np.array([ours[0][0], ours[1][0], ours[2][0], ours[3][0]])
    assert np.all(np.abs(ours - np.array([lo95, hi95, lo998, hi998]) / 100) < 1.5 / n)


def test_limits_are_symmetric_in_success_and_failure():
    for n in (1, 7, 30, 500):
        for p0 in (0.1, 0.37, 0.8):
            lo, hi = binomial_limits(n, p0, 0.95)
            lo_f, hi_f = binomial_limits(n, 1 - p0, 0.95)
            assert np.allclose(hi, 1 - lo_f) and np.allclose(lo, 1 - hi_f)


def test_flags_agree_with_the_drawn_limits():
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = rng.integers(1, 300, 12)
        k = rng.binomial(n, rng.uniform(0.05, 0.95, 12))
        u = funnel(k, n, target=float(rng.uniform(0.05, 0.95)), adjust=False).units
        for lv in ("95", "998"):
            assert ((u["rate"] < u[f"lower{lv}"]) == u[f"below{lv}"]).all()
            assert ((u["rate"] > u[f"upper{lv}"]) == u[f"above{lv}"]).all()


def test_a_planted_outlier_is_flagged_and_a_merely_small_unit_is_not():
    """Around a pooled 80%: a large unit at 70% of 1,000 is far outside; 10/10 and 3/5 look extreme
    but P(X = 10) = 0.107 and P(X <= 3 | 5) = 0.263 under the target."""
    k = [800, 810, 790, 700, 10, 3, 395]
    n = [1000, 1000, 1000, 1000, 10, 5, 500]
    u = funnel(k, n, units=list("ABCDEFG"), adjust=False).units.set_index("unit")
    assert u.loc["D", "below998"] and not u.loc["D", "above95"]
    for small in ("E", "F"):
        assert not u.loc[small, ["below95", "above95", "below998", "above998"]].any()


def test_z_scores_and_winsorising():
    assert z_scores([60], [100], 0.5)[0] == pytest.approx(2.0)
    z = np.arange(15.0)  # 10% of 15 -> the single lowest and highest move in (trunc(1.5) + 1 = 2)
    w = winsorise(z)
    assert w[0] == 1.0 and w[-1] == 13.0 and (w[1:-1] == z[1:-1]).all()
    assert (winsorise(np.arange(9.0)) == np.arange(9.0)).all()  # fewer than 10 units: unchanged
    phi, stat, p = dispersion(np.array([1.0, -1.0, 1.0, -1.0]), df=3, percent=0)
    assert (phi, stat) == (1.0, 4.0) and p == pytest.approx(0.2615, abs=1e-4)


def test_overdispersed_units_widen_the_limits():
    """Beta-binomial rates (between-unit SD of the true rate about 0.07 around 0.8): phi well above 1,
    the test rejects and the adjusted limits are wider than the exact ones."""
    rng = np.random.default_rng(2005)
    n = rng.integers(200, 800, 15)
    k = rng.binomial(n, rng.beta(24, 6, 15))
    adj, plain = funnel(k, n), funnel(k, n, adjust=False)
    assert adj.overdispersed and adj.adjusted and adj.phi > 2 and adj.pvalue < 0.001 and adj.df == 14
    assert not plain.adjusted
    assert (adj.limits["upper95"] - adj.limits["lower95"] > plain.limits["upper95"] - plain.limits["lower95"]).all()
    assert adj.units[["below998", "above998"]].to_numpy().sum() <= plain.units[["below998", "above998"]].to_numpy().sum()


def test_binomial_units_rarely_trigger_the_adjustment():
    """200 seeded sets of 15 binomial units around their pooled rate (the district's own): without
    Winsorising, I * phi on chi-squared(I - 1) triggers at about the nominal 5%; the Winsorised phi
    (Spiegelhalter's robust estimate) is smaller under the null, so it triggers less often."""
    rng = np.random.default_rng(19)
    hits = {0: 0, 10: 0}
    for _ in range(200):
        n = rng.integers(50, 800, 15)
        k = rng.binomial(n, 0.8)
        z = z_scores(k, n, k.sum() / n.sum())
        for pct in hits:
            phi, _, p = dispersion(z, df=14, percent=pct)
            hits[pct] += p < 0.05 and phi > 1
    assert 0.02 <= hits[0] / 200 <= 0.09
    assert hits[10] <= hits[0] and hits[10] / 200 <= 0.06


def test_target_from_data_decides_the_degrees_of_freedom_and_bad_input_is_refused():
    assert funnel([5, 6], [10, 10]).df == 1
    assert funnel([5, 6], [10, 10], target=0.5).df == 2
    assert funnel([5, 6], [10, 10], target=0.5, target_from_data=True).df == 1
    f = funnel([10, 20], [10, 20], target=1.0)
    assert f.phi != f.phi and not f.overdispersed and (f.limits["lower95"] == 1).all()
    with pytest.raises(EstimationError):
        funnel([11], [10])
    with pytest.raises(EstimationError):
        funnel([1], [0])
