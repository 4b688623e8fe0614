"""Small dataset frames built in code, as the loader would return them (canonical, pseudonymised)."""

from __future__ import annotations

import pandas as pd

from civmon.data.pseudonymise import SAMPLE_KEY, id_checksum, pseudonymise
from civmon.data.spec import DATASETS
from civmon.sample.base import canonical


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical, pseudonymised frame of a dataset from rows (missing columns empty)."""
    cols = DATASETS[name].column_names
    raw = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    return pseudonymise(canonical(raw, name), DATASETS[name], SAMPLE_KEY)


def pid(i: int) -> str:
    """A valid (checksummed) synthetic resident ID number."""
    first17 = f"33050219600101{i:03d}"
    return first17 + id_checksum(first17)
