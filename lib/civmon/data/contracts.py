"""Data contracts: one pandera schema per dataset, built from the declarative spec in spec.py.

Why pandera: it is an actively maintained, pandas-native validation library whose schemas are
plain Python objects. It validates a whole frame lazily and returns every failing cell with its
row index (which we keep as the Excel row number), checks a million rows in well under a second
because checks are vectorised, understands pandas nullable and categorical dtypes, and its schemas
can be introspected to write the data dictionary. The alternatives were heavier (Great
Expectations brings its own project layout and stores) or row-wise and slow (pydantic models).

Two schemas per dataset:
- `input_schema`: the typed frame after parsing, before pseudonymisation (raw ID numbers, with
  their checksum check); used by the readers to find range, null, checksum and duplicate-key errors.
- `output_schema`: the canonical frame handed downstream: ID numbers replaced by keys, birth date
  and sex added, names and phones gone. `strict=True`, so a raw identifier column cannot slip out.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from civmon.data import pseudonymise as ps
from civmon.data.spec import DATASETS, Column, Dataset

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_BYTES = np.frombuffer(b"10X98765432", dtype=np.uint8)

MSG_EMPTY = "empty value"
MSG_NEGATIVE = "negative amount"
MSG_BELOW = "below minimum"
MSG_ABOVE = "above maximum"
MSG_CHECKSUM = "bad ID number checksum"
MSG_DUPLICATE = "duplicate key"
MSG_MONTH = "not the first day of a month"
KEY_LENGTH = ps.KEY_LENGTH
# Area codes repeat on every row and are filtered on constantly: categorical in canonical frames.
CODE_CATEGORIES = ("township_code", "village_code")


def dtype_for(col: Column):
    """The canonical pandas dtype of a column (before pseudonymisation)."""
    if col.name in CODE_CATEGORIES and col.kind == "str":
        return "category"
    return {
        "str": pd.StringDtype(), "name": pd.StringDtype(), "phone": pd.StringDtype(),
        "id_number": pd.StringDtype(), "int": pd.Int64Dtype(), "num": np.dtype("float64"),
        "money": np.dtype("float64"), "bool": pd.BooleanDtype(), "date": np.dtype("datetime64[ns]"),
        "month": np.dtype("datetime64[ns]"),
        "cat": pd.CategoricalDtype(list(col.values)),
    }[col.kind]


def id_checksum_ok(values: pd.Series) -> pd.Series:
    """Vectorised GB 11643 check: True where an 18-character ID's last character is right (or empty)."""
    s = values.astype(pd.StringDtype("pyarrow"))
    well_formed = s.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool).to_numpy()
    ok = np.ones(len(s), bool)
    if well_formed.any():
        chars = s[well_formed].to_numpy(dtype=object).astype("S18").view(np.uint8).reshape(-1, 18)
        expected = _CHECK_BYTES[((chars[:, :17].astype(np.int64) - 48) @ _WEIGHTS) % 11]
        ok[well_formed] = expected == chars[:, 17]
    return pd.Series(ok, index=values.index)


def expected_text(col: Column, message: str) -> str:
    """What a person should have written, for a failed check of this column."""
    return {
        MSG_EMPTY: "a value (the column is required)",
        MSG_NEGATIVE: "an amount >= 0",
        MSG_BELOW: f">= {col.min:g}" if col.min is not None else "",
        MSG_ABOVE: f"<= {col.max:g}" if col.max is not None else "",
        MSG_CHECKSUM: "a valid check character (GB 11643)",
        MSG_MONTH: "a month",
    }.get(message, "")


def _checks(col: Column) -> list[pa.Check]:
    checks = []
    if col.kind == "money":
        checks.append(pa.Check.ge(0, error=MSG_NEGATIVE))
    if col.min is not None and not (col.kind == "money" and col.min == 0):
        checks.append(pa.Check.ge(col.min, error=MSG_BELOW))
    if col.max is not None:
        checks.append(pa.Check.le(col.max, error=MSG_ABOVE))
    if col.kind == "id_number":
        checks.append(pa.Check(id_checksum_ok, error=MSG_CHECKSUM))
    if col.kind == "month":
        checks.append(pa.Check(lambda s: s.dt.day == 1, error=MSG_MONTH))
    return checks


@lru_cache(maxsize=None)
def input_schema(name: str) -> pa.DataFrameSchema:
    """Schema of a dataset's typed frame after parsing and before pseudonymisation."""
    ds = DATASETS[name]
    cols = {c.name: pa.Column(dtype_for(c), _checks(c), nullable=not c.required, description=c.description or None,
                              title=c.zh)
            for c in ds.columns}
    return pa.DataFrameSchema(cols, strict=True, ordered=False, unique=list(ds.key) or None,
                              report_duplicates="exclude_first", name=name, description=ds.description)


def output_columns(ds: Dataset) -> list[str]:
    """Column names of the canonical, pseudonymised frame, in order."""
    out = []
    for c in ds.columns:
        if c.kind == "id_number":
            out += [ps.key_column(c.name), *ps.derived_columns(c.name)]
        elif c.kind not in ("name", "phone"):
            out.append(c.name)
    return out


@lru_cache(maxsize=None)
def output_schema(name: str) -> pa.DataFrameSchema:
    """Schema of the canonical frame downstream code receives: no raw identifiers, strict."""
    ds = DATASETS[name]
    cols = {}
    for c in ds.columns:
        if c.kind == "id_number":
            birth, sex = ps.derived_columns(c.name)
            cols[ps.key_column(c.name)] = pa.Column(
                pd.StringDtype(), pa.Check.str_matches(rf"^[0-9a-f]{{{KEY_LENGTH}}}$"),
                nullable=not c.required, title=c.zh + "（假名化）")
            cols[birth] = pa.Column("datetime64[ns]", nullable=True, title="出生日期")
            cols[sex] = pa.Column(pd.StringDtype(), pa.Check.isin(["M", "F"]), nullable=True, title="性别")
        elif c.kind in ("name", "phone"):
            continue
        else:
            cols[c.name] = pa.Column(dtype_for(c), _checks(c), nullable=not c.required, title=c.zh,
                                     description=c.description or None)
    return pa.DataFrameSchema(cols, strict=True, name=name, description=ds.description,
                              index=pa.Index("int64", name="source_row", checks=pa.Check.ge(2)))


def failures(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Lazy validation of a typed frame against its input schema: one row per failing cell.

    Columns: row (the frame index), column, message, value. Duplicate keys are reported once
    per repeated row (not once per key column), on the key's first column.
    """
    cols = ["row", "column", "message", "value"]
    try:
        input_schema(name).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return pd.DataFrame(columns=cols)
    fc = fc[fc["index"].notna()].copy()
    fc["message"] = fc["check"].astype(str)
    fc.loc[fc["check"] == "not_nullable", "message"] = MSG_EMPTY
    dup = fc["check"].astype(str).str.contains("uniqueness")
    fc.loc[dup, "message"] = MSG_DUPLICATE
    key = DATASETS[name].key
    if dup.any() and key:
        fc = pd.concat([fc[~dup], fc[dup & (fc["column"] == key[0])]])
    out = fc.rename(columns={"index": "row", "failure_case": "value"})[cols]
    out["row"] = out["row"].astype("int64")
    return out.drop_duplicates(subset=["row", "column", "message"]).reset_index(drop=True)
