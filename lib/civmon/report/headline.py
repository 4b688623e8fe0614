"""Headline tables: each indicator this period, the previous period, a year earlier, and its target status."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from civmon.indicators import all_indicators
from civmon.period import Period

NEAR_SHARE = 0.10  # within 10% of the target counts as "near" (接近)
# Units that count persons or households: small values below the district level are suppressed.
PERSON_UNITS = ("户", "人", "人次", "例")
# Amounts and rates that belong to a count of persons or households (their denominator): hidden
# wherever that count is hidden.
AMOUNT_OF = {"lowincome_funds": "lowincome_households", "temp_relief_funds": "temp_relief_households",
             "one_stop_funds": "one_stop_person_times", "direct_subsidy_funds": "direct_subsidy_persons",
             "alliance_resolution_rate": "alliance_needs_collected"}
VALUE_COLUMNS = ("value", "previous", "year_earlier")
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
    threshold: int | None = None  # set when small counts were suppressed (below the district level)

    @property
    def n_hidden(self) -> int:
        return int(self.frame["hidden"].map(len).sum()) if "hidden" in self.frame else 0

    def display_frame(self) -> pd.DataFrame:
        """Chinese column headers for the report table; suppressed cells show the suppression mark."""
        from civmon.report.tables import SUPPRESSED_MARK

        f = self.frame
        out = pd.DataFrame({
            "指标": f["label_zh"], "单位": f["unit"], "本期": f["value"], "上期": f["previous"],
            "去年同期": f["year_earlier"], "同比变化（%）": f["yoy_pct"], "目标": f["target"],
            "状态": f["status"].map(STATUS_TEXT),
        })
        names = {"value": "本期", "previous": "上期", "year_earlier": "去年同期", "yoy_pct": "同比变化（%）"}
        for i, hidden in zip(out.index, f.get("hidden", pd.Series([()] * len(f), index=f.index))):
            for col in hidden:
                out[names[col]] = out[names[col]].astype(object)
                out.loc[i, names[col]] = SUPPRESSED_MARK
        return out

    @property
    def notes(self) -> list[str]:
        if not self.n_hidden:
            return []
        from civmon.publish import suppression_note

        return [suppression_note(self.threshold)]


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


def headline(ids, data: dict[str, pd.DataFrame], period: Period, targets: dict[str, float] | None = None,
             suppress_below: int | None = None) -> Headline:
    """Compute `ids` for the period, the previous period and a year earlier, with target statuses.

    `suppress_below` (the disclosure threshold; give it below the district level) hides small counts."""
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
    frame = pd.DataFrame(rows)
    if suppress_below:
        return Headline(suppress_small(frame, suppress_below), suppress_below)
    return Headline(frame)


# The figures each report leads with (the bureau's summary's own figures first).
HEADLINE_IDS: dict[str, list[str]] = {
    "relief": ["lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_households",
               "temp_relief_person_times", "temp_relief_funds", "tekun_standard", "child_subsidy_funds",
               "disability_living_funds", "disability_nursing_funds", "one_stop_person_times", "one_stop_funds",
               "alliance_needs_collected", "alliance_needs_resolved"],
    "eldercare": ["care_centers", "institutions_inspected", "care_center_service_times", "dementia_beds_new",
                  "certified_carers_new", "meal_service_coverage", "centers_upgrade_planned", "upgrades_started",
                  "upgrades_completed"],
    "migrants": ["registered_migrants", "migrant_households", "direct_subsidy_persons", "direct_subsidy_funds",
                 "projects_planned", "projects_completed", "project_funds", "project_funds_spent"],
}


def headline_table(h: Headline, caption: str):
    """The headline figures as a report table."""
    from civmon.report.tables import table

    from civmon.report.tables import unit_decimals

    f = h.frame
    row_dec = [unit_decimals(u, vals) for u, vals in
               zip(f["unit"], f[["value", "previous", "year_earlier", "target"]].itertuples(index=False))]
    return table(h.display_frame(), caption=caption, decimals={"同比变化（%）": 1}, row_decimals=row_dec,
                 notes=["上期为紧邻的上一个同长度期间；同比为与去年同期相比。状态对照运行参数中的目标值。", *h.notes])
