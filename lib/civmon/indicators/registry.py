"""The indicator registry: every headline number has an id, labels, unit, formula and a function.

An indicator function is pure: it takes the validated, pseudonymised DataFrames it declares in
`inputs` (already filtered to the report's scope) plus the Period, and returns one number.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

from civmon.period import Period


@dataclass(frozen=True)
class Indicator:
    id: str
    programme: str  # relief, eldercare, migrants, charity, community, affairs
    label_zh: str
    label_en: str
    unit: str
    formula: str
    higher_is_better: bool | None
    inputs: tuple[str, ...]
    func: Callable[..., float]

    def compute(self, data: Mapping[str, pd.DataFrame], period: Period) -> float:
        """Compute the indicator for one period from a mapping of dataset name to DataFrame."""
        missing = [name for name in self.inputs if name not in data]
        if missing:
            raise KeyError(f"indicator {self.id} needs datasets {missing}")
        return self.func(*(data[name] for name in self.inputs), period)


REGISTRY: dict[str, Indicator] = {}


def pct(num: float, den: float) -> float:
    """Percent, NaN when the denominator is zero."""
    return float(100.0 * num / den) if den else float("nan")


def wan(yuan: float) -> float:
    """Yuan to 万元, rounded to 0.01 万元 as the bureau prints it (half up: 1e-9 absorbs float error)."""
    return float(round(float(yuan) / 10_000.0 + 1e-9, 2))


def indicator(id: str, programme: str, label_zh: str, label_en: str, unit: str, formula: str,
              inputs: tuple[str, ...], higher_is_better: bool | None = True):
    """Decorator that registers an indicator function under `id`."""

    def wrap(func):
        if id in REGISTRY:
            raise ValueError(f"indicator id {id!r} registered twice")
        REGISTRY[id] = Indicator(id, programme, label_zh, label_en, unit, formula, higher_is_better,
                                 tuple(inputs), func)
        return func

    return wrap


def get(id: str) -> Indicator:
    """Look up an indicator; an unknown id raises KeyError with a suggestion."""
    try:
        return REGISTRY[id]
    except KeyError:
        close = difflib.get_close_matches(id, REGISTRY, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise KeyError(f"unknown indicator id '{id}'.{hint}") from None
