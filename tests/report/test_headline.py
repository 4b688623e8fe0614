import pytest

from civmon.report.headline import target_status


@pytest.mark.parametrize("value,target,higher,expected", [
    (95, 90, True, "met"), (90, 90, True, "met"), (85, 90, True, "near"), (70, 90, True, "not_met"),
    (3, 5, False, "met"), (5.4, 5, False, "near"), (9, 5, False, "not_met"),
    (3, None, True, "none"), (None, 5, True, "none"), (3, 5, None, "none"),
])
def test_target_status(value, target, higher, expected):
    assert target_status(value, target, higher) == expected


def test_small_counts_amounts_and_their_change_are_hidden_below_the_district():
    import pandas as pd

    from civmon.report.headline import Headline, suppress_small

    base = dict(label_zh="x", target=None)
    frame = pd.DataFrame([{**base, **r} for r in [
        dict(id="temp_relief_households", unit="户", value=3.0, previous=6.0, year_earlier=4.0, yoy_pct=-25.0, status="met"),
        dict(id="temp_relief_funds", unit="万元", value=1.2, previous=2.5, year_earlier=1.6, yoy_pct=-25.0, status="none"),
        dict(id="lowincome_households", unit="户", value=120.0, previous=0.0, year_earlier=118.0, yoy_pct=1.7, status="none"),
        dict(id="dibao_standard", unit="元/人/月", value=4.0, previous=4.0, year_earlier=4.0, yoy_pct=0.0, status="none"),
    ]])
    f = suppress_small(frame, 5)
    hidden = dict(zip(f["id"], f["hidden"]))
    assert hidden["temp_relief_households"] == ("value", "year_earlier", "yoy_pct")  # 3 and 4 hidden, 6 shown
    assert hidden["temp_relief_funds"] == ("value", "year_earlier", "yoy_pct")  # follows its count
    assert hidden["lowincome_households"] == ()  # zero is not disclosive; 120 and 118 are not small
    assert hidden["dibao_standard"] == ()  # not a count of persons
    row = f.set_index("id").loc["temp_relief_households"]
    assert pd.isna(row["value"]) and row["previous"] == 6.0 and row["status"] == "none"
    assert list(Headline(f, 5).display_frame()["本期"][:2]) == ["＊", "＊"]
    assert Headline(f, 5).notes and "5" in Headline(f, 5).notes[0]
