"""Small exact-calibration helpers: make simulated counts and amounts add up to a target.

The sample must reproduce published totals to the unit (counts) or the cent (amounts) while the
individual records stay plausible; these helpers nudge a few records by the smallest steps.
"""

from __future__ import annotations

import numpy as np


def oversample(scale: float, base: float = 0.06) -> float:
    """How much more to simulate than needed before thinning to an exact target.

    6 percent at scale 1 (several standard deviations of the simulated totals); more for small
    samples, whose totals vary relatively more.
    """
    return 1.0 + base / np.sqrt(min(float(scale), 1.0))


def integers_to_sum(values: np.ndarray, target: int, rng: np.random.Generator,
                    lo: int = 1, hi: int = 10**9, mask: np.ndarray | None = None) -> np.ndarray:
    """Add or remove 1 at random positions (within [lo, hi], where mask) until values sum to target."""
    out = np.asarray(values, dtype=np.int64).copy()
    idx = np.arange(len(out)) if mask is None else np.flatnonzero(mask)
    for _ in range(1000):
        diff = int(target - out[idx].sum())
        if diff == 0:
            return out
        step = 1 if diff > 0 else -1
        room = idx[(out[idx] + step >= lo) & (out[idx] + step <= hi)]
        if len(room) == 0:
            break
        pick = rng.choice(room, size=min(abs(diff), len(room)), replace=False)
        out[pick] += step
    raise ValueError(f"cannot reach the sum {target} within [{lo}, {hi}]")


def cents_to_total(cents: np.ndarray, target_cents: int, rng: np.random.Generator,
                   unit: int = 1, lo: int = 0, hi: int | None = None) -> np.ndarray:
    """Rescale positive amounts (in cents) so they sum to target_cents exactly.

    Amounts are rounded to multiples of `unit` cents (100 = whole yuan, 10000 = hundreds of yuan)
    and kept within [lo, hi]; the rounding residual is spread over random records one unit at a time.
    The target must be a multiple of `unit`.
    """
    if target_cents % unit:
        raise ValueError("target must be a multiple of the rounding unit")
    x = np.asarray(cents, dtype=float)
    scaled = x * (target_cents / x.sum())
    units = np.round(scaled / unit).astype(np.int64)
    hi_u = None if hi is None else hi // unit
    units = np.clip(units, -(-lo // unit), hi_u if hi_u is not None else None)
    units = integers_to_sum(units, target_cents // unit, rng, lo=-(-lo // unit),
                            hi=hi_u if hi_u is not None else 10**15)
    return units * unit
