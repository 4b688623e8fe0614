"""Headline tables: each indicator this period, the previous period, a year earlier, and its target status."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from civmon.indicators import all_indicators
from civmon.period import Period

NEAR_SHARE = 0.10  # within 10% of the target counts as "near" (接近)
STATUS_TEXT = {"met": "达标", "near": "接近", "not_met": "未达标", "none": "—"}


def target_status(value: float | None, target: float | None, higher_is_better: bool | None) -> str:
    """met / near / not_met against a target (no target or no direction: none)."""
    if target is None or value is None or higher_is_better is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if (value >= target) if higher_is_better else (value <= target):
        return "met"
    gap = abs(value - target) / abs(target) if target else math.inf
    return "near" if gap <= NEAR_SHARE else "not_met"


def compute(ids, data: dict[str, pd.DataFrame], period: Period) -> dict[str, float | None]:
    """Values of the indicators for one period; None where the data do not cover it."""
    reg = all_indicators()
    out = {}
    for i in ids:
        ind = reg[i]
        try:
            v = ind.compute(data, period)
        except (KeyError, ValueError, ZeroDivisionError):
            v = None
        out[i] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    return out


@dataclass
class Headline:
    """The headline figures of a report, as a tidy frame (one row per indicator)."""

    frame: pd.DataFrame

    def display_frame(self) -> pd.DataFrame:
        """Chinese column headers for the report table."""
        f = self.frame
        return pd.DataFrame({
            "指标": f["label_zh"], "单位": f["unit"], "本期": f["value"], "上期": f["previous"],
            "去年同期": f["year_earlier"], "同比变化（%）": f["yoy_pct"], "目标": f["target"],
            "状态": f["status"].map(STATUS_TEXT),
        })


def headline(ids, data: dict[str, pd.DataFrame], period: Period, targets: dict[str, float] | None = None) -> Headline:
    """Compute `ids` for the period, the previous period and a year earlier, with target statuses."""
    reg = all_indicators()
    targets = targets or {}
    now = compute(ids, data, period)
    prev = compute(ids, data, period.previous())
    last_year = compute(ids, data, period.year_earlier())
    rows = []
    for i in ids:
        ind = reg[i]
        v, y = now[i], last_year[i]
        yoy = (v - y) / y * 100 if v is not None and y not in (None, 0) else None
        t = targets.get(i)
        rows.append(dict(id=i, label_zh=ind.label_zh, label_en=ind.label_en, programme=ind.programme, unit=ind.unit,
                         value=v, previous=prev[i], year_earlier=y, yoy_pct=yoy, target=t,
                         status=target_status(v, t, ind.higher_is_better), formula=ind.formula, headline=True))
    return Headline(pd.DataFrame(rows))


# The figures each report leads with (the bureau's summary's own figures first).
HEADLINE_IDS: dict[str, list[str]] = {
    "relief": ["lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_households",
               "temp_relief_person_times", "temp_relief_funds", "tekun_standard", "child_subsidy_funds",
               "disability_living_funds", "disability_nursing_funds", "one_stop_person_times", "one_stop_funds",
               "alliance_needs_collected", "alliance_needs_resolved"],
    "eldercare": ["care_centers", "institutions_inspected", "care_center_service_times", "dementia_beds_new",
                  "certified_carers_new", "meal_service_coverage", "centers_upgrade_planned"],
    "migrants": ["direct_subsidy_persons", "direct_subsidy_funds", "projects_planned", "projects_completed",
                 "project_funds"],
}


def headline_table(h: Headline, caption: str):
    """The headline figures as a report table."""
    from civmon.report.tables import table

    from civmon.report.tables import unit_decimals

    f = h.frame
    row_dec = [unit_decimals(u, vals) for u, vals in
               zip(f["unit"], f[["value", "previous", "year_earlier", "target"]].itertuples(index=False))]
    return table(h.display_frame(), caption=caption, decimals={"同比变化（%）": 1}, row_decimals=row_dec,
                 notes=["上期为紧邻的上一个同长度期间；同比为与去年同期相比。状态对照运行参数中的目标值。"])
