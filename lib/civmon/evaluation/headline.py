"""Headline figures: each indicator this period, the previous period and a year earlier, the
change, and its status against the target; small counts suppressed below the district."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from civmon.disclosure import suppress_small
from civmon.indicators import all_indicators
from civmon.period import Period

NEAR_SHARE = 0.10  # within 10% of the target counts as "near" (接近)


def target_status(value: float | None, target: float | None, higher_is_better: bool | None) -> str:
    """met / near / not_met against a target (no target or no direction: none)."""
    if target is None or value is None or higher_is_better is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if (value >= target) if higher_is_better else (value <= target):
        return "met"
    gap = abs(value - target) / abs(target) if target else math.inf
    return "near" if gap <= NEAR_SHARE else "not_met"


def compute(ids, data: dict[str, pd.DataFrame], period: Period) -> dict[str, float | None]:
    """Values of the indicators for one period; None where the data do not cover it."""
    reg = all_indicators()
    out = {}
    for i in ids:
        ind = reg[i]
        try:
            v = ind.compute(data, period)
        except (KeyError, ValueError, ZeroDivisionError):
            v = None
        out[i] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return out


@dataclass
class Headline:
    """The headline figures of a report, as a tidy frame (one row per indicator)."""

    frame: pd.DataFrame
    threshold: int | None = None  # set when small counts were suppressed (below the district level)

    @property
    def n_hidden(self) -> int:
        return int(self.frame["hidden"].map(len).sum()) if "hidden" in self.frame else 0


def headline(ids, data: dict[str, pd.DataFrame], period: Period, targets: dict[str, float] | None = None,
             suppress_below: int | None = None) -> Headline:
    """Compute `ids` for the period, the previous period and a year earlier, with target statuses.

    `suppress_below` (the disclosure threshold; give it below the district level) hides small counts."""
    reg = all_indicators()
    targets = targets or {}
    now = compute(ids, data, period)
    prev = compute(ids, data, period.previous())
    last_year = compute(ids, data, period.year_earlier())
    rows = []
    for i in ids:
        ind = reg[i]
        v, y = now[i], last_year[i]
        yoy = (v - y) / y * 100 if v is not None and y not in (None, 0) else None
        t = targets.get(i)
        rows.append(dict(id=i, label_zh=ind.label_zh, label_en=ind.label_en, programme=ind.programme, unit=ind.unit,
                         value=v, previous=prev[i], year_earlier=y, yoy_pct=yoy, target=t,
                         status=target_status(v, t, ind.higher_is_better), formula=ind.formula, headline=True))
    frame = pd.DataFrame(rows)
    if suppress_below:
        return Headline(suppress_small(frame, suppress_below), suppress_below)
    return Headline(frame)
