"""ITS robustness (placebo, +-1 month), assumptions and minimum detectable effects on planted series."""

import numpy as np
import pandas as pd
import pytest

from civmon.evaluation.its_checks import detectability, its_assumptions, its_robustness
from civmon.stats import its

RISE = pd.Timestamp("2023-01-01")


def monthly(level=50.0, slope=2.0, rho=0.3, sd=5.0, n=48, rise_at=30, pre_kink=0.0, seed=1):
    """A monthly series with a planted level and slope change at month `rise_at` (= RISE) and AR(1)
    noise; `pre_kink` adds a slope change in the middle of the pre-period (a broken pre-trend)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(RISE - pd.DateOffset(months=rise_at), periods=n, freq="MS")
    k = np.arange(n)
    u = np.zeros(n)
    for i in range(1, n):
        u[i] = rho * u[i - 1] + rng.normal(0, sd)
    mid = rise_at // 2
    y = (1000 + 3 * k + level * (k >= rise_at) + slope * (k - rise_at) * (k >= rise_at)
         + pre_kink * (k - mid) * (k >= mid) + u)
    return pd.DataFrame({"month": months, "y": y})


def test_a_planted_effect_survives_the_shifted_dates_and_the_placebo_finds_nothing():
    s = monthly(level=80.0, sd=4.0)
    main = its(s, "month", "y", RISE)
    rob = its_robustness(s, "month", "y", RISE, main)
    level = rob["level_change"]
    assert [c.design for c in level.rows] == ["main", "shift_minus_1", "shift_plus_1", "placebo_pre"]
    assert level.verdict == "holds", level.table
    placebo = level.rows[-1]
    assert placebo.kind == "placebo" and placebo.ci_low < 0 < placebo.ci_high
    a = its_assumptions("户数", main, rob)
    assert [x.holds for x in a][0] is True and a[-1].holds is None  # the placebo passes; no concurrent change: argued


def test_a_broken_pre_trend_fails_the_placebo_and_the_assumption_says_so():
    s = monthly(level=80.0, sd=2.0, pre_kink=6.0)
    main = its(s, "month", "y", RISE)
    rob = its_robustness(s, "month", "y", RISE, main)
    assert rob["slope_change"].verdict == "placebo_fails"
    first = its_assumptions("户数", main, rob)[0]
    assert first.holds is False and "反事实" in first.assumption and first.caveat


def test_too_short_a_pre_period_skips_the_placebo_and_says_why():
    s = monthly(n=12, rise_at=5)
    main = its(s, "month", "y", RISE)
    rob = its_robustness(s, "month", "y", RISE, main)
    assert "placebo_pre" in rob["level_change"].skipped
    assert [c.kind for c in rob["level_change"].rows] == ["main", "alternative", "alternative"]


def test_a_small_townships_series_cannot_detect_its_share_of_the_district_effect():
    district = {"y": its(monthly(level=200.0, sd=4.0, seed=2), "month", "y", RISE)}
    small = {"y": its(monthly(level=10.0, sd=8.0, seed=3), "month", "y", RISE)}  # 5% of the district
    d = {x.term: x for x in detectability(small, district, share=0.05)}["level_change"]
    se = small["y"].level_change.se
    assert d.expected == pytest.approx(district["y"].level_change.estimate * 0.05)
    assert d.mde > 2.8 * se * 0.99 and d.detectable is False  # ~ (t_.975 + t_.8) SE
    big = {x.term: x for x in detectability(small, district, share=1.0)}["level_change"]
    assert big.detectable is True
    assert detectability(small, None, None)[0].detectable is None
