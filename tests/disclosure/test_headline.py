"""Headline suppression below the district: small counts, the amounts that belong to them, their change."""

import pandas as pd

from civmon.disclosure import suppress_series, suppress_small


def small_headline() -> pd.DataFrame:
    """Four headline rows: a small count, its amount, a large count, a standard (not a count)."""
    base = dict(label_zh="x", target=None)
    return pd.DataFrame([{**base, **r} for r in [
        dict(id="temp_relief_households", unit="户", value=3.0, previous=6.0, year_earlier=4.0, yoy_pct=-25.0, status="met"),
        dict(id="temp_relief_funds", unit="万元", value=1.2, previous=2.5, year_earlier=1.6, yoy_pct=-25.0, status="none"),
        dict(id="lowincome_households", unit="户", value=120.0, previous=0.0, year_earlier=118.0, yoy_pct=1.7, status="none"),
        dict(id="dibao_standard", unit="元/人/月", value=4.0, previous=4.0, year_earlier=4.0, yoy_pct=0.0, status="none"),
    ]])


def test_small_counts_amounts_and_their_change_are_hidden_below_the_district():
    f = suppress_small(small_headline(), 5)
    hidden = dict(zip(f["id"], f["hidden"]))
    assert hidden["temp_relief_households"] == ("value", "year_earlier", "yoy_pct")  # 3 and 4 hidden, 6 shown
    assert hidden["temp_relief_funds"] == ("value", "year_earlier", "yoy_pct")  # follows its count
    assert hidden["lowincome_households"] == ()  # zero is not disclosive; 120 and 118 are not small
    assert hidden["dibao_standard"] == ()  # not a count of persons
    row = f.set_index("id").loc["temp_relief_households"]
    assert pd.isna(row["value"]) and row["previous"] == 6.0 and row["status"] == "none"


def test_monthly_series_hide_small_counts_and_their_amounts_only_below_the_district():
    months = pd.to_datetime(["2023-01-01", "2023-02-01"])
    s = pd.DataFrame({"month": list(months) * 2, "id": ["temp_relief_households"] * 2 + ["temp_relief_funds"] * 2,
                      "unit": ["户", "户", "万元", "万元"], "value": [3.0, 8.0, 1.5, 4.0]})
    out = suppress_series(s, 5)
    assert out["value"].isna().tolist() == [True, False, True, False]
    assert suppress_series(s, None)["value"].tolist() == [3.0, 8.0, 1.5, 4.0]
