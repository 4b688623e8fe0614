"""The relief outcomes report: protection level, coverage and roster dynamics, the standard's rise
(interrupted time series), exits from assistance (Kaplan-Meier, Cox), 应纳尽纳 matching, 助联体 needs
and generated findings.

Functions take the scoped frames (`ctx.data[...]`), the period and parameters and return DataFrames
or small result objects; estimators that cannot run (a small township, a period without a rise)
give a Chinese sentence instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon.data.spec import DATASETS
from civmon.report.headline import HEADLINE_IDS as _HEADLINES
from civmon.indicators.relief import LOW_INCOME, lowincome_roster, on_roster, standard_at
from civmon.period import Period
from civmon.stats import EstimationError, cox, its, km, proportion_ci
from civmon.report.context import label_areas

CATEGORY_ZH = dict(zip(DATASETS["relief_households"].column("category").values,
                       DATASETS["relief_households"].column("category").value_zh))
EXIT_REASON_ZH = dict(zip(DATASETS["relief_households"].column("exit_reason").values,
                          DATASETS["relief_households"].column("exit_reason").value_zh))
NEED_TYPE_ZH = dict(zip(DATASETS["alliance_needs"].column("need_type").values,
                        DATASETS["alliance_needs"].column("need_type").value_zh))
DAYS_PER_MONTH = 365.25 / 12
RECENT_DAYS = 60  # registered within this many days of the period end: possibly still being processed
CHART_MONTHS = 36  # monthly charts show at most the last three years
TOWNSHIP_CHART_MONTHS = 24  # small multiples by township: two years keep the date labels legible
MIN_EXITS_COX = 20  # fewer exits than 10 per covariate: hazard ratios unreliable, not estimated
SHORT_POST = 6  # months after the rise below which the slope change is flagged as unstable
MIN_NEEDS_DETAIL = 20  # needs collected below this: no sentence about the commonest type


# The summary's figures first, then the programme's other monitoring indicators (all recorded).
HEADLINE_IDS = [*_HEADLINES["relief"], "dibao_standard", "tekun_dibao_ratio", "avg_payment_per_person",
                "payment_timeliness", "exit_rate", "disability_living_enrolment", "disability_nursing_enrolment",
                "child_subsidy_enrolment", "alliance_resolution_rate"]
# Below the district the enrolment rates are left to the suppressed 应纳尽纳 table (a rate next to the
# number eligible gives away a small count of non-recipients).
TOWNSHIP_HEADLINE_IDS = [i for i in HEADLINE_IDS if not i.endswith("_enrolment")]


def zh_date(d) -> str:
    """2023年4月1日 (no zero padding, as Chinese reports write dates)."""
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月{d.day}日"


def zh_month(d) -> str:
    """2023年4月."""
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月"


def month_end(m: pd.Timestamp) -> pd.Timestamp:
    """The last day of the month of `m` (roster counts are taken at the end of that day)."""
    return pd.Timestamp(m) + pd.offsets.MonthEnd(0)


def township_names(areas: pd.DataFrame) -> pd.Series:
    """township code -> name."""
    t = areas[areas["level"].astype(str) == "township"]
    return pd.Series(t["area_name"].astype(str).to_numpy(), index=t["area_code"].astype(str).to_numpy())



def _in(s: pd.Series, period: Period) -> pd.Series:
    return s.between(period.start_ts, period.end_ts)


def series_months(payments: pd.DataFrame, end: pd.Timestamp, limit: int | None = None) -> pd.DatetimeIndex:
    """Month starts from the first month of the payment file (where the roster data begin) to `end`'s
    month, the last `limit` months at most."""
    first = payments["month"].min()
    last = pd.Timestamp(end).to_period("M").to_timestamp()
    if pd.isna(first) or first > last:
        return pd.DatetimeIndex([])
    months = pd.date_range(first, last, freq="MS")
    return months[-limit:] if limit else months


# --- 保障水平 ---------------------------------------------------------------------------------------

def standards_history(standards: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Every date up to the period end on which a standard changed: the 低保 and 特困 standards then
    in force and their ratio."""
    dates = sorted(standards.loc[standards["effective_date"] <= period.end_ts, "effective_date"].unique())
    rows = []
    for d in dates:
        dibao, tekun = standard_at(standards, "dibao", d), standard_at(standards, "tekun", d)
        rows.append({"执行日期": pd.Timestamp(d).strftime("%Y-%m-%d"), "低保标准（元/人/月）": dibao,
                     "特困人员基本生活标准（元/人/月）": tekun,
                     "特困标准÷低保标准（倍）": round(tekun / dibao, 2) if dibao else np.nan})
    return pd.DataFrame(rows)


def payment_level(payments: pd.DataFrame, households: pd.DataFrame, standards: pd.DataFrame,
                  period: Period) -> pd.DataFrame:
    """Average monthly payment per person by category against the standard in force in each paid
    month (weighted by the persons paid), with a 低收入对象 row (低保 + 低保边缘)."""
    p = payments[_in(payments["month"], period)]
    persons = p["household_id"].map(households.set_index("household_id")["persons"]).astype(float)
    cats = p["category"].astype(str)
    lookup = {(c, m): standard_at(standards, c, m) for c, m in set(zip(cats, p["month"]))}
    std = pd.Series([lookup[k] for k in zip(cats, p["month"])], index=p.index, dtype=float)
    d = pd.DataFrame({"category": p["category"].astype(str), "amount": p["amount"], "persons": persons,
                      "std_persons": std * persons})
    rows = []
    groups = [(CATEGORY_ZH[c], d[d["category"] == c]) for c in ("dibao", "dibian", "tekun")]
    groups.append(("低收入对象合计", d[d["category"].isin(LOW_INCOME)]))
    for name, g in groups:
        pm = float(g["persons"].sum())
        avg = round(float(g["amount"].sum()) / pm, 2) if pm else np.nan
        std_avg = round(float(g["std_persons"].sum()) / pm, 2) if pm and name != "低收入对象合计" else np.nan
        rows.append({"类别": name, "发放人月数": int(pm), "人均月救助金（元）": avg,
                     "期内执行标准（元/人/月）": std_avg,
                     "人均救助金占标准（%）": round(100 * avg / std_avg, 1) if std_avg == std_avg and std_avg else np.nan})
    return pd.DataFrame(rows)


def adequacy(standards: pd.DataFrame, period: Period, per_capita_consumption: float | None) -> pd.DataFrame | None:
    """低保 and 特困 standards at the period end, a year's worth, as a share of per-capita consumption
    (yuan per person per year); None when no consumption figure is given."""
    if not per_capita_consumption:
        return None
    rows = []
    for cat in ("dibao", "tekun"):
        s = standard_at(standards, cat, period.end_ts)
        rows.append({"类别": CATEGORY_ZH[cat], "期末标准（元/人/月）": s, "折合全年（元/人）": s * 12,
                     "居民人均消费支出（元/年）": float(per_capita_consumption),
                     "标准占人均消费支出（%）": round(100 * s * 12 / per_capita_consumption, 1)})
    return pd.DataFrame(rows)


def adequacy_note(per_capita_consumption: float | None) -> str:
    """What the adequacy comparison uses, or the sentence that it is not computed."""
    if per_capita_consumption:
        return (f"以运行参数给定的居民人均消费支出{per_capita_consumption:,.0f}元/年为基准，"
                "计算期末低保标准和特困人员基本生活标准（折合全年）所占比例。")
    return "运行参数未给出居民人均消费支出（per_capita_consumption），本期不计算保障标准相对消费水平的比例。"


def timeliness(payments: pd.DataFrame, period: Period) -> Share | None:
    """Payments due in the period paid on or before the due date (unpaid count as late), with a Wilson CI."""
    due = payments[_in(payments["due_date"], period)]
    on_time = due["paid_date"].notna() & (due["paid_date"] <= due["due_date"])
    return share(int(on_time.sum()), len(due))


def timeliness_sentences(payments: pd.DataFrame, period: Period) -> list[str]:
    """Payments due, paid on time (with the Wilson interval), late and still unpaid."""
    t = timeliness(payments, period)
    if t is None:
        return ["本期无应发救助金记录。"]
    due = payments[_in(payments["due_date"], period)]
    unpaid = int(due["paid_date"].isna().sum())
    s = (f"本期应发低保、低保边缘和特困救助金{t.n:,}笔，按期发放{t.k:,}笔，按时发放率{t.pct:.1f}%"
         f"（95%置信区间{t.ci_low:.1f}%至{t.ci_high:.1f}%）；逾期发放{t.n - t.k - unpaid:,}笔")
    return [s + (f"，截至数据提取仍未发放{unpaid:,}笔。" if unpaid else "。")]


def adequacy_section(standards: pd.DataFrame, period: Period, per_capita_consumption: float | None) -> list:
    """What the notebook shows for adequacy: the note, and the table when consumption is given."""
    from civmon.report.tables import Text, table

    ad = adequacy(standards, period, per_capita_consumption)
    out = [Text([adequacy_note(per_capita_consumption)])]
    if ad is not None:
        out.append(table(ad, caption="表4 保障标准与居民人均消费支出", decimals={"标准占人均消费支出（%）": 1}))
    return out


# --- 覆盖与动态管理 ---------------------------------------------------------------------------------

def monthly_caseload(households: pd.DataFrame, months) -> pd.DataFrame:
    """Households and persons on the roster at each month's end, by category (Chinese label)."""
    rows = []
    for m in months:
        on = households[on_roster(households, month_end(m))]
        for cat in ("dibao", "dibian", "tekun"):
            g = on[on["category"] == cat]
            rows.append({"month": pd.Timestamp(m), "category": CATEGORY_ZH[cat], "households": len(g),
                         "persons": int(g["persons"].sum())})
    return pd.DataFrame(rows)


def monthly_caseload_by_township(households: pd.DataFrame, areas: pd.DataFrame, months,
                                 threshold: int) -> tuple[pd.DataFrame, str]:
    """Low-income households at each month's end by township, for small multiples: each month's
    township counts go through the chart suppression (small counts, and what would reveal them from
    the district total, become NaN). Returns (frame with 乡镇街道, month, households, unit; note)."""
    from civmon.publish.suppress import suppress_series_for_chart

    low = households[households["category"].isin(LOW_INCOME)]
    codes = low["township_code"].astype(str)
    names = township_names(areas)
    parts, note = [], ""
    for m in months:
        on = on_roster(low, month_end(m))
        counts = codes[on].value_counts().reindex(names.index, fill_value=0)
        df = pd.DataFrame({"乡镇街道": names.to_numpy(), "month": pd.Timestamp(m), "households": counts.to_numpy(),
                           "unit": "户"})
        frame, n = suppress_series_for_chart(df, "households", threshold, label_column="乡镇街道")
        parts.append(frame)
        note = note or n
    return pd.concat(parts, ignore_index=True), note


def caseload_by_township(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Households on the roster at the period end by township: 低保, 低保边缘 and their total, with a
    合计 row (every township listed, zeros included)."""
    names = township_names(areas)
    on = households[on_roster(households, period.end_ts)]
    rows = []
    for code, name in names.items():
        g = on[on["township_code"].astype(str) == code]
        dibao, dibian = int((g["category"] == "dibao").sum()), int((g["category"] == "dibian").sum())
        rows.append({"乡镇街道": name, "低保户数": dibao, "低保边缘户数": dibian, "低收入对象户数": dibao + dibian})
    df = pd.DataFrame(rows)
    total = {"乡镇街道": "合计", **{c: int(df[c].sum()) for c in df.columns[1:]}}
    return pd.concat([df, pd.DataFrame([total])], ignore_index=True)


def coverage_by_township(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Persons in low-income households and 特困 persons at the period end by township, and low-income
    persons per 1,000 residents (areas.population); 合计 row over the district."""
    names = township_names(areas)
    t = areas[areas["level"].astype(str) == "township"]
    pop = pd.Series(pd.to_numeric(t["population"], errors="coerce").to_numpy(dtype=float),
                    index=t["area_code"].astype(str).to_numpy())
    on = households[on_roster(households, period.end_ts)]
    rows = []
    for code, name in names.items():
        g = on[on["township_code"].astype(str) == code]
        low = int(g.loc[g["category"].isin(LOW_INCOME), "persons"].sum())
        rows.append({"乡镇街道": name, "低收入对象人数": low,
                     "特困人员数": int(g.loc[g["category"] == "tekun", "persons"].sum()), "常住人口": pop.get(code)})
    df = pd.DataFrame(rows)
    df.loc[len(df)] = {"乡镇街道": "合计", "低收入对象人数": int(df["低收入对象人数"].sum()),
                       "特困人员数": int(df["特困人员数"].sum()),
                       "常住人口": df["常住人口"].sum(min_count=len(df))}
    df["每千常住人口低收入对象人数"] = (1000 * df["低收入对象人数"] / df["常住人口"]).round(2)
    df["常住人口"] = df["常住人口"].astype("Int64")
    return df


def coverage_per_1000(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> float:
    """Low-income persons at the period end per 1,000 residents of the scope (NaN without population)."""
    t = areas[areas["level"].astype(str) == "township"]
    pop = pd.to_numeric(t["population"], errors="coerce")
    if pop.isna().any() or pop.sum() == 0:
        return float("nan")
    return round(1000 * float(lowincome_roster(households, period.end_ts)["persons"].sum()) / float(pop.sum()), 2)


def coverage_sentences(households: pd.DataFrame, areas: pd.DataFrame, period: Period) -> list[str]:
    """Persons covered at the period end and per 1,000 residents of the scope."""
    low = lowincome_roster(households, period.end_ts)
    tekun = households[(households["category"] == "tekun") & on_roster(households, period.end_ts)]
    s = f"期末在册低保、低保边缘{len(low):,}户{int(low['persons'].sum()):,}人"
    per = coverage_per_1000(households, areas, period)
    s += f"，每千名常住人口中有低收入对象{per:.2f}人" if per == per else "（未提供常住人口，不计算覆盖率）"
    return [s + f"；另有在册特困人员{int(tekun['persons'].sum()):,}人。"]


def entries_exits(households: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Low-income households (低保 + 低保边缘) by month of the period: on the roster at the start,
    entered, exited, on the roster at the end; the 本期合计 row spans the period (start + in - out = end)."""
    low = households[households["category"].isin(LOW_INCOME)]
    rows = []
    spans = [(m.strftime("%Y年%m月").replace("年0", "年"), m.start_time, m.end_time.normalize())
             for m in period.months()]
    spans.append(("本期合计", period.start_ts, period.end_ts))
    for label, a, b in spans:
        rows.append({"月份": label,
                     "期初在册户数": int(on_roster(low, a - pd.Timedelta(days=1)).sum()),
                     "新纳入户数": int(low["entry_date"].between(a, b).sum()),
                     "退出户数": int(low["exit_date"].between(a, b).sum()),
                     "期末在册户数": int(on_roster(low, b).sum())})
    return pd.DataFrame(rows)


def exit_reasons(households: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Low-income households that left in the period by exit reason, with shares and a 合计 row."""
    low = households[households["category"].isin(LOW_INCOME) & _in(households["exit_date"], period)]
    n = len(low)
    rows = []
    for code, zh in EXIT_REASON_ZH.items():
        k = int((low["exit_reason"] == code).sum())
        rows.append({"退出原因": zh, "退出户数": k, "占比（%）": round(100 * k / n, 1) if n else np.nan})
    unknown = int(low["exit_reason"].isna().sum())
    if unknown:
        rows.append({"退出原因": "未登记", "退出户数": unknown, "占比（%）": round(100 * unknown / n, 1)})
    rows.append({"退出原因": "合计", "退出户数": n, "占比（%）": 100.0 if n else np.nan})
    return pd.DataFrame(rows)


# --- 标准调整影响 (interrupted time series) --------------------------------------------------------

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


ITS_OUTCOMES = {"caseload": ("月末在册户数", "户"), "spending": ("月度救助金", "万元")}
ITS_SCALE = {"caseload": 1.0, "spending": 1e4}  # spending is estimated in yuan, shown in 万元
ITS_SUBJECT = {"caseload": "在册低收入对象户数", "spending": "月度救助金"}


@dataclass
class RiseEffects:
    """ITS results per outcome (None when not estimable) with the rise date and a reason if none."""

    rise: pd.Timestamp | None
    results: dict = field(default_factory=dict)
    series: pd.DataFrame | None = None
    message: str = ""


def standard_rise_its(households: pd.DataFrame, payments: pd.DataFrame, standards: pd.DataFrame,
                      period: Period) -> RiseEffects:
    """Segmented regression (Newey-West) of the monthly caseload and spending around the latest 低保
    rise, on the months from the start of the payment data to the period end."""
    months = series_months(payments, period.end_ts)
    if len(months) == 0:
        return RiseEffects(None, message="本范围本期无救助金发放记录，不做标准调整影响分析。")
    rise = latest_rise(standards, months[0], period.end_ts)
    if rise is None:
        return RiseEffects(None, message=f"{zh_month(months[0])}至本期末低保标准未调整，本期不做标准调整影响分析。")
    series = its_series(households, payments, months)
    rise_month = rise.to_period("M").to_timestamp()
    results, errors = {}, []
    for y in ITS_OUTCOMES:
        try:
            results[y] = its(series, "month", y, rise_month)
        except EstimationError as e:
            errors.append(str(e))
    msg = ""
    if len(results) < len(ITS_OUTCOMES):
        n_post = int((series["month"] >= rise_month).sum())
        msg = (f"标准调整（{zh_date(rise)}）前后的月度数据不足（调整前{len(series) - n_post}个月、调整后{n_post}个月，"
               "每段至少需要3个月且数据须足以估计），本范围本期不做中断时间序列估计。")
    return RiseEffects(rise, results, series, msg)


def p_text(p: float | None) -> str:
    """P-values as reports print them: three decimals, <0.001 below that."""
    if p is None or p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def its_table(eff: RiseEffects) -> pd.DataFrame:
    """Level and slope change of each outcome with 95% CIs, and the pre-rise monthly trend."""
    rows = []
    for y, r in eff.results.items():
        label, unit = ITS_OUTCOMES[y]
        for term, res in (("调整前月度趋势", r.pre_slope), ("水平变化（调整当月）", r.level_change),
                          ("斜率变化（每月）", r.slope_change)):
            k = ITS_SCALE[y]
            rows.append({"结果指标": f"{label}（{unit}）", "估计项": term, "估计值": res.estimate / k,
                         "95%置信区间下限": res.ci_low / k, "95%置信区间上限": res.ci_high / k,
                         "P值": p_text(res.pvalue)})
    return pd.DataFrame(rows)


def significant(res) -> bool:
    """The 95% interval excludes zero."""
    return res.ci_low > 0 or res.ci_high < 0


def _change(res, unit: str, scale: float, words: tuple[str, str]) -> str:
    """'增加96户（95%置信区间76至116户）', worded by sign, with a note when the interval covers zero."""
    d = 1 if unit == "户" else 2
    est, lo, hi = res.estimate / scale, res.ci_low / scale, res.ci_high / scale
    if unit == "户" and abs(est) >= 10:
        d = 0
    text = (f"{words[0] if est >= 0 else words[1]}{abs(est):,.{d}f}{unit}"
            f"（95%置信区间{lo:,.{d}f}至{hi:,.{d}f}{unit}）")
    return text if significant(res) else text + "，与零的差异无统计学意义"


def its_sentences(eff: RiseEffects) -> list[str]:
    """What the ITS says, with intervals, or why it was not estimated."""
    if not eff.results:
        return [eff.message]
    out = []
    n_post = int((eff.series["month"] >= eff.rise.to_period("M").to_timestamp()).sum())
    n_pre = len(eff.series) - n_post
    out.append(f"{zh_date(eff.rise)}起低保标准上调。以{zh_month(eff.series['month'].iloc[0])}至"
               f"{zh_month(eff.series['month'].iloc[-1])}共{len(eff.series)}个月（调整前{n_pre}个月、调整后{n_post}个月）"
               "的月度数据作分段回归，以调整前趋势外推为反事实。")
    for y, (label, unit) in ITS_OUTCOMES.items():
        if y in eff.results:
            r, k = eff.results[y], ITS_SCALE[y]
            out.append(f"调整当月{ITS_SUBJECT[y]}较调整前趋势{_change(r.level_change, unit, k, ('增加', '减少'))}，"
                       f"此后每月增幅较调整前{_change(r.slope_change, unit, k, ('提高', '降低'))}。")
    if n_post < SHORT_POST:
        out.append(f"调整后仅{n_post}个月，斜率变化主要反映调整初期的集中纳入，尚不稳定，宜待更多月份数据后再作判断。")
    if eff.message:
        out.append(eff.message)
    return out


ITS_METHOD_NOTE = ("方法说明：分段回归 y = b0 + b1·t + b2·调整后 + b3·调整后月数，b2为水平变化、b3为斜率变化；"
                   "标准误采用Newey-West异方差自相关稳健估计（Bartlett权重）。月度观测仅数十个时，"
                   "Newey-West置信区间偏窄、实际覆盖率低于名义的95%，区间宽度可能低估不确定性；调整后月份较少时斜率变化尤不稳定。"
                   "反事实假定调整前的线性趋势延续，同期其他政策（如应保尽保专项行动）的影响也计入估计。")


# --- 退出与造血 (survival) --------------------------------------------------------------------------

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


SURVIVAL_GROUPS = {"labour_capacity": ("有劳动能力", "无劳动能力"),
                   "employment_support": ("参加就业帮扶", "未参加就业帮扶")}
COVARIATE_ZH = {"labour_capacity": "有劳动能力（对照：无劳动能力）",
                "employment_support": "参加就业帮扶（对照：未参加）"}


@dataclass
class ExitAnalysis:
    """KM results by each covariate, the Cox model, or the reason they are missing."""

    frame: pd.DataFrame
    km: dict = field(default_factory=dict)
    cox: object = None
    cox_frame: pd.DataFrame | None = None  # every spell observed in the window (left-truncated)
    messages: list = field(default_factory=list)
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None


def exit_analysis(households: pd.DataFrame, payments: pd.DataFrame, period: Period) -> ExitAnalysis:
    """KM curves of months on assistance by labour capacity and by employment support, and the Cox
    model of exit on both, for spells begun from the first payment month to the period end."""
    months = series_months(payments, period.end_ts)
    if len(months) == 0:
        return ExitAnalysis(pd.DataFrame(), messages=["本范围本期无救助数据，不做退出分析。"])
    start, end = months[0], period.end_ts
    sf = survival_frame(households, start, end)
    out = ExitAnalysis(sf, start=start, end=end)
    for cov, (yes, no) in SURVIVAL_GROUPS.items():
        d = sf.assign(group=np.where(sf[cov] == 1, yes, no))
        try:
            if sf["exited"].sum() == 0:
                raise EstimationError("no exits")
            out.km[cov] = km(d, "months", "exited", group="group")
        except EstimationError:
            pass
    allsp = survival_frame(households, start, end, prevalent=True)
    allsp = allsp[allsp["months"] > allsp["entry"]]
    out.cox_frame = allsp
    try:
        if allsp["exited"].sum() < MIN_EXITS_COX:
            raise EstimationError("too few exits")
        out.cox = cox(allsp, "months", "exited", list(SURVIVAL_GROUPS), entry="entry")
    except EstimationError:
        out.messages.append(f"观察期内退出少于{MIN_EXITS_COX}户或分组单一，风险比不可靠，本范围不估计比例风险模型。")
    return out


def km_plot_frame(res) -> pd.DataFrame:
    """A KM table as step-curve points starting at (0, 1) for each group."""
    parts = []
    for g in res.median["group"]:
        t = res.table[res.table["group"] == g]
        start = pd.DataFrame({"group": [g], "time": [0.0], "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
        parts.append(pd.concat([start, t[["group", "time", "survival", "ci_low", "ci_high"]]], ignore_index=True))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


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


def km_table(ea: ExitAnalysis, at_months: int = 12) -> pd.DataFrame:
    """By group: spells, exits, share still on assistance after `at_months` months, median months."""
    rows = []
    for cov, res in ea.km.items():
        at = survival_at(res, at_months).set_index("group")
        for m in res.median.itertuples():
            rows.append({"分组": m.group, "新纳入户数": m.n, "退出户数": m.events,
                         f"{at_months}个月仍在册（%）": round(100 * at.loc[m.group, "survival"], 1),
                         "95%置信区间（%）": f"{100 * at.loc[m.group, 'ci_low']:.1f}–{100 * at.loc[m.group, 'ci_high']:.1f}",
                         "在册中位数（月）": "未达到" if np.isnan(m.median) else round(m.median, 1)})
    return pd.DataFrame(rows)


def cox_table(ea: ExitAnalysis) -> pd.DataFrame:
    """Hazard ratios of exit with 95% CIs."""
    if ea.cox is None:
        return pd.DataFrame()
    t = ea.cox.table
    return pd.DataFrame({"协变量": t["term"].map(COVARIATE_ZH), "退出风险比": t["hazard_ratio"],
                         "95%置信区间下限": t["ci_low"], "95%置信区间上限": t["ci_high"], "P值": [p_text(p) for p in t["pvalue"]]})


@dataclass
class Share:
    """k of n with a Wilson interval (percent)."""

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


def employment_exit_share(households: pd.DataFrame, period: Period) -> Share | None:
    """Low-income exits in the period whose reason is employment income (就业增收), as a share."""
    low = households[households["category"].isin(LOW_INCOME) & _in(households["exit_date"], period)]
    return share(int((low["exit_reason"] == "employment").sum()), len(low))


def exit_sentences(ea: ExitAnalysis, emp: Share | None) -> list[str]:
    """The cohort, the hazard ratios (flagged when not significant) and the employment-exit share."""
    out = []
    if ea.start is not None and len(ea.frame):
        out.append(f"{zh_month(ea.start)}至期末新纳入低保、低保边缘{len(ea.frame):,}户，截至期末退出"
                   f"{int(ea.frame['exited'].sum()):,}户。")
    if ea.cox is not None and ea.cox_frame is not None:
        cf = ea.cox_frame
        out.append(f"比例风险模型纳入观察期内在册的全部低保、低保边缘家庭{len(cf):,}户（其中{int((cf['entry'] > 0).sum()):,}户"
                   f"在{zh_month(ea.start)}前已纳入，按左截断处理），观察期内退出{int(cf['exited'].sum()):,}户。")
    if ea.cox is not None:
        t = ea.cox.table.set_index("term")
        for cov, zh in (("labour_capacity", "有劳动能力的家庭"), ("employment_support", "参加就业帮扶的家庭")):
            r = t.loc[cov]
            sig = "，差异有统计学意义" if r["ci_low"] > 1 or r["ci_high"] < 1 else "，差异无统计学意义"
            out.append(f"控制另一因素后，{zh}退出救助的风险是对照组的{r['hazard_ratio']:.2f}倍"
                       f"（95%置信区间{r['ci_low']:.2f}至{r['ci_high']:.2f}）{sig}。")
    out.extend(ea.messages)
    if emp is not None:
        out.append(f"本期退出的{emp.n:,}户低收入对象中，因就业增收退出{emp.k:,}户，占{emp.pct:.1f}%"
                   f"（95%置信区间{emp.ci_low:.1f}%至{emp.ci_high:.1f}%）。")
    else:
        out.append("本期无低收入对象退出。")
    return out


# --- 应纳尽纳 (cross-registry matching) ------------------------------------------------------------

SUBSIDIES = {"living": "困难残疾人生活补贴", "nursing": "重度残疾人护理补贴", "child": "孤儿及困境儿童生活补贴"}


def _last_month(period: Period) -> pd.Timestamp:
    return period.end_ts.to_period("M").to_timestamp()


def unenrolled(dis_registry: pd.DataFrame, dis_subsidy: pd.DataFrame, child_registry: pd.DataFrame,
               child_subsidy: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Registry people eligible at the period end and not paid that subsidy in the period's last month.

    Eligible as the enrolment indicators define it: living subsidy, registered low-income disabled
    people; nursing subsidy, grade 1-2; child subsidy, every registered child. Columns: subsidy,
    township_code, recent (registered within RECENT_DAYS of the period end)."""
    last = _last_month(period)
    end = period.end_ts
    reg = dis_registry[dis_registry["registered_date"] <= end]
    eligible = {
        "living": reg[reg["low_income"].astype("boolean").fillna(False).astype(bool)],
        "nursing": reg[(reg["disability_grade"] <= 2).astype("boolean").fillna(False).astype(bool)],
        "child": child_registry[child_registry["registered_date"] <= end],
    }
    paid = {
        "living": dis_subsidy[(dis_subsidy["subsidy_type"] == "living") & (dis_subsidy["month"] == last)],
        "nursing": dis_subsidy[(dis_subsidy["subsidy_type"] == "nursing") & (dis_subsidy["month"] == last)],
        "child": child_subsidy[child_subsidy["month"] == last],
    }
    parts = []
    for k, e in eligible.items():
        e = e.drop_duplicates("person_key")
        miss = e[~e["person_key"].isin(paid[k]["person_key"].dropna())]
        parts.append(pd.DataFrame({"subsidy": k, "township_code": miss["township_code"].astype(str).to_numpy(),
                                   "recent": (miss["registered_date"] > end - pd.Timedelta(days=RECENT_DAYS)).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def enrolment_summary(dis_registry: pd.DataFrame, dis_subsidy: pd.DataFrame, child_registry: pd.DataFrame,
                      child_subsidy: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per subsidy: eligible in the registry, paid in the last month, not paid (of which recently
    registered) and the enrolment rate (equal to the *_enrolment indicators)."""
    miss = unenrolled(dis_registry, dis_subsidy, child_registry, child_subsidy, period)
    end = period.end_ts
    reg = dis_registry[dis_registry["registered_date"] <= end].drop_duplicates("person_key")
    n_elig = {"living": int(reg["low_income"].astype("boolean").fillna(False).sum()),
              "nursing": int((reg["disability_grade"] <= 2).astype("boolean").fillna(False).sum()),
              "child": int(child_registry.loc[child_registry["registered_date"] <= end, "person_key"].nunique())}
    rows = []
    for k, zh in SUBSIDIES.items():
        m = miss[miss["subsidy"] == k]
        n = n_elig[k]
        rows.append({"补贴项目": zh, "登记中符合条件人数": n, "期末当月已领取": n - len(m), "未领取人数": len(m),
                     f"其中登记不足{RECENT_DAYS}天": int(m["recent"].sum()),
                     "应纳尽纳率（%）": round(100 * (n - len(m)) / n, 1) if n else np.nan})
    return pd.DataFrame(rows)


def unenrolled_by_township(miss: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Counts of apparently eligible non-recipients by township and subsidy, with a 合计 row."""
    names = township_names(areas)
    rows = []
    for code, name in names.items():
        m = miss[miss["township_code"] == code]
        rows.append({"乡镇街道": name, **{f"{zh}未领取": int((m["subsidy"] == k).sum()) for k, zh in SUBSIDIES.items()}})
    df = pd.DataFrame(rows)
    df.loc[len(df)] = {"乡镇街道": "合计", **{c: int(df[c].sum()) for c in df.columns[1:]}}
    return df


def enrolment_sentences(summary: pd.DataFrame, threshold: int | None = None) -> list[str]:
    """One sentence per subsidy; with `threshold` (below the district) counts of non-recipients under
    it are written as "不足N人" and the enrolment rate, which would reveal them, is left out."""
    def n(x):
        return f"不足{threshold}人" if threshold and 0 < x < threshold else f"{x:,}人"

    out = []
    for r in summary.to_dict("records"):
        if not r["登记中符合条件人数"]:
            continue
        miss, recent = r["未领取人数"], r[f"其中登记不足{RECENT_DAYS}天"]
        hide = bool(threshold) and 0 < miss < threshold
        s = f"{r['补贴项目']}：登记中符合条件{r['登记中符合条件人数']:,}人"
        s += "" if hide else f"，期末当月已领取{r['期末当月已领取']:,}人，应纳尽纳率{r['应纳尽纳率（%）']:.1f}%"
        s += f"；疑似应纳未纳{n(miss)}"
        out.append(s + (f"，其中{n(recent)}登记不足{RECENT_DAYS}天、可能仍在审核中。" if recent and not hide else "。"))
    return out or ["本范围登记中无符合条件人员。"]


# --- 助联体 ----------------------------------------------------------------------------------------

def needs_frame(needs: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Needs collected in the period, whether resolved by the period end and the days it took."""
    n = needs[_in(needs["collected_date"], period)]
    resolved = n["resolved_date"].notna() & (n["resolved_date"] <= period.end_ts)
    days = (n["resolved_date"] - n["collected_date"]).dt.days.where(resolved)
    return pd.DataFrame({"need_type": n["need_type"].astype(str).to_numpy(),
                         "township_code": n["township_code"].astype(str).to_numpy(),
                         "resolved": resolved.to_numpy(), "days": days.to_numpy(dtype=float)})


def _needs_rows(groups) -> list[dict]:
    rows = []
    for label, g in groups:
        k, n = int(g["resolved"].sum()), len(g)
        rows.append({"label": label, "采集需求数": n, "已化解数": k,
                     "化解率（%）": round(100 * k / n, 1) if n else np.nan,
                     "化解天数中位数": float(g["days"].median()) if k else np.nan})
    return rows


def needs_by_type(nf: pd.DataFrame) -> pd.DataFrame:
    """Needs collected and resolved by type, with a 合计 row."""
    groups = [(zh, nf[nf["need_type"] == code]) for code, zh in NEED_TYPE_ZH.items()] + [("合计", nf)]
    return pd.DataFrame(_needs_rows(groups)).rename(columns={"label": "需求类型"})


def needs_by_township(nf: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Needs collected and resolved and the resolution rate by township (all townships), with a 合计 row."""
    groups = [(name, nf[nf["township_code"] == code]) for code, name in township_names(areas).items()] + [("合计", nf)]
    return pd.DataFrame(_needs_rows(groups)).rename(columns={"label": "乡镇街道"}).drop(columns="化解天数中位数")


def needs_summary(nf: pd.DataFrame) -> tuple[Share | None, float]:
    """Resolution rate with its Wilson interval, and the median days to resolve (resolved needs)."""
    k = int(nf["resolved"].sum())
    return share(k, len(nf)), (float(nf["days"].median()) if k else float("nan"))


def needs_sentences(nf: pd.DataFrame) -> list[str]:
    """Collected, resolved, the rate with its Wilson interval, median days; the commonest need type."""
    rate, med = needs_summary(nf)
    if rate is None:
        return ["本期助联体未采集服务需求。"]
    by = needs_by_type(nf)
    by = by[(by["需求类型"] != "合计") & (by["采集需求数"] > 0)].sort_values("采集需求数", ascending=False)
    top = by.iloc[0]
    s = (f"本期助联体采集困难群众服务需求{rate.n:,}例，期末前化解{rate.k:,}例，化解率{rate.pct:.1f}%"
         f"（95%置信区间{rate.ci_low:.1f}%至{rate.ci_high:.1f}%）")
    s += f"，已化解需求从采集到化解的天数中位数为{med:.0f}天。" if med == med else "。"
    if rate.n < MIN_NEEDS_DETAIL:
        return [s]
    return [s, f"需求以{top['需求类型']}类最多（{int(top['采集需求数'])}例），化解率{top['化解率（%）']:.1f}%。"]


# --- 主要发现 -------------------------------------------------------------------------------------

def half_label(period: Period) -> str:
    """上半年 / 下半年 / the period's own label for other lengths."""
    zh = period.label_zh
    for h in ("上半年", "下半年"):
        if zh.endswith(h):
            return h
    return zh


def main_findings(hl_frame: pd.DataFrame, scope_label: str, period: Period, rise: RiseEffects,
                  ea: ExitAnalysis, emp: Share | None, enrol: pd.DataFrame, nf: pd.DataFrame,
                  threshold: int | None = None) -> list[str]:
    """Summary-style sentences built from the headline and the analyses; with `threshold` (below the
    district) the 应纳尽纳 sentence gives no rates or counts when a count of non-recipients is small."""
    v = hl_frame.set_index("id")["value"].to_dict()

    def num(i, fmt="{:,.0f}"):
        x = v.get(i)
        return "—" if x is None or x != x else fmt.format(x)

    scope = "全区" if scope_label == "全区" else scope_label
    out = [f"{half_label(period)}，{scope}在册低收入对象{num('lowincome_households', '{:.0f}')}户"
           f"{num('lowincome_persons', '{:.0f}')}人，累计发放救助资金{num('lowincome_funds', '{:.2f}')}万元；"
           f"实施临时救助{num('temp_relief_households', '{:.0f}')}户{num('temp_relief_person_times', '{:.0f}')}人次，"
           f"发放资金{num('temp_relief_funds', '{:.2f}')}万元；特困人员基本生活标准为每人每月"
           f"{num('tekun_standard', '{:.0f}')}元。"]
    out.append(f"发放孤儿及困境儿童生活补贴{num('child_subsidy_funds', '{:.2f}')}万元、困难残疾人生活补贴"
               f"{num('disability_living_funds', '{:.2f}')}万元、重度残疾人护理补贴{num('disability_nursing_funds', '{:.2f}')}万元；"
               f"大救助一站式累计救助{num('one_stop_person_times', '{:.0f}')}人次、发放资金{num('one_stop_funds', '{:.2f}')}万元。")
    if v.get("payment_timeliness") is not None and v.get("exit_rate") is not None:
        out.append(f"救助金按时发放率{num('payment_timeliness', '{:.1f}')}%；本期低收入对象退出率"
                   f"{num('exit_rate', '{:.1f}')}%。")
    if "caseload" in rise.results:
        r = rise.results["caseload"].level_change
        if significant(r):
            out.append(f"{zh_month(rise.rise)}低保标准上调后，在册低收入对象户数较原趋势"
                       f"{_change(r, '户', 1.0, ('增加', '减少'))}。")
        else:
            out.append(f"{zh_month(rise.rise)}低保标准上调后，在册低收入对象户数未见明显偏离原趋势。")
    if emp is not None:
        s = f"本期退出的低收入对象中{emp.pct:.1f}%因就业增收退出"
        if ea.cox is not None:
            t = ea.cox.table.set_index("term")

            def hr(cov):
                r = t.loc[cov]
                return f"{r['hazard_ratio']:.2f}倍" + ("" if r["ci_low"] > 1 or r["ci_high"] < 1 else "（差异无统计学意义）")

            s += f"；有劳动能力、参加就业帮扶的家庭退出救助的风险分别是对照组的{hr('labour_capacity')}和{hr('employment_support')}"
        out.append(s + "。")
    gap = enrol[enrol["登记中符合条件人数"] > 0]
    small = bool(threshold) and ((gap["未领取人数"] > 0) & (gap["未领取人数"] < threshold)).any()
    if len(gap) and small:
        out.append("跨部门比对发现疑似应纳未纳人员（人数见表12，小数已隐去），需逐一核查。")
    elif len(gap):
        parts = "、".join(f"{r['补贴项目']}{r['应纳尽纳率（%）']:.1f}%" for r in gap.to_dict("records"))
        out.append(f"跨部门比对显示，应纳尽纳率分别为{parts}，疑似应纳未纳共{int(gap['未领取人数'].sum()):,}人次，需逐一核查。")
    rate, med = needs_summary(nf)
    if rate is not None:
        out.append(f"助联体采集困难服务需求{rate.n}例，化解{rate.k}例，化解率{rate.pct:.1f}%。")
    return out
