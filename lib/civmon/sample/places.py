"""Assign synthetic records to townships and villages/communities of the sample's areas table."""

from __future__ import annotations

import numpy as np
import pandas as pd


def assign_places(areas: pd.DataFrame, rng: np.random.Generator, n: int,
                  rural_weight: float = 1.0) -> tuple[pd.Categorical, pd.Categorical]:
    """Township and village/community codes (categoricals) for n records, in proportion to population.

    `rural_weight` > 1 over-represents villages (rural poverty rates are higher).
    """
    units = areas[areas["level"] != "township"].sort_values("area_code")
    w = units["population"].to_numpy(dtype=float)
    w = w * np.where(units["level"].to_numpy() == "village", rural_weight, 1.0)
    pick = rng.choice(len(units), size=n, p=w / w.sum())
    towns = township_codes(areas)
    parent = np.searchsorted(towns, units["parent_code"].to_numpy(dtype=str))
    villages = units["area_code"].to_numpy(dtype=str)
    return (pd.Categorical.from_codes(parent[pick], categories=towns),
            pd.Categorical.from_codes(pick, categories=villages))


def township_codes(areas: pd.DataFrame) -> np.ndarray:
    """The township codes of the areas table, in order."""
    return np.sort(areas.loc[areas["level"] == "township", "area_code"].to_numpy(dtype=str))


def month_index(dates) -> np.ndarray:
    """Months since 2021-01 (0 = January 2021) of each date; negative before the sample starts."""
    d = pd.DatetimeIndex(dates)
    return ((d.year - 2021) * 12 + d.month - 1).to_numpy(dtype=np.int64)


def random_days_in_months(rng: np.random.Generator, month_idx: np.ndarray) -> pd.DatetimeIndex:
    """A uniformly random day within each month (given as months since 2021-01)."""
    start = month_starts(month_idx)
    ndays = start.days_in_month.to_numpy()
    offset = np.floor(rng.random(len(start)) * ndays).astype("timedelta64[D]")
    return pd.DatetimeIndex(start.to_numpy() + offset)


def month_starts(month_idx) -> pd.DatetimeIndex:
    """First day of each month given as months since 2021-01."""
    uniq, inverse = np.unique(np.asarray(month_idx, dtype=np.int64), return_inverse=True)
    starts = pd.to_datetime(pd.DataFrame({
        "year": 2021 + np.floor_divide(uniq, 12), "month": np.mod(uniq, 12) + 1, "day": 1})).to_numpy()
    return pd.DatetimeIndex(starts[inverse.reshape(-1)])
