"""The interface every programme generator of the synthetic sample follows, and shared helpers.

A programme module exposes `generate(areas, rng, scale=1.0) -> SampleParts`. Its frames are raw,
as a bureau would hold them (spec column names, canonical dtypes, raw ID numbers, names, phones);
its truth holds the planted values (JSON-serialisable) that tests and reports compare with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from civmon.data.spec import DATASETS

# Programme index: the second element of each programme's rng seed, and its ID-number block.
PROGRAMME_INDEX = {"relief": 1, "eldercare": 2, "migrants": 3, "kpi": 4}

# Sample coverage: monthly, 2021-01 .. 2023-12.
SAMPLE_START = pd.Timestamp("2021-01-01")
SAMPLE_END = pd.Timestamp("2023-12-31")
MONTHS = pd.date_range(SAMPLE_START, SAMPLE_END, freq="MS")
_STRING = pd.StringDtype("pyarrow")


@dataclass
class SampleParts:
    """One programme's share of the sample: raw frames by dataset name, and its planted truth."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    truth: dict = field(default_factory=dict)


def programme_rng(seed: int, programme: str) -> np.random.Generator:
    """The independent random generator of one programme for a sample seed."""
    return np.random.default_rng([int(seed), PROGRAMME_INDEX[programme]])


def arrow_strings(values) -> pd.api.extensions.ExtensionArray:
    """Arrow-backed pandas strings (compact and fast to write) from numpy or pyarrow values."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(np.asarray(values, dtype=str))
    return pd.array(arr, dtype=_STRING)


def prefixed_ids(prefix: str, numbers, width: int) -> pd.api.extensions.ExtensionArray:
    """Record ids such as HH0000001: a prefix and a zero-padded number, built without Python loops."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width=width, padding="0")
    return pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype=_STRING)


def canonical(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Order columns as the spec does and cast them to the canonical in-memory dtypes.

    Raw personal columns (id_number, name, phone) are kept as strings (or categoricals when the
    generator made them so, for memory): pseudonymisation is the reader's job, not the generator's.
    Strings are Arrow-backed and area codes categorical, so province-scale samples fit in memory.
    """
    spec = DATASETS[dataset]
    missing = [c for c in spec.column_names if c not in df.columns]
    if missing:
        raise KeyError(f"{dataset}: generator did not produce columns {missing}")
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in spec.columns:
        s = df[col.name].reset_index(drop=True)
        if col.kind in ("date", "month"):
            s = pd.to_datetime(s).astype("datetime64[ns]")
            if col.kind == "month":  # the first day of the month (NaT stays NaT)
                s = pd.Series(s.to_numpy().astype("datetime64[M]").astype("datetime64[ns]"), index=s.index)
        elif col.kind == "int":
            s = pd.array(s, dtype="Int64")
        elif col.kind in ("money", "num"):
            s = pd.to_numeric(s).astype("float64")
        elif col.kind == "bool":
            s = pd.array(s, dtype="boolean")
        elif col.kind == "cat" and isinstance(s.dtype, pd.CategoricalDtype):
            s = s.cat.set_categories(list(col.values))
        elif col.kind == "cat":
            s = pd.Categorical(s, categories=list(col.values))
        elif col.kind in ("id_number", "name", "phone") and isinstance(s.dtype, pd.CategoricalDtype):
            pass  # repeated personal values (monthly payments) stay compact until written
        elif col.name in ("township_code", "village_code"):
            if not isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype("string").astype("category")
        elif s.dtype != _STRING:
            s = s.astype(_STRING)
        out[col.name] = s
    return out


def uniform_dates(rng: np.random.Generator, lo, hi, n) -> np.ndarray:
    """n dates uniform between lo and hi (inclusive; arrays or scalars), as datetime64[ns]."""
    lo = np.asarray(pd.to_datetime(lo), dtype="datetime64[D]")
    hi = np.asarray(pd.to_datetime(hi), dtype="datetime64[D]")
    days = np.floor(rng.random(n) * ((hi - lo).astype(np.int64) + 1)).astype(np.int64)
    return (lo + days.astype("timedelta64[D]")).astype("datetime64[ns]")
