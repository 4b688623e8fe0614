"""Monthly subsidy spells: payment rows, pro-rated first months, and exact calibration by thinning.

Shared by the child and disability subsidies of the sample. A spell is paid every month from the
month it starts to the month before it ends; the first month is pro-rated by the days remaining.
Calibration drops whole units (people) at random, the same rate for everyone, until the period
total is just above the target, then trims a few pro-rated first months by the small excess.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.places import month_index
from civmon.sample.relief_roster import N_MONTHS


def spell_rows(start: pd.DatetimeIndex, end: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit index, month index, share of the month paid) for monthly payments of each spell."""
    start = pd.DatetimeIndex(start)
    end = pd.DatetimeIndex(end)
    first_m = month_index(start)
    end_m = np.where(end.isna(), N_MONTHS, month_index(end.fillna(pd.Timestamp("2099-01-01"))))
    first = np.maximum(first_m, 0)
    last = np.minimum(end_m - 1, N_MONTHS - 1)
    count = np.clip(last - first + 1, 0, None).astype(np.int64)
    unit = np.repeat(np.arange(len(start), dtype=np.int64), count)
    offset = np.arange(len(unit)) - np.repeat(np.cumsum(count) - count, count)
    month = (np.repeat(first, count) + offset).astype(np.int32)
    share = np.ones(len(unit))
    entry_row = month == first_m[unit]
    day = start.day.to_numpy()[unit]
    dim = start.days_in_month.to_numpy()[unit]
    share[entry_row] = (dim[entry_row] - day[entry_row] + 1) / dim[entry_row]
    return unit, month, share


def thin_to_total(contrib: np.ndarray, candidates: np.ndarray, target: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Drop candidate units at random until the kept total is >= target with the least excess.

    `contrib` is each unit's contribution to the calibrated total. Units are dropped in a random
    order (so everyone, paid in the period or not, is thinned at the same rate); at the end only
    units small enough to keep the total above target are dropped. Returns (keep mask, excess).
    """
    contrib = np.asarray(contrib, dtype=np.int64)
    total = int(contrib.sum())
    if total < target:
        raise ValueError(f"simulated total {total} below the calibration target {target}")
    order = rng.permutation(np.flatnonzero(candidates))
    cum = np.cumsum(contrib[order])
    k = int(np.searchsorted(cum, total - target, side="right"))
    keep = np.ones(len(contrib), bool)
    keep[order[:k]] = False
    excess = total - target - (int(cum[k - 1]) if k else 0)
    for u in order[k:]:
        if 0 < contrib[u] <= excess:
            keep[u] = False
            excess -= int(contrib[u])
    return keep, excess


def trim_rows(amount: np.ndarray, rows: np.ndarray, excess: int, rng: np.random.Generator,
              unit: int = 100, fallback: np.ndarray | None = None) -> np.ndarray:
    """Reduce the amounts of the given rows (at most 90 percent each) by `excess` in total.

    Rows are taken in random order; `fallback` rows (e.g. full months, as deductions) are used
    only when the first set cannot absorb the excess (small samples).
    """
    out = np.asarray(amount, dtype=np.int64).copy()
    order = rng.permutation(rows)
    if fallback is not None:
        order = np.r_[order, rng.permutation(np.setdiff1d(fallback, rows))]
    for r in order:
        if excess <= 0:
            break
        cut = min(excess, int(out[r] * 0.9) // unit * unit)
        out[r] -= cut
        excess -= cut
    if excess:
        raise ValueError("not enough rows to absorb the calibration excess")
    return out
