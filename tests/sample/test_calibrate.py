"""Exact-calibration helpers: integer sums, amounts to the cent, thinning, trimming, spells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civmon.sample.calibrate import cents_to_total, integers_to_sum, oversample
from civmon.sample.subsidy import spell_rows, thin_to_total, trim_rows


def test_integers_to_sum_respects_bounds_and_mask():
    rng = np.random.default_rng(0)
    x = np.array([1, 1, 5, 5, 2])
    out = integers_to_sum(x, 10, rng, lo=1, hi=6, mask=np.array([1, 1, 0, 0, 1], bool))
    assert out[[0, 1, 4]].sum() == 10
    assert (out[[2, 3]] == 5).all() and out.min() >= 1 and out.max() <= 6
    with pytest.raises(ValueError):
        integers_to_sum(np.array([1, 1]), 20, rng, lo=1, hi=6)


def test_cents_to_total_hits_the_target_in_whole_units():
    rng = np.random.default_rng(1)
    raw = rng.lognormal(8, 0.7, 150) * 100
    out = cents_to_total(raw, 90_950_000, rng, unit=10000, lo=50000, hi=2_000_000)
    assert out.sum() == 90_950_000
    assert (out % 10000 == 0).all() and out.min() >= 50000 and out.max() <= 2_000_000


def test_thin_to_total_stops_just_above_the_target():
    rng = np.random.default_rng(2)
    contrib = rng.integers(0, 5000, 400)
    keep, excess = thin_to_total(contrib, np.ones(400, bool), int(contrib.sum() * 0.9), rng)
    assert contrib[keep].sum() - int(contrib.sum() * 0.9) == excess
    assert 0 <= excess < contrib[keep][contrib[keep] > 0].min()


def test_trim_rows_absorbs_the_excess_exactly():
    rng = np.random.default_rng(3)
    amount = np.array([100000, 50000, 20000, 80000])
    out = trim_rows(amount, np.array([1, 2]), 30000, rng)
    assert amount.sum() - out.sum() == 30000 and (out[[0, 3]] == amount[[0, 3]]).all()
    out = trim_rows(amount, np.array([2]), 60000, rng, fallback=np.array([0, 1, 2, 3]))
    assert amount.sum() - out.sum() == 60000
    with pytest.raises(ValueError):
        trim_rows(amount, np.array([2]), 60000, rng)


def test_spell_rows_pay_from_the_start_month_to_the_month_before_the_end():
    start = pd.DatetimeIndex(["2023-01-16", "2020-05-01", "2023-12-01"])
    end = pd.DatetimeIndex(["2023-04-02", "2021-02-10", pd.NaT])
    unit, month, share = spell_rows(start, end)
    # spell 0: Jan (pro-rated 16 of 31 days), Feb, Mar; spell 1: Jan 2021 only (began before the sample);
    # spell 2: Dec 2023, a full month from its first day
    assert unit.tolist() == [0, 0, 0, 1, 2]
    assert month.tolist() == [24, 25, 26, 0, 35]
    assert share.tolist() == pytest.approx([16 / 31, 1, 1, 1, 1])


def test_oversample_grows_for_small_samples():
    assert oversample(1.0) == pytest.approx(1.06)
    assert oversample(100.0) == pytest.approx(1.06)
    assert oversample(0.25) == pytest.approx(1.12)
