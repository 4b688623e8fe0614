"""The `kpi` table of the sample: the summary's charity, community and civil-affairs figures.

2023-H1 (and the 2023 annual figures) equal the summary; other periods (2021, 2022, 2023-H2, the
years) are plausible values around a yearly growth rate. Values are in the indicator's unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.indicators.kpi import KPI_INDICATORS
from civmon.sample.base import SampleParts, canonical

# id -> (summary value, label of the period it refers to, yearly growth used for other years)
SEED_VALUES: dict[str, tuple[float, str, float]] = {
    "charity_projects_linked": (4, "2023H1", 0.15),
    "venture_philanthropy_projects": (16, "2023H1", 0.10),
    "new_charity_orgs": (2, "2023H1", 0.0),
    "community_workers": (735, "2023H1", 0.03),
    "community_workers_certified": (388, "2023H1", 0.12),
    "community_workers_new_trained": (218, "2023H1", 0.05),
    "exam_reward_funds": (136.75, "2023H1", 0.10),
    "service_complexes_planned": (8, "2023", 0.25),
    "marriage_cert_reissued": (17590, "2023H1", 0.04),
    "townships": (14, "2023", 0.0),
    "administrative_villages": (230, "2023", 0.0),
    "newlywed_counselling": (2942, "2023H1", 0.03),
    "divorce_counselling": (2356, "2023H1", 0.05),
    "tomb_sweeping_visitors": (210000, "2023H1", 0.04),
    "after_death_online": (1870, "2023H1", 0.20),
}
AT_LEAST = {"tomb_sweeping_visitors"}  # the summary says 21万余: the sample's value lies above the bound
CONSTANT = {"townships", "administrative_villages"}
H2_SHARE = {"tomb_sweeping_visitors": 0.3}  # second half relative to the first (Qingming is in April)
YEARS = (2021, 2022, 2023)


def _value(base: float, unit: str) -> float:
    """Amounts in 万元 to 0.01, everything else a whole number."""
    return round(base, 2) if unit == "万元" else float(max(0, int(round(base))))


def _noisy(rng: np.random.Generator, level: float, id_: str, kind: str) -> float:
    """Level with noise: 5 percent for flows, 1.5 percent for stocks, none for constant counts."""
    sd = 0.0 if id_ in CONSTANT else (0.015 if kind == "stock" else 0.05)
    return level * (1 + sd * rng.standard_normal())


def kpi_table(rng: np.random.Generator, scale: float = 1.0) -> tuple[pd.DataFrame, dict]:
    """The kpi rows (district level) and the truth: the seed values the table reproduces."""
    rows = []
    for id_, _programme, _zh, _en, unit, kind in KPI_INDICATORS:
        seed, label, growth = SEED_VALUES[id_]
        if id_ in AT_LEAST:
            seed = seed + int(rng.integers(500, 9500))
        k = 1.0 if id_ in CONSTANT else scale
        for y in YEARS:
            level = seed * k * (1 + growth) ** (y - 2023)
            if kind == "annual":
                rows.append((id_, str(y), _value(level if y == 2023 else _noisy(rng, level, id_, kind), unit)))
                continue
            h1 = _value(level if y == 2023 else _noisy(rng, level, id_, kind), unit)
            h2 = _value(_noisy(rng, level, id_, kind) * H2_SHARE.get(id_, 1.0) * (1 + growth) ** 0.5, unit)
            year = h2 if kind == "stock" else _value(h1 + h2, unit)
            rows += [(id_, f"{y}H1", h1), (id_, f"{y}H2", h2), (id_, str(y), year)]
    df = pd.DataFrame(rows, columns=["indicator_id", "period", "value"])
    df.insert(2, "township_code", None)
    truth = {
        "reference_values": {k: v[0] for k, v in SEED_VALUES.items()},
        "reference_periods": {k: v[1] for k, v in SEED_VALUES.items()},
        "at_least_values": {k: float(df[(df.indicator_id == k) & (df.period == "2023H1")]["value"].iloc[0])
                            for k in AT_LEAST},
        "yearly_growth": {k: v[2] for k, v in SEED_VALUES.items()},
    }
    return df, truth


def generate(areas: pd.DataFrame, rng: np.random.Generator, scale: float = 1.0) -> SampleParts:
    """The kpi dataset of the sample (district-level rows) and its truth."""
    df, truth = kpi_table(rng, scale)
    return SampleParts(frames={"kpi": canonical(df, "kpi")}, truth=truth)
