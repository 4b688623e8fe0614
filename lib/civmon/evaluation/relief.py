"""Evaluation of the relief programme (社会救助成效评估): protection level, coverage and roster
dynamics, the standard's rise (interrupted time series), exits from assistance (Kaplan-Meier, Cox),
应纳尽纳 matching and 助联体 needs.

Frames have English column names and codes (categories, exit reasons, need types, subsidies as the
data spell them); a by-township or by-group frame ends with a row labelled TOTAL. Estimates that
cannot be made record why (`reason`), and the report (civmon.report.relief) words it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon.data.scope import township_names
from civmon.data.spec import DATASETS
from civmon.disclosure import ChartData, suppress_series_for_chart
from civmon.evaluation.base import Assumption, Result
from civmon.evaluation.funnel import FunnelResult, funnel_result, township_funnel
from civmon.evaluation.headline import Headline, headline
from civmon.evaluation.inputs import Inputs
from civmon.evaluation.its_checks import detectability, its_assumptions, its_method_note, its_robustness
from civmon.indicators import relief as im
from civmon.indicators.relief import LOW_INCOME, lowincome_roster, on_roster, standard_at
from civmon.period import Period
from civmon.programmes import get as programme
from civmon.stats import EstimationError, cox, its, km, ph_test, proportion_ci

TOTAL = "total"  # the label of a frame's total row
LOWINCOME = "lowincome"  # 低保 + 低保边缘, the total row of the payment level
UNRECORDED = "unrecorded"  # an exit without a recorded reason
CATEGORIES = ("dibao", "dibian", "tekun")
EXIT_REASONS = tuple(DATASETS["relief_households"].column("exit_reason").values)
NEED_TYPES = tuple(DATASETS["alliance_needs"].column("need_type").values)
SUBSIDIES = ("living", "nursing", "child")
DAYS_PER_MONTH = 365.25 / 12
RECENT_DAYS = 60  # registered within this many days of the period end: possibly still being processed
CHART_MONTHS = 36  # monthly charts show at most the last three years
TOWNSHIP_CHART_MONTHS = 24  # small multiples by township: two years keep the date labels legible
MIN_EXITS_COX = 20  # fewer exits than 10 per covariate: hazard ratios unreliable, not estimated
SHORT_POST = 6  # months after the rise below which the slope change is flagged as unstable
MIN_NEEDS_DETAIL = 20  # needs collected below this: no statement about the commonest type
KM_AT_MONTHS = 12  # the KM table gives the share still on assistance this many months after entry

# The summary's figures first, then the programme's other monitoring indicators (all recorded).
HEADLINE_IDS = programme("relief").report_ids
# Below the district the enrolment rates are left to the suppressed 应纳尽纳 table (a rate next to the
# number eligible gives away a small count of non-recipients).
TOWNSHIP_HEADLINE_IDS = tuple(i for i in HEADLINE_IDS if not i.endswith("_enrolment"))


def headline_ids(inputs: Inputs) -> tuple[str, ...]:
    """The indicators of the headline table at this scope."""
    return HEADLINE_IDS if inputs.is_district else TOWNSHIP_HEADLINE_IDS


def month_end(m: pd.Timestamp) -> pd.Timestamp:
    """The last day of the month of `m` (roster counts are taken at the end of that day)."""
    return pd.Timestamp(m) + pd.offsets.MonthEnd(0)


def series_months(payments: pd.DataFrame, end: pd.Timestamp, limit: int | None = None) -> pd.DatetimeIndex:
    """Month starts from the first month of the payment file (where the roster data begin) to `end`'s
    month, the last `limit` months at most."""
    first = payments["month"].min()
    last = pd.Timestamp(end).to_period("M").to_timestamp()
    if pd.isna(first) or first > last:
        return pd.DatetimeIndex([])
    months = pd.date_range(first, last, freq="MS")
    return months[-limit:] if limit else months


def _with_total(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """The frame with a TOTAL row of integer column sums (the label column reads TOTAL)."""
    total = {label: TOTAL, **{c: int(frame[c].sum()) for c in frame.columns if c != label}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


@dataclass
class Share:
    """k of n in percent with its Wilson 95% interval."""

    k: int
    n: int
    pct: float
    ci_low: float
    ci_high: float


def share(k: int, n: int) -> Share | None:
    """k/n in percent with its Wilson 95% interval; None when n is 0."""
    if not n:
        return None
    r = proportion_ci(int(k), int(n))
    return Share(int(k), int(n), 100 * r.estimate, 100 * r.ci_low, 100 * r.ci_high)


# --- 保障水平 ---------------------------------------------------------------------------------------

def standards_history(standards: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Every date up to the period end on which a standard changed: the 低保 and 特困 standards then
    in force and their ratio (columns effective_date, dibao, tekun, ratio)."""
    dates = sorted(standards.loc[standards["effective_date"] <= period.end_ts, "effective_date"].unique())
    rows = []
    for d in dates:
        dibao, tekun = standard_at(standards, "dibao", d), standard_at(standards, "tekun", d)
        rows.append({"effective_date": pd.Timestamp(d), "dibao": dibao, "tekun": tekun,
                     "ratio": round(tekun / dibao, 2) if dibao else np.nan})
    return pd.DataFrame(rows, columns=["effective_date", "dibao", "tekun", "ratio"])


def payment_level(payments: pd.DataFrame, households: pd.DataFrame, standards: pd.DataFrame,
                  period: Period) -> pd.DataFrame:
    """Average monthly payment per person by category against the standard in force in each paid
    month (weighted by the persons paid), with a LOWINCOME row (低保 + 低保边缘: the
    avg_payment_per_person indicator). Columns category, person_months, avg_payment, standard,
    pct_of_standard."""
    p = payments[im.in_period(payments["month"], period)]
    persons = p["household_id"].map(households.set_index("household_id")["persons"]).astype(float)
    cats = p["category"].astype(str)
    lookup = {(c, m): standard_at(standards, c, m) for c, m in set(zip(cats, p["month"]))}
    std = pd.Series([lookup[k] for k in zip(cats, p["month"])], index=p.index, dtype=float)
    d = pd.DataFrame({"category": cats, "amount": p["amount"], "persons": persons, "std_persons": std * persons})
    rows = []
    for c in CATEGORIES:
        g = d[d["category"] == c]
        pm = float(g["persons"].sum())
        avg = round(float(g["amount"].sum()) / pm, 2) if pm else np.nan
        std_avg = round(float(g["std_persons"].sum()) / pm, 2) if pm else np.nan
        rows.append({"category": c, "person_months": int(pm), "avg_payment": avg, "standard": std_avg,
                     "pct_of_standard": round(100 * avg / std_avg, 1) if std_avg == std_avg and std_avg else np.nan})
    low = d[d["category"].isin(LOW_INCOME)]
    rows.append({"category": LOWINCOME, "person_months": int(float(low["persons"].sum())),
                 "avg_payment": im.avg_payment_per_person(payments, households, period), "standard": np.nan,
                 "pct_of_standard": np.nan})
    return pd.DataFrame(rows)


@dataclass
class Timeliness(Share):
    """Payments due in the period paid on time (k of n, Wilson interval) and those still unpaid."""

    unpaid: int = 0

    @property
    def late(self) -> int:
        """Paid, but after the due date."""
        return self.n - self.k - self.unpaid


def timeliness(payments: pd.DataFrame, period: Period) -> Timeliness | None:
    """The payment_timeliness indicator's count (unpaid count as late) with a Wilson interval; None
    when nothing fell due in the period."""
    due = im.payments_due(payments, period)
    s = share(int(im.paid_on_time(due).sum()), len(due))
    if s is None:
        return None
    return Timeliness(s.k, s.n, s.pct, s.ci_low, s.ci_high, unpaid=int(due["paid_date"].isna().sum()))


def adequacy(standards: pd.DataFrame, period: Period, per_capita_consumption: float | None) -> pd.DataFrame | None:
    """低保 and 特困 standards at the period end, a year's worth, as a share of per-capita consumption
    (yuan per person per year); None when no consumption figure is given. Columns category, standard,
    annual, consumption, pct_of_consumption."""
    if not per_capita_consumption:
        return None
    rows = []
    for cat in ("dibao", "tekun"):
        s = standard_at(standards, cat, period.end_ts)
        rows.append({"category": cat, "standard": s, "annual": s * 12, "consumption": float(per_capita_consumption),
                     "pct_of_consumption": round(100 * s * 12 / per_capita_consumption, 1)})
    return pd.DataFrame(rows)


@dataclass
class Standards(Result):
    """保障水平: the standards' history, the payment level, timeliness and adequacy."""

    history: pd.DataFrame
    payment_level: pd.DataFrame
    timeliness: Timeliness | None
    adequacy: pd.DataFrame | None
    per_capita_consumption: float | None


# --- 覆盖与动态管理 ---------------------------------------------------------------------------------

def monthly_caseload(households: pd.DataFrame, months) -> pd.DataFrame:
    """Households and persons on the roster at each month's end, by category (code)."""
    rows = []
    for m in months:
        on = households[on_roster(households, month_end(m))]
        for cat in CATEGORIES:
            g = on[on["category"] == cat]
            rows.append({"month": pd.Timestamp(m), "category": cat, "households": len(g),
                         "persons": int(g["persons"].sum())})
    return pd.DataFrame(rows, columns=["month", "category", "households", "persons"])


def monthly_caseload_by_township(households: pd.DataFrame, areas: pd.DataFrame, months,
                                 threshold: int) -> ChartData:
    """Low-income households at each month's end by township, for small multiples: each month's
    township counts go through the chart suppression (small counts, and what would reveal them from
    the district total, become NaN). Frame columns township, month, households; unpacks as (frame, note)."""
    low = households[households["category"].isin(LOW_INCOME)]
    codes = low["township_code"].astype(str)
    names = township_names(areas)
    parts, masks, note = [], [], ""
    for m in months:
        on = on_roster(low, month_end(m))
        counts = codes[on].value_counts().reindex(names.index, fill_value=0)
        df = pd.DataFrame({"township": names.to_numpy(), "month": pd.Timestamp(m), "households": counts.to_numpy()})
        c = suppress_series_for_chart(df, "households", threshold, label_column="township")
        parts.append(c.frame)
        masks.append(c.mask)
        note = note or c.note
    if not parts:
        return ChartData(pd.DataFrame(columns=["township", "month", "households"]), pd.Series(dtype=bool), "")
    return ChartData(pd.concat(parts, ignore_index=True), pd.concat(masks, ignore_index=True), note)


def caseload_by_township(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Households on the roster at the period end by township: 低保, 低保边缘 and their total, with a
    TOTAL row (every township listed, zeros included). Columns township, dibao, dibian, lowincome."""
    on = households[on_roster(households, period.end_ts)]
    rows = []
    for code, name in township_names(areas).items():
        g = on[on["township_code"].astype(str) == code]
        dibao, dibian = int((g["category"] == "dibao").sum()), int((g["category"] == "dibian").sum())
        rows.append({"township": name, "dibao": dibao, "dibian": dibian, "lowincome": dibao + dibian})
    return _with_total(pd.DataFrame(rows, columns=["township", "dibao", "dibian", "lowincome"]), "township")


def coverage_by_township(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Persons in low-income households and 特困 persons at the period end by township, and low-income
    persons per 1,000 residents (areas.population); TOTAL row over the scope. Columns township,
    lowincome_persons, tekun_persons, population, per_1000."""
    names = township_names(areas)
    t = areas[areas["level"].astype(str) == "township"]
    pop = pd.Series(pd.to_numeric(t["population"], errors="coerce").to_numpy(dtype=float),
                    index=t["area_code"].astype(str).to_numpy())
    on = households[on_roster(households, period.end_ts)]
    rows = []
    for code, name in names.items():
        g = on[on["township_code"].astype(str) == code]
        rows.append({"township": name, "lowincome_persons": int(g.loc[g["category"].isin(LOW_INCOME), "persons"].sum()),
                     "tekun_persons": int(g.loc[g["category"] == "tekun", "persons"].sum()), "population": pop.get(code)})
    df = pd.DataFrame(rows, columns=["township", "lowincome_persons", "tekun_persons", "population"])
    df.loc[len(df)] = {"township": TOTAL, "lowincome_persons": int(df["lowincome_persons"].sum()),
                       "tekun_persons": int(df["tekun_persons"].sum()),
                       "population": df["population"].sum(min_count=len(df))}
    df["per_1000"] = (1000 * df["lowincome_persons"] / df["population"]).round(2)
    df["population"] = df["population"].astype("Int64")
    return df


def coverage_per_1000(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> float:
    """Low-income persons at the period end per 1,000 residents of the scope (NaN without population)."""
    t = areas[areas["level"].astype(str) == "township"]
    pop = pd.to_numeric(t["population"], errors="coerce")
    if pop.isna().any() or pop.sum() == 0:
        return float("nan")
    return round(1000 * float(lowincome_roster(households, period.end_ts)["persons"].sum()) / float(pop.sum()), 2)


def entries_exits(households: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Low-income households (低保 + 低保边缘) by month of the period: on the roster at the start,
    entered, exited, on the roster at the end; the last row (month NaT) spans the period
    (start + entered - exited = end). Columns month, start, entered, exited, end."""
    low = households[households["category"].isin(LOW_INCOME)]
    spans = [(m.start_time, m.start_time, m.end_time.normalize()) for m in period.months()]
    spans.append((pd.NaT, period.start_ts, period.end_ts))
    rows = [{"month": label, "start": int(on_roster(low, a - pd.Timedelta(days=1)).sum()),
             "entered": int(low["entry_date"].between(a, b).sum()), "exited": int(low["exit_date"].between(a, b).sum()),
             "end": int(on_roster(low, b).sum())} for label, a, b in spans]
    return pd.DataFrame(rows)


def exit_reasons(households: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Low-income households that left in the period by exit reason (UNRECORDED when none is
    recorded), with shares and a TOTAL row. Columns reason, households, pct."""
    low = households[households["category"].isin(LOW_INCOME) & im.in_period(households["exit_date"], period)]
    n = len(low)
    rows = []
    for code in EXIT_REASONS:
        k = int((low["exit_reason"] == code).sum())
        rows.append({"reason": code, "households": k, "pct": round(100 * k / n, 1) if n else np.nan})
    unknown = int(low["exit_reason"].isna().sum())
    if unknown:
        rows.append({"reason": UNRECORDED, "households": unknown, "pct": round(100 * unknown / n, 1)})
    rows.append({"reason": TOTAL, "households": n, "pct": 100.0 if n else np.nan})
    return pd.DataFrame(rows)


@dataclass
class Coverage(Result):
    """覆盖与动态管理: who is covered at the period end, the monthly roster, by township, its changes."""

    households: int  # low-income households on the roster at the period end
    persons: int
    per_1000: float  # low-income persons per 1,000 residents (NaN without population)
    tekun_persons: int
    monthly: pd.DataFrame
    by_township: pd.DataFrame
    township_months: ChartData  # suppressed at the run's disclosure threshold
    coverage_by_township: pd.DataFrame
    entries_exits: pd.DataFrame
    exit_reasons: pd.DataFrame


def coverage(households: pd.DataFrame, payments: pd.DataFrame, areas: pd.DataFrame, period: Period,
             threshold: int) -> Coverage:
    """The coverage section's numbers (`threshold` suppresses the by-township chart series)."""
    low = lowincome_roster(households, period.end_ts)
    tekun = households[(households["category"] == "tekun") & on_roster(households, period.end_ts)]
    return Coverage(
        households=len(low), persons=int(low["persons"].sum()), per_1000=coverage_per_1000(households, areas, period),
        tekun_persons=int(tekun["persons"].sum()),
        monthly=monthly_caseload(households, series_months(payments, period.end_ts, CHART_MONTHS)),
        by_township=caseload_by_township(households, areas, period),
        township_months=monthly_caseload_by_township(
            households, areas, series_months(payments, period.end_ts, TOWNSHIP_CHART_MONTHS), threshold),
        coverage_by_township=coverage_by_township(households, areas, period),
        entries_exits=entries_exits(households, period), exit_reasons=exit_reasons(households, period))


# --- 标准调整影响 (interrupted time series) --------------------------------------------------------

ITS_OUTCOMES = ("caseload", "spending")
ITS_TERMS = ("pre_slope", "level_change", "slope_change")
ITS_SCALE = {"caseload": 1.0, "spending": 1e4}  # spending is estimated in yuan, reported in 万元
ITS_OUTCOME_ZH = {"caseload": "在册户数", "spending": "救助金"}  # how the method note and assumptions name them


def latest_rise(standards: pd.DataFrame, first_month: pd.Timestamp, end: pd.Timestamp) -> pd.Timestamp | None:
    """The latest 低保 standard change after the series' first month and on or before `end`."""
    s = standards[(standards["category"] == "dibao") & (standards["effective_date"] > first_month)
                  & (standards["effective_date"] <= end)]
    return None if s.empty else pd.Timestamp(s["effective_date"].max())


def its_series(households: pd.DataFrame, payments: pd.DataFrame, months) -> pd.DataFrame:
    """Monthly low-income caseload (households on the roster at month end) and assistance paid in
    the month (yuan): the series the sample's planted rise effects refer to."""
    low = households[households["category"].isin(LOW_INCOME)]
    paid = payments[payments["category"].isin(LOW_INCOME)].groupby("month")["amount"].sum()
    months = pd.DatetimeIndex(months)
    return pd.DataFrame({"month": months,
                         "caseload": [int(on_roster(low, month_end(m)).sum()) for m in months],
                         "spending": paid.reindex(months, fill_value=0.0).to_numpy(dtype=float)})


def significant(res) -> bool:
    """An estimate's 95% interval excludes zero (for hazard ratios see `hr_significant`)."""
    return res.ci_low > 0 or res.ci_high < 0


@dataclass
class RiseEffects(Result):
    """ITS results per outcome around the latest 低保 rise; `reason` says why there are none or fewer
    than the outcomes: "no_payments" (no series), "no_rise" (no rise since `first_month`),
    "too_few_months" (n_pre / n_post months around the rise too few to estimate)."""

    rise: pd.Timestamp | None
    results: dict = field(default_factory=dict)
    series: pd.DataFrame | None = None
    reason: str | None = None
    first_month: pd.Timestamp | None = None
    n_pre: int = 0
    n_post: int = 0
    robustness: dict = field(default_factory=dict)  # outcome -> term -> Robustness (placebo, +-1 month)
    detectability: list = field(default_factory=list)  # township reports: Detectability per outcome and term

    @property
    def table(self) -> pd.DataFrame:
        """Level and slope change of each outcome with 95% CIs and the pre-rise monthly trend, in the
        report's units (households; 万元). Columns outcome, term, estimate, ci_low, ci_high, pvalue."""
        rows = []
        for y, r in self.results.items():
            k = ITS_SCALE[y]
            for term in ITS_TERMS:
                res = getattr(r, term)
                rows.append({"outcome": y, "term": term, "estimate": res.estimate / k, "ci_low": res.ci_low / k,
                             "ci_high": res.ci_high / k, "pvalue": res.pvalue})
        return pd.DataFrame(rows, columns=["outcome", "term", "estimate", "ci_low", "ci_high", "pvalue"])


def scope_share(series: pd.DataFrame, district: pd.DataFrame | None, outcome: str, month: pd.Timestamp) -> float | None:
    """The scope's part of the district's `outcome` in `month` (None without the district's value)."""
    if district is None:
        return None
    at = district.loc[district["month"] == month, outcome]
    mine = series.loc[series["month"] == month, outcome]
    return float(mine.iloc[0] / at.iloc[0]) if len(at) and len(mine) and at.iloc[0] else None


def standard_rise_its(households: pd.DataFrame, payments: pd.DataFrame, standards: pd.DataFrame,
                      period: Period, district: RiseEffects | None = None) -> RiseEffects:
    """Segmented regression (default error model of civmon.stats.its) of the monthly caseload and
    spending around the latest 低保 rise, on the months from the start of the payment data to the period
    end, with its robustness checks and assumptions. For a township, `district` (the district's
    effects) gives the change its minimum detectable effect is compared with."""
    months = series_months(payments, period.end_ts)
    if len(months) == 0:
        return RiseEffects(None, reason="no_payments", method_note=its_method_note({}, ITS_OUTCOME_ZH))
    rise = latest_rise(standards, months[0], period.end_ts)
    if rise is None:
        return RiseEffects(None, reason="no_rise", first_month=months[0], method_note=its_method_note({}, ITS_OUTCOME_ZH))
    series = its_series(households, payments, months)
    rise_month = rise.to_period("M").to_timestamp()
    results = {}
    for y in ITS_OUTCOMES:
        try:
            results[y] = its(series, "month", y, rise_month)
        except EstimationError:
            pass
    n_post = int((series["month"] >= rise_month).sum())
    caveats = []
    if results and n_post < SHORT_POST:
        caveats.append(f"调整后仅{n_post}个月，斜率变化主要反映调整初期的集中纳入，尚不稳定，宜待更多月份数据后再作判断。")
    robust = {y: its_robustness(series, "month", y, rise_month, r) for y, r in results.items()}
    assumptions = [a for y, r in results.items() for a in its_assumptions(ITS_OUTCOME_ZH[y], r, robust[y])]
    detect = [] if district is None else [
        d for y, r in results.items()
        for d in detectability({y: r}, district.results, scope_share(series, district.series, y, rise_month))]
    return RiseEffects(rise, results, series, reason="too_few_months" if len(results) < len(ITS_OUTCOMES) else None,
                       first_month=months[0], n_pre=len(series) - n_post, n_post=n_post, robustness=robust,
                       detectability=detect, method_note=its_method_note(results, ITS_OUTCOME_ZH), caveats=caveats,
                       assumptions=assumptions)


# --- 退出与造血 (survival) --------------------------------------------------------------------------

SURVIVAL_COVARIATES = ("labour_capacity", "employment_support")
COVARIATE_NAME_ZH = {"labour_capacity": "劳动能力", "employment_support": "参加就业帮扶"}  # in the assumptions log
PH_ALPHA = 0.05  # a proportional-hazards test below this: the hazard ratio changes over follow-up
# The method note of exit_analysis below: what is estimated on which households.
EXIT_METHOD_NOTE = ("计算在册时间（纳入至退出，未退出者截至期末删失）：Kaplan-Meier曲线以数据起始月以来新纳入的低保、"
                    "低保边缘家庭为队列，按劳动能力和是否参加就业帮扶分组；比例风险模型（Cox，Efron处理同时退出）纳入观察期内"
                    "在册的全部低保、低保边缘家庭，数据起始前已纳入的家庭按左截断（延迟进入）处理，同时纳入劳动能力和是否参加"
                    "就业帮扶两个因素。")


def survival_frame(households: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp,
                   prevalent: bool = False) -> pd.DataFrame:
    """Low-income spells observed between `start` (the start of the data) and `end`: months on
    assistance from entry to exit or to `end` (censored), exit indicator, the two covariates (0/1)
    and `entry`, the months already on assistance when the spell comes under observation.

    By default only spells begun within the window (entry 0). With `prevalent=True` spells begun
    earlier and still running at `start` are included too, left-truncated at `start` (they enter
    the risk set at their `entry` month), as the Cox model's delayed-entry likelihood requires."""
    low = households[households["category"].isin(LOW_INCOME) & (households["entry_date"] <= end)]
    if prevalent:
        low = low[low["exit_date"].isna() | (low["exit_date"] > start)]
    else:
        low = low[low["entry_date"] >= start]
    exited = low["exit_date"].notna() & (low["exit_date"] <= end)
    stop = low["exit_date"].where(exited, end)
    entry = ((start - low["entry_date"]).dt.days.clip(lower=0)).to_numpy() / DAYS_PER_MONTH
    return pd.DataFrame({
        "months": (stop - low["entry_date"]).dt.days.to_numpy() / DAYS_PER_MONTH,
        "entry": entry,
        "exited": exited.astype(int).to_numpy(),
        "labour_capacity": low["labour_capacity"].astype("boolean").fillna(False).astype(int).to_numpy(),
        "employment_support": low["employment_support"].astype("boolean").fillna(False).astype(int).to_numpy(),
    })


def employment_exit_share(households: pd.DataFrame, period: Period) -> Share | None:
    """Low-income exits in the period whose reason is employment income (就业增收), as a share."""
    low = households[households["category"].isin(LOW_INCOME) & im.in_period(households["exit_date"], period)]
    return share(int((low["exit_reason"] == "employment").sum()), len(low))


def survival_at(res, months: float) -> pd.DataFrame:
    """Share still on assistance `months` after entry, with its CI, by group (NaN past follow-up)."""
    rows = []
    for g in res.median["group"]:
        t = res.table[(res.table["group"] == g) & (res.table["time"] <= months)]
        last = t.iloc[-1] if len(t) else None  # no exit yet (or none at all): everyone still on
        rows.append({"group": g, "survival": 1.0 if last is None else last["survival"],
                     "ci_low": 1.0 if last is None else last["ci_low"],
                     "ci_high": 1.0 if last is None else last["ci_high"]})
    return pd.DataFrame(rows)


def km_plot_frame(res) -> pd.DataFrame:
    """A KM table as step-curve points starting at (0, 1) for each group."""
    parts = []
    for g in res.median["group"]:
        t = res.table[res.table["group"] == g]
        start = pd.DataFrame({"group": [g], "time": [0.0], "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
        parts.append(pd.concat([start, t[["group", "time", "survival", "ci_low", "ci_high"]]], ignore_index=True))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


@dataclass
class ExitAnalysis(Result):
    """KM results by each covariate (groups 1 = with, 0 = without), the Cox model on both, and the
    employment-exit share. `reason` "no_data": no payment data, nothing estimated; `cox_reason`
    "too_few_exits": fewer than MIN_EXITS_COX exits or one group only, no Cox model."""

    frame: pd.DataFrame  # the KM spells: begun in the window
    km: dict = field(default_factory=dict)
    cox: object = None
    cox_frame: pd.DataFrame | None = None  # every spell observed in the window (left-truncated)
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    employment: Share | None = None
    reason: str | None = None
    cox_reason: str | None = None
    ph: object = None  # civmon.stats.PhTest of the Cox model (None without one)

    @property
    def ph_frame(self) -> pd.DataFrame | None:
        """The proportional-hazards test: term (a covariate, or "global"), chisq, df, pvalue and
        `holds` (p >= PH_ALPHA); None without a Cox model."""
        if self.ph is None:
            return None
        f = self.ph.to_frame().replace({"term": {"GLOBAL": "global"}})
        return f.assign(holds=f["pvalue"] >= PH_ALPHA)

    @property
    def spells(self) -> int:
        return len(self.frame)

    @property
    def spell_exits(self) -> int:
        return int(self.frame["exited"].sum()) if len(self.frame) else 0

    @property
    def cox_households(self) -> int:
        return 0 if self.cox_frame is None else len(self.cox_frame)

    @property
    def cox_left_truncated(self) -> int:
        """Cox households that entered before the data start."""
        return 0 if self.cox_frame is None else int((self.cox_frame["entry"] > 0).sum())

    @property
    def cox_exits(self) -> int:
        return 0 if self.cox_frame is None else int(self.cox_frame["exited"].sum())

    @property
    def km_curves(self) -> dict[str, pd.DataFrame]:
        """Step-curve points of each covariate's KM groups (see km_plot_frame)."""
        return {cov: km_plot_frame(res) for cov, res in self.km.items()}

    @property
    def km_summary(self) -> pd.DataFrame:
        """By covariate and group: spells, exits, percent still on assistance KM_AT_MONTHS after entry
        with its CI, median months (NaN: not reached)."""
        rows = []
        for cov, res in self.km.items():
            at = survival_at(res, KM_AT_MONTHS).set_index("group")
            for m in res.median.itertuples():
                rows.append({"covariate": cov, "group": m.group, "n": m.n, "events": m.events,
                             "survival": 100 * at.loc[m.group, "survival"], "ci_low": 100 * at.loc[m.group, "ci_low"],
                             "ci_high": 100 * at.loc[m.group, "ci_high"], "median": m.median})
        return pd.DataFrame(rows, columns=["covariate", "group", "n", "events", "survival", "ci_low", "ci_high",
                                           "median"])


def exit_analysis(households: pd.DataFrame, payments: pd.DataFrame, period: Period) -> ExitAnalysis:
    """KM curves of months on assistance by labour capacity and by employment support for spells begun
    from the first payment month to the period end; the Cox model of exit on both covariates for every
    low-income household on the roster in that window (those entered before it left-truncated, Efron
    ties). EXIT_METHOD_NOTE says so in the report."""
    months = series_months(payments, period.end_ts)
    emp = employment_exit_share(households, period)
    if len(months) == 0:
        return ExitAnalysis(pd.DataFrame(), employment=emp, reason="no_data", method_note=EXIT_METHOD_NOTE)
    start, end = months[0], period.end_ts
    sf = survival_frame(households, start, end)
    out = ExitAnalysis(sf, start=start, end=end, employment=emp, method_note=EXIT_METHOD_NOTE)
    for cov in SURVIVAL_COVARIATES:
        try:
            if sf["exited"].sum() == 0:
                raise EstimationError("no exits")
            out.km[cov] = km(sf.assign(group=sf[cov]), "months", "exited", group="group")
        except EstimationError:
            pass
    allsp = survival_frame(households, start, end, prevalent=True)
    allsp = allsp[allsp["months"] > allsp["entry"]]
    out.cox_frame = allsp
    try:
        if allsp["exited"].sum() < MIN_EXITS_COX:
            raise EstimationError("too few exits")
        out.cox = cox(allsp, "months", "exited", list(SURVIVAL_COVARIATES), entry="entry")
    except EstimationError:
        out.cox_reason = "too_few_exits"
    if out.cox is not None:
        out.ph = ph_test(out.cox)
        out.caveats += ph_caveats(out.ph)
    out.assumptions = exit_assumptions(out)
    return out


def ph_caveats(ph) -> list[str]:
    """The caveat the Cox model needs when proportional hazards fail for a covariate (none otherwise)."""
    failed = [COVARIATE_NAME_ZH.get(t, t) for t, p in zip(ph.table["term"], ph.table["pvalue"]) if p < PH_ALPHA]
    if not failed:
        return []
    return [f"比例风险检验显示{'、'.join(failed)}的退出风险比随在册时间变化，表中风险比是随访期内的平均值，"
            "不宜理解为任一时点的效应。"]


PH_CHECK_ZH = "Schoenfeld残差比例风险检验（R cox.zph的得分检验，Kaplan-Meier时间尺度，卡方检验）"


def exit_assumptions(ea: ExitAnalysis) -> list[Assumption]:
    """The exit analysis's assumptions with this run's checks: independent censoring (KM and Cox, not
    testable), proportional hazards per covariate and globally (ph_test), and ignorable delayed entry."""
    out = []
    if ea.km:
        out.append(Assumption("Kaplan-Meier（新纳入家庭在册时间）", "独立删失：截至期末仍在册的家庭与已退出家庭的退出风险相同",
                              "不能用数据检验；删失由观察截止（期末）决定，与家庭状况无关",
                              caveat="若仍在册的家庭多因情况特殊而未退出，在册时间的估计会偏短。"))
    if ea.ph is None:
        return out
    method = "比例风险模型（Cox）"
    for r in ea.ph_frame.itertuples():
        name = "全部因素（全局检验）" if r.term == "global" else COVARIATE_NAME_ZH.get(r.term, r.term)
        caveat = "" if r.holds else (f"{name}的风险比随在册时间变化，表中风险比是随访期内的平均值。" if r.term != "global"
                                     else "至少一个因素的风险比随在册时间变化，表中风险比是随访期内的平均值。")
        out.append(Assumption(method, f"比例风险：{name}的退出风险比在随访期内不变", PH_CHECK_ZH, float(r.chisq),
                              float(r.pvalue), bool(r.holds), caveat))
    out.append(Assumption(method, "独立删失：截至期末仍在册的家庭与已退出家庭的退出风险相同",
                          "不能用数据检验；删失由观察截止（期末）决定"))
    out.append(Assumption(method, "左截断可忽略：数据起始前已纳入的家庭，其纳入时间与此后的退出风险无关",
                          "不能用数据检验；这些家庭自数据起始月起计入风险集（延迟进入）",
                          caveat="若早年纳入、至今仍在册的家庭与已退出者不同，风险比会有偏差。"))
    return out


def hr_significant(row) -> bool:
    """A hazard ratio's 95% interval excludes one."""
    return row["ci_low"] > 1 or row["ci_high"] < 1


# --- 应纳尽纳 (cross-registry matching) ------------------------------------------------------------

def _eligible(dis_registry: pd.DataFrame, child_registry: pd.DataFrame, period: Period) -> dict[str, pd.DataFrame]:
    """Eligible people per subsidy, one row per person, as the enrolment indicators define them."""
    return {"living": im.living_eligible(dis_registry, period), "nursing": im.nursing_eligible(dis_registry, period),
            "child": im.child_eligible(child_registry, period)}


def unenrolled(dis_registry: pd.DataFrame, dis_subsidy: pd.DataFrame, child_registry: pd.DataFrame,
               child_subsidy: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Registry people eligible at the period end and not paid that subsidy in the period's last month.

    Eligible as the enrolment indicators define it: living subsidy, registered low-income disabled
    people; nursing subsidy, grade 1-2; child subsidy, every registered child. Columns: subsidy,
    township_code, recent (registered within RECENT_DAYS of the period end)."""
    end = period.end_ts
    paid = {
        "living": im.paid_in_last_month(dis_subsidy[dis_subsidy["subsidy_type"] == "living"], period),
        "nursing": im.paid_in_last_month(dis_subsidy[dis_subsidy["subsidy_type"] == "nursing"], period),
        "child": im.paid_in_last_month(child_subsidy, period),
    }
    parts = []
    for k, e in _eligible(dis_registry, child_registry, period).items():
        e = e.drop_duplicates("person_key")
        miss = e[~e["person_key"].isin(paid[k]["person_key"].dropna())]
        parts.append(pd.DataFrame({"subsidy": k, "township_code": miss["township_code"].astype(str).to_numpy(),
                                   "recent": (miss["registered_date"] > end - pd.Timedelta(days=RECENT_DAYS)).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def enrolment_summary(dis_registry: pd.DataFrame, dis_subsidy: pd.DataFrame, child_registry: pd.DataFrame,
                      child_subsidy: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per subsidy: eligible in the registry, paid in the last month, not paid (of which registered
    within RECENT_DAYS) and the enrolment rate (the *_enrolment indicator). Columns subsidy, eligible,
    paid, unpaid, recent, rate."""
    miss = unenrolled(dis_registry, dis_subsidy, child_registry, child_subsidy, period)
    eligible = {k: len(e.drop_duplicates("person_key")) for k, e in _eligible(dis_registry, child_registry, period).items()}
    rate = {"living": im.disability_living_enrolment(dis_registry, dis_subsidy, period),
            "nursing": im.disability_nursing_enrolment(dis_registry, dis_subsidy, period),
            "child": im.child_subsidy_enrolment(child_registry, child_subsidy, period)}
    rows = []
    for k in SUBSIDIES:
        m, n = miss[miss["subsidy"] == k], eligible[k]
        rows.append({"subsidy": k, "eligible": n, "paid": n - len(m), "unpaid": len(m), "recent": int(m["recent"].sum()),
                     "rate": rate[k]})
    return pd.DataFrame(rows)


def unenrolled_by_township(miss: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Apparently eligible non-recipients by township and subsidy (columns township and SUBSIDIES),
    with a TOTAL row."""
    rows = []
    for code, name in township_names(areas).items():
        m = miss[miss["township_code"] == code]
        rows.append({"township": name, **{k: int((m["subsidy"] == k).sum()) for k in SUBSIDIES}})
    return _with_total(pd.DataFrame(rows, columns=["township", *SUBSIDIES]), "township")


@dataclass
class Enrolment(Result):
    """应纳尽纳: the matching summary per subsidy and the non-recipients by township."""

    summary: pd.DataFrame
    by_township: pd.DataFrame

    @property
    def unpaid_total(self) -> int:
        """Apparently eligible non-recipients over the subsidies (person-times)."""
        return int(self.summary["unpaid"].sum())


def enrolment(data: dict[str, pd.DataFrame], period: Period) -> Enrolment:
    """The 应纳尽纳 section's numbers."""
    regs = (data["disability_registry"], data["disability_subsidy"], data["children_registry"], data["child_subsidy"])
    return Enrolment(enrolment_summary(*regs, period), unenrolled_by_township(unenrolled(*regs, period), data["areas"]))


# --- 助联体 ----------------------------------------------------------------------------------------

def needs_frame(needs: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Needs collected in the period, whether resolved by the period end and the days it took."""
    n = im.needs_collected(needs, period)
    resolved = im.resolved_by_end(n, period)
    days = (n["resolved_date"] - n["collected_date"]).dt.days.where(resolved)
    return pd.DataFrame({"need_type": n["need_type"].astype(str).to_numpy(),
                         "township_code": n["township_code"].astype(str).to_numpy(),
                         "resolved": resolved.to_numpy(), "days": days.to_numpy(dtype=float)})


def _needs_rows(label: str, groups) -> list[dict]:
    rows = []
    for name, g in groups:
        k, n = int(g["resolved"].sum()), len(g)
        rows.append({label: name, "collected": n, "resolved": k, "rate": round(100 * k / n, 1) if n else np.nan,
                     "median_days": float(g["days"].median()) if k else np.nan})
    return rows


def needs_by_type(nf: pd.DataFrame) -> pd.DataFrame:
    """Needs collected and resolved by type, with a TOTAL row. Columns need_type, collected,
    resolved, rate, median_days."""
    groups = [(code, nf[nf["need_type"] == code]) for code in NEED_TYPES] + [(TOTAL, nf)]
    return pd.DataFrame(_needs_rows("need_type", groups))


def needs_by_township(nf: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Needs collected and resolved and the resolution rate by township (all townships), with a TOTAL
    row. Columns township, collected, resolved, rate."""
    groups = [(name, nf[nf["township_code"] == code]) for code, name in township_names(areas).items()] + [(TOTAL, nf)]
    return pd.DataFrame(_needs_rows("township", groups)).drop(columns="median_days")


def needs_summary(nf: pd.DataFrame) -> tuple[Share | None, float]:
    """Resolution rate with its Wilson interval, and the median days to resolve (resolved needs)."""
    k = int(nf["resolved"].sum())
    return share(k, len(nf)), (float(nf["days"].median()) if k else float("nan"))


def commonest_need(by_type: pd.DataFrame, collected: int) -> dict | None:
    """The most often collected need type (need_type, collected, resolved, rate); None below MIN_NEEDS_DETAIL
    needs, too few to say."""
    if collected < MIN_NEEDS_DETAIL:
        return None
    by = by_type[(by_type["need_type"] != TOTAL) & (by_type["collected"] > 0)].sort_values("collected", ascending=False)
    top = by.iloc[0]
    return {"need_type": top["need_type"], "collected": int(top["collected"]), "resolved": int(top["resolved"]),
            "rate": top["rate"]}


@dataclass
class Needs(Result):
    """助联体: needs collected in the period and their resolution by the period end."""

    frame: pd.DataFrame
    by_type: pd.DataFrame
    by_township: pd.DataFrame
    rate: Share | None  # None: no need collected
    median_days: float  # resolved needs only (NaN when none resolved)
    commonest: dict | None


def needs_result(needs: pd.DataFrame, areas: pd.DataFrame, period: Period) -> Needs:
    """The 助联体 section's numbers."""
    nf = needs_frame(needs, period)
    by_type = needs_by_type(nf)
    rate, med = needs_summary(nf)
    return Needs(nf, by_type, needs_by_township(nf, areas), rate, med,
                 commonest_need(by_type, len(nf)) if rate is not None else None)


# --- funnel plots by township (district report) ---------------------------------------------------

def timeliness_by_township(payments: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Payments due in the period and those paid on time, by the payment's township (the
    payment_timeliness indicator's counts split by township; every township listed). Columns
    township, due, on_time."""
    due = im.payments_due(payments, period)
    on = im.paid_on_time(due)
    codes = due["township_code"].astype(str)
    return pd.DataFrame([{"township": name, "due": int((codes == code).sum()), "on_time": int(on[codes == code].sum())}
                         for code, name in township_names(areas).items()], columns=["township", "due", "on_time"])


def township_funnels(ev: ReliefEvaluation, payments: pd.DataFrame) -> dict[str, FunnelResult]:
    """Funnel plots of the rates compared across townships, around the district's own figures:
    payment timeliness (centre: the Timeliness result's k / n) and need resolution (the by-township
    needs frame and its total row). Counts below the run's threshold are hidden as in the township
    tables (need resolution: the needs table's counts, collected and resolved; timeliness, which has no
    township table: due, on time and late). Rates with too few townships are left out."""
    i, thr = ev.inputs, ev.inputs.params.disclosure_threshold
    out: dict[str, FunnelResult | None] = {}
    t = ev.standards.timeliness
    if t is not None:
        f = timeliness_by_township(payments, i.data["areas"], i.period).rename(columns={"on_time": "k", "due": "n"})
        out["payment_timeliness"] = funnel_result(f, rate="payment_timeliness", label_zh="救助金按时发放率",
                                                  district_rate=t.k / t.n, threshold=thr)
    out["need_resolution"] = township_funnel(ev.needs.by_township, k="resolved", n="collected", rate="need_resolution",
                                             label_zh="助联体需求化解率", threshold=thr, protect=("k", "n"))
    return {k: v for k, v in out.items() if v is not None}


# --- the whole evaluation -------------------------------------------------------------------------

@dataclass
class ReliefEvaluation:
    """Every number of the relief report, by section."""

    inputs: Inputs
    headline: Headline
    standards: Standards
    coverage: Coverage
    rise: RiseEffects
    exits: ExitAnalysis
    enrolment: Enrolment
    needs: Needs
    funnels: dict[str, FunnelResult] | None = None  # by rate code; district report only


def evaluate(inputs: Inputs) -> ReliefEvaluation:
    """The relief report's numbers for one scope and period."""
    d, p = inputs.data, inputs.period
    hh, pay, std = d["relief_households"], d["relief_payments"], d["relief_standards"]
    consumption = inputs.params.per_capita_consumption
    result = ReliefEvaluation(
        inputs=inputs,
        headline=headline(headline_ids(inputs), d, p, inputs.params.targets, suppress_below=inputs.threshold),
        standards=Standards(standards_history(std, p), payment_level(pay, hh, std, p), timeliness(pay, p),
                            adequacy(std, p, consumption), consumption),
        coverage=coverage(hh, pay, d["areas"], p, inputs.params.disclosure_threshold),
        rise=standard_rise_its(hh, pay, std, p, district=None if inputs.is_district else standard_rise_its(
            inputs.data_all["relief_households"], inputs.data_all["relief_payments"], inputs.data_all["relief_standards"],
            p)),
        exits=exit_analysis(hh, pay, p),
        enrolment=enrolment(d, p),
        needs=needs_result(d["alliance_needs"], d["areas"], p),
    )
    result.funnels = township_funnels(result, pay) if inputs.is_district else None
    return result
