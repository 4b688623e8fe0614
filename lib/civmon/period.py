"""Reporting periods: parse `2023H1`, `2023Q2`, `2023-05`, `2023` and move between them."""

from __future__ import annotations

from civmon.errors import PeriodError  # noqa: F401 (re-exported)

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

ACCEPTED_FORMS = "a year (2023), a half-year (2023H1, 2023H2), a quarter (2023Q1..2023Q4) or a month (2023-05)"

_PATTERNS = [
    ("year", re.compile(r"^(\d{4})$")),
    ("half", re.compile(r"^(\d{4})[Hh]([12])$")),
    ("quarter", re.compile(r"^(\d{4})[Qq]([1-4])$")),
    ("month", re.compile(r"^(\d{4})-(\d{1,2})$")),
]
_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: a whole number of calendar months ending on a month end."""

    start: date
    end: date
    kind: str
    label: str

    @classmethod
    def parse(cls, text: str | int) -> "Period":
        """Parse a period label; raise PeriodError naming the accepted forms."""
        s = str(text).strip()
        for kind, pattern in _PATTERNS:
            m = pattern.match(s)
            if not m:
                continue
            year = int(m.group(1))
            idx = int(m.group(2)) if m.lastindex and m.lastindex > 1 else 1
            if kind == "month" and not 1 <= idx <= 12:
                break
            first_month = {"year": 1, "half": 6 * (idx - 1) + 1, "quarter": 3 * (idx - 1) + 1, "month": idx}[kind]
            return cls._make(kind, year, first_month)
        raise PeriodError(f"'{s}' is not a period. Accepted forms: {ACCEPTED_FORMS}.")

    @classmethod
    def _make(cls, kind: str, year: int, first_month: int) -> "Period":
        start = date(year, first_month, 1)
        last = pd.Timestamp(start) + pd.offsets.MonthEnd(_MONTHS[kind])
        label = {
            "year": f"{year}",
            "half": f"{year}H{(first_month - 1) // 6 + 1}",
            "quarter": f"{year}Q{(first_month - 1) // 3 + 1}",
            "month": f"{year}-{first_month:02d}",
        }[kind]
        return cls(start=start, end=last.date(), kind=kind, label=label)

    @property
    def n_months(self) -> int:
        return _MONTHS[self.kind]

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def label_zh(self) -> str:
        """Chinese label as the bureau writes it: 2023年上半年, 2023年第二季度, 2023年5月."""
        y = self.start.year
        if self.kind == "year":
            return f"{y}年"
        if self.kind == "half":
            return f"{y}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "quarter":
            return f"{y}年第{'一二三四'[(self.start.month - 1) // 3]}季度"
        return f"{y}年{self.start.month}月"

    def months(self) -> pd.PeriodIndex:
        """The calendar months the period covers."""
        return pd.period_range(self.start, self.end, freq="M")

    def shift(self, n: int) -> "Period":
        """The period n periods of the same kind later (earlier when n < 0)."""
        m0 = self.start.year * 12 + self.start.month - 1 + n * self.n_months
        return self._make(self.kind, m0 // 12, m0 % 12 + 1)

    def previous(self) -> "Period":
        """The period just before, of the same length (2023H1 -> 2022H2)."""
        return self.shift(-1)

    def year_earlier(self) -> "Period":
        """The same period one year earlier (2023H1 -> 2022H1)."""
        return self._make(self.kind, self.start.year - 1, self.start.month)

    def contains(self, when) -> "pd.Series | bool":
        """Whether dates (a scalar or a Series) fall inside the period, ends included."""
        start, end = pd.Timestamp(self.start), pd.Timestamp(self.end)
        if isinstance(when, pd.Series):
            return when.between(start, end)
        return start <= pd.Timestamp(when) <= end

    @property
    def start_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.start)

    @property
    def end_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.end)

    def __str__(self) -> str:
        return self.label
