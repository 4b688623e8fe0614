from datetime import date

import pandas as pd
import pytest

from civmon.period import Period, PeriodError


class TestParse:
    @pytest.mark.parametrize("text,start,end,label", [
        ("2023H1", date(2023, 1, 1), date(2023, 6, 30), "2023H1"),
        ("2023h2", date(2023, 7, 1), date(2023, 12, 31), "2023H2"),
        ("2023Q2", date(2023, 4, 1), date(2023, 6, 30), "2023Q2"),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31), "2024Q1"),
        ("2023-05", date(2023, 5, 1), date(2023, 5, 31), "2023-05"),
        ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2023", date(2023, 1, 1), date(2023, 12, 31), "2023"),
        (2023, date(2023, 1, 1), date(2023, 12, 31), "2023"),
    ])
    def test_accepted_forms(self, text, start, end, label):
        p = Period.parse(text)
        assert (p.start, p.end, p.label) == (start, end, label)

    @pytest.mark.parametrize("text", ["2023H3", "2023Q5", "2023-13", "23H1", "H1 2023", ""])
    def test_rejected_forms_name_the_accepted_ones(self, text):
        with pytest.raises(PeriodError, match="half-year"):
            Period.parse(text)


class TestNavigation:
    def test_previous_and_year_earlier(self):
        p = Period.parse("2023H1")
        assert p.previous().label == "2022H2"
        assert p.year_earlier().label == "2022H1"
        assert Period.parse("2023Q1").previous().label == "2022Q4"
        assert Period.parse("2023-01").previous().label == "2022-12"
        assert Period.parse("2023").previous().label == "2022"

    def test_months_and_contains(self):
        p = Period.parse("2023Q2")
        assert [str(m) for m in p.months()] == ["2023-04", "2023-05", "2023-06"]
        s = pd.Series(pd.to_datetime(["2023-03-31", "2023-04-01", "2023-06-30", "2023-07-01"]))
        assert p.contains(s).tolist() == [False, True, True, False]

    def test_chinese_labels(self):
        assert Period.parse("2023H1").label_zh == "2023年上半年"
        assert Period.parse("2023H2").label_zh == "2023年下半年"
        assert Period.parse("2023Q2").label_zh == "2023年第二季度"
        assert Period.parse("2023-05").label_zh == "2023年5月"
