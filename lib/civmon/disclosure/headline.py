"""Small-cell suppression of headline figures and monthly series below the district level: counts
of persons or households from 1 to threshold-1, the amounts and rates that belong to them, and the
changes that would reveal them."""

from __future__ import annotations

import pandas as pd

# Units that count persons or households: small values below the district level are suppressed.
PERSON_UNITS = ("户", "人", "人次", "例")
# Amounts and rates that belong to a count of persons or households (their denominator): hidden
# wherever that count is hidden.
AMOUNT_OF = {"lowincome_funds": "lowincome_households", "temp_relief_funds": "temp_relief_households",
             "one_stop_funds": "one_stop_person_times", "direct_subsidy_funds": "direct_subsidy_persons",
             "alliance_resolution_rate": "alliance_needs_collected"}
VALUE_COLUMNS = ("value", "previous", "year_earlier")


def suppress_small(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hide counts of persons or households from 1 to threshold-1, the amounts that belong to them and
    the year-on-year change that would reveal them; hidden cells become NaN and are listed in `hidden`."""
    f = frame.copy()
    hidden = {i: set() for i in f.index}
    by_id = dict(zip(f["id"], f.index))
    for i, row in f.iterrows():
        if row["unit"] in PERSON_UNITS:
            for col in VALUE_COLUMNS:
                v = row[col]
                if v is not None and not pd.isna(v) and 0 < v < threshold:
                    hidden[i].add(col)
    for amount, count in AMOUNT_OF.items():
        if amount in by_id and count in by_id:
            hidden[by_id[amount]] |= hidden[by_id[count]]
    for i in f.index:
        if hidden[i] & {"value", "year_earlier"}:
            hidden[i].add("yoy_pct")
        for col in hidden[i]:
            f.loc[i, col] = None
        if "value" in hidden[i]:
            f.loc[i, "status"] = "none"
    f["hidden"] = [tuple(sorted(hidden[i])) for i in f.index]
    return f


def suppress_series(series: pd.DataFrame, threshold: int | None) -> pd.DataFrame:
    """Monthly indicator values (columns id, month, unit, value): below the district no point may show
    a small count of persons or households, nor the amount that belongs to it."""
    out = series.copy()
    if not threshold or not len(out):
        return out
    small = out["unit"].isin(PERSON_UNITS) & (out["value"] > 0) & (out["value"] < threshold)
    hidden = set(zip(out.loc[small, "id"], out.loc[small, "month"]))
    follows = out["id"].map(AMOUNT_OF)
    small |= pd.Series([(c, m) in hidden for c, m in zip(follows, out["month"])], index=out.index)
    out.loc[small, "value"] = None
    return out
