"""Pseudonymisation on read: ID numbers become keyed hashes; names and phones are dropped.

Column naming rule (one for all datasets): an `id_number` column becomes `person_key`, and any
`<prefix>_id_number` column becomes `<prefix>_key`; beside each key the reader adds the birth date
and sex derived from the ID number (`birth_date`/`sex`, or `<prefix>_birth_date`/`<prefix>_sex`).
Columns of kind `name` or `phone` are removed. Nothing downstream ever sees a raw identifier.
"""

from __future__ import annotations

from civmon.errors import MissingKeyError  # noqa: F401 (re-exported)

import hashlib
import hmac
import os

import pandas as pd

from civmon.data.spec import Dataset

KEY_ENV = "CIVMON_PSEUDONYM_KEY"
# The synthetic sample is hashed with this fixed, published key so its runs are reproducible.
# It protects nothing: real data must set CIVMON_PSEUDONYM_KEY to a secret of its own.
SAMPLE_KEY = "civmon-synthetic-sample-key-not-secret"
KEY_LENGTH = 16  # hex characters kept from the HMAC-SHA256 digest

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_checksum(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def is_valid_id(value: str) -> bool:
    """True for an 18-character resident ID number whose check character is right."""
    s = str(value).strip().upper()
    return len(s) == 18 and s[:17].isdigit() and s[17] == id_checksum(s[:17])


def key_from_env(sample: bool = False) -> str:
    """The pseudonymisation key: the fixed sample key for the sample, else the environment's."""
    if sample:
        return SAMPLE_KEY
    key = os.environ.get(KEY_ENV, "")
    if not key:
        raise MissingKeyError(
            f"Set the environment variable {KEY_ENV} to a secret key before reading real data; "
            "ID numbers are replaced by keyed hashes on read and the key must never be written "
            "into a params file or a notebook.")
    return key


def hash_ids(values: pd.Series, key: str) -> pd.Series:
    """HMAC-SHA256 of each ID number (upper-cased, stripped), truncated to KEY_LENGTH hex chars."""
    k = key.encode()
    cache: dict[str, str] = {}

    def one(v):
        if pd.isna(v):
            return None
        s = str(v).strip().upper()
        if s not in cache:
            cache[s] = hmac.new(k, s.encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH]
        return cache[s]

    return values.map(one).astype("string")


def birth_date_and_sex(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Birth date (digits 7-14) and sex (digit 17: odd male 'M', even female 'F') from ID numbers."""
    s = values.astype("string").str.strip()
    birth = pd.to_datetime(s.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    digit = pd.to_numeric(s.str.slice(16, 17), errors="coerce")
    sex = pd.Series(pd.NA, index=values.index, dtype="string")
    sex[digit.notna() & (digit % 2 == 1)] = "M"
    sex[digit.notna() & (digit % 2 == 0)] = "F"
    return birth, sex


def key_column(id_column: str) -> str:
    """The name a pseudonymised ID column gets: id_number -> person_key, x_id_number -> x_key."""
    return "person_key" if id_column == "id_number" else id_column[: -len("id_number")] + "key"


def derived_columns(id_column: str) -> tuple[str, str]:
    """Names of the birth-date and sex columns derived from an ID column."""
    prefix = "" if id_column == "id_number" else id_column[: -len("id_number")]
    return f"{prefix}birth_date", f"{prefix}sex"


def pseudonymise(df: pd.DataFrame, dataset: Dataset, key: str) -> pd.DataFrame:
    """Replace ID columns by keyed hashes plus birth date and sex; drop name and phone columns."""
    out = df.copy()
    for col in dataset.columns:
        if col.name not in out.columns:
            continue
        if col.kind == "id_number":
            pos = out.columns.get_loc(col.name)
            raw = out.pop(col.name)
            birth, sex = birth_date_and_sex(raw)
            bcol, scol = derived_columns(col.name)
            out.insert(pos, scol, sex)
            out.insert(pos, bcol, birth)
            out.insert(pos, key_column(col.name), hash_ids(raw, key))
        elif col.kind in ("name", "phone"):
            out = out.drop(columns=col.name)
    return out
