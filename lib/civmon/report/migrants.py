"""Report logic of the migrant post-support evaluation (水库移民后期扶持监测评估): headline targets,
subsidy reconciliation tables, register dynamics, project status, incomes and the income DiD,
satisfaction and visits, the scored performance sheet and the generated findings.

Pure functions over the scoped DataFrames; tables of persons or households go through
`person_table` (small-cell suppression below the district level).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civmon import stats
from civmon.indicators import all_indicators
from civmon.indicators import migrants as im
from civmon.period import Period
from civmon.report.tables import Table, Text, table
from civmon.report.headline import HEADLINE_IDS as _HEADLINES

HEADLINE_IDS = _HEADLINES["migrants"]
NO_MIGRANTS = "本乡镇街道无水库移民后期扶持人口，本节不适用。"
TYPE_ZH = {"infrastructure": "基础设施", "environment": "人居环境", "industry": "产业发展", "training": "技能培训"}
ACCEPTANCE_ZH = {"passed": "合格", "failed": "不合格", "pending": "待验收"}
REASON_ZH = {"death": "死亡", "moved": "迁出", "other": "其他"}
STATUS_ORDER = ["paid_in_full", "eligible_unpaid", "duplicate", "wrong_amount", "paid_after_removal",
                "paid_not_entitled"]


# --- shared helpers ------------------------------------------------------------------------------

def has_migrants(data: dict[str, pd.DataFrame]) -> bool:
    """Whether the scope has anyone on the migrant register."""
    return len(data["migrant_register"]) > 0


def person_table(ctx, frame: pd.DataFrame, *, caption: str, count_columns, label_column: str, total_row=None,
            rate_columns=None, amount_columns=None, total_column=None, notes=(), decimals=None) -> Table:
    """A table of persons or households: as is for the district, through small-cell suppression
    (ctx.area_table) for a township, whose every table is below the district level."""
    if ctx.is_district:
        return table(frame, caption=caption, notes=notes, decimals=decimals, total_row=total_row is not None)
    return ctx.area_table(frame, caption=caption, count_columns=count_columns, label_column=label_column,
                          total_row=total_row, rate_columns=rate_columns, amount_columns=amount_columns,
                          total_column=total_column, notes=notes, decimals=decimals)


def area_names(areas: pd.DataFrame) -> dict[str, str]:
    """Area code -> Chinese name."""
    return dict(zip(areas["area_code"].astype(str), areas["area_name"].astype(str)))


def _date(ts) -> str:
    return "—" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def _num(v, decimals: int = 0, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return f"{v:,.{decimals}f}{unit}"


def assumptions(period: Period) -> pd.DataFrame:
    """The evaluation's stated assumptions and definitions (shown next to the numbers they drive)."""
    y = period.year
    rows = [
        ("应发对象", f"以{y}年1月1日为准：核定扶持、已登记，且此前未死亡、迁出或核减；年内死亡或迁出者当年仍应发。"),
        ("直补标准", f"每人每年{im.SUBSIDY_PER_PERSON:,.0f}元，一次性发放。"),
        ("发放期限（假设）", f"当年{int(im.PAYMENT_DEADLINE[:2])}月{int(im.PAYMENT_DEADLINE[3:])}日前发放为按时；"
                       "该期限为本报告的假设，政策另有规定时应调整。"),
        ("核减及时（假设）", f"死亡或迁出后{im.REMOVAL_MAX_LAG_DAYS}天内完成核减为及时。"),
        ("年度口径", f"直补、项目、收入与满意度调查均按期间所在年度（{y}年）统计；项目完工、核减、走访按期末"
                 f"（{period.end:%Y年%m月%d日}）状态统计。"),
        ("项目支出", "已支出为数据提取时的累计数，可能晚于期末。"),
    ]
    return pd.DataFrame(rows, columns=["口径", "说明"])


# --- headline ------------------------------------------------------------------------------------

def derived_targets(data: dict[str, pd.DataFrame], period: Period) -> dict[str, float]:
    """Targets that follow from the register: everyone entitled paid 600 yuan."""
    n = im.subsidy_entitled_persons(data["migrant_register"], period)
    if not n:
        return {}
    return {"direct_subsidy_persons": float(n), "direct_subsidy_funds": im.wan(n * im.SUBSIDY_PER_PERSON)}


def headline(ctx, ids=None):
    """The headline figures with targets: params first, else the entitlement-derived ones."""
    from civmon.report.headline import headline as _headline

    targets = {**derived_targets(ctx.data, ctx.period), **ctx.params.targets}
    return _headline(ids or HEADLINE_IDS, ctx.data, ctx.period, targets, suppress_below=ctx.suppression_threshold)


# --- direct-subsidy reconciliation ---------------------------------------------------------------

def reconciliation(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """The register against the payments of the period's subsidy year (one row per person)."""
    return im.reconcile_subsidy(data["migrant_register"], data["migrant_payments"], period.year)


def status_frame(recon: pd.DataFrame) -> pd.DataFrame:
    """Persons and amounts by reconciliation result, with a total row (no person identifiers)."""
    s = im.reconciliation_summary(recon).set_index("status").reindex(STATUS_ORDER).fillna(0)
    diff = recon.groupby("status", observed=False)["discrepancy"].sum().reindex(STATUS_ORDER).fillna(0)
    out = pd.DataFrame({"核对结果": [im.STATUS_ZH[s_] for s_ in STATUS_ORDER],
                        "人数": s["persons"].astype(int).to_numpy(),
                        "应发金额（元）": s["due"].to_numpy(), "实发金额（元）": s["paid"].to_numpy(),
                        "差额（元）": diff.to_numpy()})
    total = {"核对结果": "合计", "人数": int(out["人数"].sum()), "应发金额（元）": out["应发金额（元）"].sum(),
             "实发金额（元）": out["实发金额（元）"].sum(), "差额（元）": out["差额（元）"].sum()}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _area_key(recon: pd.DataFrame, level: str) -> pd.Series:
    col = "township_code" if level == "township" else "village_code"
    return recon[col].astype("string")


def entitled_by_area(recon: pd.DataFrame, areas: pd.DataFrame, level: str = "township") -> pd.DataFrame:
    """Entitled persons by township or village: paid in full, unpaid, paid twice, wrong amount (they
    add up to the entitled), and the amounts involved; a total row."""
    names = area_names(areas)
    e = recon[recon["entitled"]]
    key = _area_key(e, level)
    st = e["status"].astype(str)
    g = pd.DataFrame({"key": key, "n": 1, "full": st == "paid_in_full", "unpaid": st == "eligible_unpaid",
                      "dup": st == "duplicate", "wrong": st == "wrong_amount",
                      "unpaid_amt": np.where(st == "eligible_unpaid", -e["discrepancy"], 0.0),
                      "dup_amt": np.where(st == "duplicate", e["discrepancy"], 0.0),
                      "wrong_amt": np.where(st == "wrong_amount", e["discrepancy"], 0.0)}).groupby("key").sum()
    label = "乡镇街道" if level == "township" else "村（社区）"
    out = pd.DataFrame({label: [names.get(k, k) for k in g.index], "应发人数": g["n"].astype(int).to_numpy(),
                        "足额发放": g["full"].astype(int).to_numpy(), "应发未发": g["unpaid"].astype(int).to_numpy(),
                        "重复发放": g["dup"].astype(int).to_numpy(), "金额不符": g["wrong"].astype(int).to_numpy(),
                        "未发金额（元）": g["unpaid_amt"].to_numpy(), "多发金额（元）": g["dup_amt"].to_numpy(),
                        "金额差额（元）": g["wrong_amt"].to_numpy()})
    total = {c: (out[c].sum() if c != label else "合计") for c in out.columns}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


ENTITLED_COUNTS = ["应发人数", "应发未发", "重复发放", "金额不符"]
ENTITLED_AMOUNTS = {"未发金额（元）": "应发未发", "多发金额（元）": "重复发放", "金额差额（元）": "金额不符"}


def improper_by_area(recon: pd.DataFrame, areas: pd.DataFrame, level: str = "township") -> pd.DataFrame:
    """Payments to persons not entitled that year, by area: after death, move or removal, and to
    persons not (yet) verified; persons and amounts; a total row."""
    names = area_names(areas)
    label = "乡镇街道" if level == "township" else "村（社区）"
    key = _area_key(recon, level)
    st = recon["status"].astype(str)
    g = pd.DataFrame({"key": key, "after": st == "paid_after_removal", "other": st == "paid_not_entitled",
                      "after_amt": np.where(st == "paid_after_removal", recon["paid"], 0.0),
                      "other_amt": np.where(st == "paid_not_entitled", recon["paid"], 0.0)}).groupby("key").sum()
    out = pd.DataFrame({label: [names.get(k, k) for k in g.index],
                        "核减后发放（人）": g["after"].astype(int).to_numpy(),
                        "核减后发放金额（元）": g["after_amt"].to_numpy(),
                        "非扶持对象发放（人）": g["other"].astype(int).to_numpy(),
                        "非扶持对象金额（元）": g["other_amt"].to_numpy()})
    total = {c: (out[c].sum() if c != label else "合计") for c in out.columns}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


IMPROPER_COUNTS = ["核减后发放（人）", "非扶持对象发放（人）"]
IMPROPER_AMOUNTS = {"核减后发放金额（元）": "核减后发放（人）", "非扶持对象金额（元）": "非扶持对象发放（人）"}


def problem_villages(recon: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Villages with at least one reconciliation problem (any result but paid in full): entitled
    persons, persons with a problem and the absolute amount involved; a total row over them."""
    names = area_names(areas)
    parent = dict(zip(areas["area_code"].astype(str), areas["parent_code"].astype("string")))
    st = recon["status"].astype(str)
    g = pd.DataFrame({"key": recon["village_code"].astype("string"), "ent": recon["entitled"],
                      "bad": st != "paid_in_full",
                      "amt": np.where(st != "paid_in_full", recon["discrepancy"].abs(), 0.0)}
                     ).groupby("key").sum()
    g = g[g["bad"] > 0]
    label = [f"{names.get(k, k)}（{names.get(str(parent.get(k)), '—')}）" for k in g.index]
    out = pd.DataFrame({"村（社区）": label, "应发人数": g["ent"].astype(int).to_numpy(),
                        "问题人数": g["bad"].astype(int).to_numpy(), "涉及金额（元）": g["amt"].to_numpy()})
    total = {"村（社区）": "合计（所列村）", "应发人数": int(out["应发人数"].sum()), "问题人数": int(out["问题人数"].sum()),
             "涉及金额（元）": float(out["涉及金额（元）"].sum())}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def timeliness_by_area(payments: pd.DataFrame, register: pd.DataFrame, areas: pd.DataFrame, year: int,
                       level: str = "township", deadline: str = im.PAYMENT_DEADLINE) -> pd.DataFrame:
    """Persons paid for the year by township (of the payment) or village (of the register), how
    many were first paid by the deadline, the rate and the median payment date; a total row."""
    names = area_names(areas)
    label = "乡镇街道" if level == "township" else "村（社区）"
    p = payments[payments["year"] == year]
    pc = im._person(p)
    first = p.groupby(pc, observed=True).agg(date=("paid_date", "min"), town=("township_code", "first"))
    if level == "township":
        first["key"] = first["town"].astype("string")
    else:
        village = register.drop_duplicates(pc).set_index(pc)["village_code"].astype("string")
        first["key"] = village.reindex(first.index).fillna("—").to_numpy()
    first["on_time"] = first["date"] <= pd.Timestamp(f"{year}-{deadline}")
    g = first.groupby("key").agg(n=("on_time", "size"), on=("on_time", "sum"), median=("date", "median"))
    out = pd.DataFrame({label: [names.get(k, k) for k in g.index], "获发人数": g["n"].astype(int).to_numpy(),
                        "按时发放人数": g["on"].astype(int).to_numpy(),
                        "按时发放率（%）": (100.0 * g["on"] / g["n"]).to_numpy(),
                        "发放日期（中位）": [_date(d) for d in g["median"]]})
    n, on = int(out["获发人数"].sum()), int(out["按时发放人数"].sum())
    total = {label: "合计", "获发人数": n, "按时发放人数": on, "按时发放率（%）": 100.0 * on / n if n else float("nan"),
             "发放日期（中位）": _date(first["date"].median()) if len(first) else "—"}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def late_townships(timeliness: pd.DataFrame) -> list[str]:
    """Areas (total row excluded) where fewer than half were paid by the deadline."""
    label = timeliness.columns[0]
    t = timeliness[timeliness[label] != "合计"]
    return t.loc[t["按时发放率（%）"] < 50, label].tolist()


# --- register dynamics ---------------------------------------------------------------------------

def removals_by_reason(register: pd.DataFrame, period: Period,
                       max_lag_days: int = im.REMOVAL_MAX_LAG_DAYS) -> pd.DataFrame:
    """Removals in the period by reason: persons, those with a dated event, mean and median days
    from the event to the register update, removed within `max_lag_days`, the timeliness rate."""
    r = im.removals_table(register, period)
    rows = []
    for reason in [*REASON_ZH, None]:
        part = r if reason is None else r[r["removal_reason"].astype("string") == reason]
        lag = part["lag_days"].dropna()
        rows.append({"核减原因": "合计" if reason is None else REASON_ZH[reason], "核减人数": len(part),
                     "有事件日期": len(lag), "平均滞后（天）": lag.mean() if len(lag) else float("nan"),
                     "中位滞后（天）": lag.median() if len(lag) else float("nan"),
                     f"{max_lag_days}天内核减": int((lag <= max_lag_days).sum()),
                     "及时率（%）": 100.0 * (lag <= max_lag_days).sum() / len(lag) if len(lag) else float("nan")})
    return pd.DataFrame(rows)


def removal_lag_bands(register: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Removals with a dated event in the period by lag band (days from event to update)."""
    lag = im.removals_table(register, period)["lag_days"].dropna()
    bands = [(-10**6, 30, "30天以内"), (31, 90, "31-90天"), (91, 180, "91-180天"), (181, 10**6, "180天以上")]
    rows = [{"滞后时间": lab, "核减人数": int(((lag >= lo) & (lag <= hi)).sum())} for lo, hi, lab in bands]
    rows.append({"滞后时间": "合计", "核减人数": int(len(lag))})
    return pd.DataFrame(rows)


# --- projects ------------------------------------------------------------------------------------

def project_status(projects: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period year's projects as of the period end (dates after it are not yet known):
    schedule, money, status, acceptance and slippage in days (positive = late; for unfinished
    projects past their planned finish, the days overdue at the period end)."""
    names = area_names(areas)
    p = im.projects_of_year(projects, period).sort_values(["planned_start", "project_id"], kind="stable")
    end = period.end_ts
    started = im._flag(p["actual_start"] <= end)
    done = p["status"] == "completed"
    overdue = ~done & (p["planned_finish"] < end)
    slip = np.where(done, p["finish_slip_days"], np.where(overdue, (end - p["planned_finish"]).dt.days, np.nan))
    late_start = ~started & (p["planned_start"] < end)
    status = np.select([done & (p["finish_slip_days"] <= 0), done, started & overdue, started, late_start],
                       ["按期完工", "延期完工", "在建（已逾期）", "在建", "逾期未开工"], default="未开工")
    return pd.DataFrame({
        "项目名称": p["project_name"].astype(str).to_numpy(),
        "类型": p["project_type"].astype(str).map(TYPE_ZH).to_numpy(),
        "乡镇街道": [names.get(str(k), str(k)) for k in p["township_code"]],
        "资金（万元）": (p["budget"] / 1e4).to_numpy(), "已支出": (p["spent"] / 1e4).to_numpy(),
        "计划工期": [f"{_date(a)} 至 {_date(b)}" for a, b in zip(p["planned_start"], p["planned_finish"])],
        "实际工期": [("—" if not s_ else f"{_date(a)} 至 {_date(b) if f else '（在建）'}")
                 for a, b, s_, f in zip(p["actual_start"], p["actual_finish"], started, done)],
        "偏差（天）": slip, "状态": status,
        "验收": [ACCEPTANCE_ZH.get(str(a), "—") if f and pd.notna(a) else "—" for a, f in zip(p["acceptance"], done)],
    })


def schedule_frame(projects: pd.DataFrame, period: Period) -> pd.DataFrame:
    """What the schedule chart draws: planned and actual bars as known at the period end."""
    p = im.projects_of_year(projects, period).sort_values(["planned_start", "project_id"], kind="stable")
    end = period.end_ts
    started = im._flag(p["actual_start"] <= end)
    done = p["status"] == "completed"
    return pd.DataFrame({"name": p["project_name"].astype(str).to_numpy(),
                         "planned_start": p["planned_start"].to_numpy(),
                         "planned_finish": p["planned_finish"].to_numpy(),
                         "actual_start": p["actual_start"].where(started).to_numpy(),
                         "actual_finish": p["actual_finish"].where(done).to_numpy(),
                         "finish_slip_days": p["finish_slip_days"].to_numpy()})


def project_rates(projects: pd.DataFrame, period: Period, targets: dict[str, float] | None = None) -> pd.DataFrame:
    """Completion, on-time start and finish, budget execution and acceptance: numerator,
    denominator and rate (the registered indicators' definitions), with the targets."""
    p = im.projects_of_year(projects, period)
    end = period.end_ts
    due_s, due_f = p[p["planned_start"] <= end], p[p["planned_finish"] <= end]
    done = p[p["status"] == "completed"]
    judged = done[done["acceptance"].isin(["passed", "failed"])]
    targets = targets or {}
    rows = [("project_completion_rate", "期末已完工项目数", (p["status"] == "completed").sum(), "安排项目数", len(p)),
            ("on_time_start_rate", "按时开工项目数", (due_s["start_slip_days"] <= 0).sum(), "应开工项目数", len(due_s)),
            ("on_time_finish_rate", "按时完工项目数", (due_f["finish_slip_days"] <= 0).sum(), "应完工项目数", len(due_f)),
            ("budget_execution_rate", "已支出（万元）", p["spent"].sum() / 1e4, "安排资金（万元）", p["budget"].sum() / 1e4),
            ("acceptance_pass_rate", "验收合格项目数", (judged["acceptance"] == "passed").sum(), "已出验收结果项目数",
             len(judged))]
    reg = all_indicators()
    out = []
    for id_, nl, num, dl, den in rows:
        out.append({"指标": reg[id_].label_zh, "分子": f"{nl} {_num(float(num), 2 if '万元' in nl else 0)}",
                    "分母": f"{dl} {_num(float(den), 2 if '万元' in dl else 0)}",
                    "数值（%）": 100.0 * num / den if den else float("nan"), "目标（%）": targets.get(id_, float("nan"))})
    return pd.DataFrame(out)


# --- incomes, the income DiD, satisfaction, visits -------------------------------------------------

def income_by_year(survey: pd.DataFrame, benchmark: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per survey year up to the period's: households surveyed, migrant mean per-capita income,
    the rural benchmark and their ratio (goal >= 1.0)."""
    s = survey[survey["year"] <= period.year]
    g = s.groupby(s["year"].astype(int)).agg(n=("household_id", "nunique"), income=("income_per_capita", "mean"))
    b = benchmark.assign(year=benchmark["year"].astype(int)).set_index("year")["income_per_capita"]
    out = pd.DataFrame({"年度": [f"{y}年" for y in g.index], "调查户数": g["n"].astype(int).to_numpy(),
                        "移民人均可支配收入（元）": g["income"].to_numpy(),
                        "农村居民人均可支配收入（元）": b.reindex(g.index).to_numpy(dtype=float)})
    out["收入比（倍）"] = out["移民人均可支配收入（元）"] / out["农村居民人均可支配收入（元）"]
    out["达到1.0"] = np.where(out["收入比（倍）"].isna(), "—", np.where(out["收入比（倍）"] >= 1.0, "是", "否"))
    return out


def income_chart_frame(income: pd.DataFrame) -> pd.DataFrame:
    """Long form of the income table for a line chart (year, series, value)."""
    return income.melt(id_vars="年度", value_vars=["移民人均可支配收入（元）", "农村居民人均可支配收入（元）"],
                       var_name="系列", value_name="元").assign(
        系列=lambda d: d["系列"].str.replace("（元）", "", regex=False))


def income_panel(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """Household-year panel as known at the period end: survey years up to the period's, treatment
    from projects completed by the period end (first_treated = first completion year + 1)."""
    projects = data["migrant_projects"]
    survey = data["migrant_survey"]
    done = projects[im._flag(projects["actual_finish"] <= period.end_ts)]
    p = im.income_panel(survey[survey["year"] <= period.year], done)
    p["village_code"] = p["village_code"].astype(str)
    return p


@dataclass(frozen=True)
class IncomeEffect:
    """The income DiD: Sun-Abraham event study (the estimate) and naive TWFE (for comparison),
    errors clustered by village; `sample` says whose data it used."""

    event: stats.EventStudyResult
    twfe: stats.Result
    sample: str
    households: int
    villages: int
    treated_villages: int
    did: stats.Result | None = None
    did_cohort: int | None = None


def income_effect(data: dict[str, pd.DataFrame], period: Period, sample: str = "本范围") -> IncomeEffect:
    """Effect of a village's first completed project on log per-capita income (village clusters).
    Raises civmon.stats.EstimationError when the design cannot be estimated (e.g. too few villages)."""
    p = income_panel(data, period)
    if p.empty:
        raise stats.EstimationError("no survey data")
    es = stats.event_study(p, "log_income", "household_id", "year", "first_treated", cluster="village_code")
    p = p.assign(treated_now=(p["year"] >= p["first_treated"]).astype(int))
    tw = stats.twfe(p, "log_income", "treated_now", "household_id", "year", cluster="village_code")
    treated = p.loc[p["first_treated"] <= p["year"].max(), "village_code"].nunique()
    did, cohort = did_first_cohort(p)
    return IncomeEffect(es, tw, sample, int(p["household_id"].nunique()), int(p["village_code"].nunique()),
                        int(treated), did, cohort)


def did_first_cohort(panel: pd.DataFrame) -> tuple[stats.Result | None, int | None]:
    """The classic 2x2 cross-check: villages of the earliest treated cohort against villages
    untreated throughout the panel, before against from the cohort's first treated year on
    (village clusters); (None, None) when there is no such design."""
    last = panel["year"].max()
    ft = panel["first_treated"]
    cohorts = sorted(ft[(ft > panel["year"].min()) & (ft <= last)].unique())
    if not cohorts:
        return None, None
    c = cohorts[0]
    d = panel[(ft == c) | ft.isna() | (ft > last)]
    d = d.assign(treated=(d["first_treated"] == c).astype(int), post=(d["year"] >= c).astype(int))
    try:
        return stats.did(d, "log_income", "treated", "post", cluster="village_code"), int(c)
    except stats.EstimationError:
        return None, None


NOT_ESTIMABLE = ("截至期末的数据不足以估计后扶项目对收入的影响：需要有完工后调查数据的项目村、未完成项目的对照村，"
                 "且调查村不少于10个（按村聚类）。技术信息")


def income_effect_for_report(ctx) -> IncomeEffect | str:
    """The scope's estimate; a township with too few villages falls back on the district sample.
    A string (the reason) when nothing can be estimated."""
    if not has_migrants(ctx.data):
        return NO_MIGRANTS
    try:
        return income_effect(ctx.data, ctx.period, "全区" if ctx.is_district else ctx.scope_label)
    except stats.EstimationError as e:
        if ctx.is_district:
            return NOT_ESTIMABLE + f"（{e}）"
    try:
        return income_effect(ctx.data_all, ctx.period, "全区")
    except stats.EstimationError as e:
        return NOT_ESTIMABLE + f"（{e}）"


def income_effect_frame(eff: IncomeEffect) -> pd.DataFrame:
    """The estimates as a report table: log points, 95% CI, p-value, N, village clusters and the
    implied percentage income difference exp(b) - 1."""
    rows = []
    models = [("事件研究（Sun-Abraham）", eff.event.att), ("双向固定效应（仅作对照）", eff.twfe)]
    if eff.did is not None:
        models.append((f"2×2双重差分（{eff.did_cohort - 1}年完工村对未完工村）", eff.did))
    for label, r in models:
        rows.append({"估计方法": label, "估计值": r.estimate, "标准误": r.se,
                     "95%置信区间": f"{r.ci_low:.4f} 至 {r.ci_high:.4f}",
                     "p值": "<0.001" if r.pvalue < 0.001 else f"{r.pvalue:.3f}",
                     "户·年": int(r.n), "村数": int(r.n_clusters or 0),
                     "收入差异（%）": 100 * (math.exp(r.estimate) - 1)})
    return pd.DataFrame(rows)


def event_time_frame(eff: IncomeEffect) -> pd.DataFrame:
    """Event-time effects for the chart (event time 0 = first year after completion)."""
    return eff.event.by_event_time[["event_time", "estimate", "ci_low", "ci_high"]].copy()


def satisfaction_by_year(survey: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Satisfied households per survey year up to the period's, with Wilson 95% intervals."""
    s = survey[survey["year"] <= period.year]
    rows = []
    for y, g in s.groupby(s["year"].astype(int)):
        k, n = int(im._flag(g["satisfied"]).sum()), len(g)
        r = stats.proportion_ci(k, n)
        rows.append({"年度": f"{int(y)}年", "调查户数": n, "满意户数": k, "不满意户数": n - k, "满意度（%）": 100 * r.estimate,
                     "95%下限（%）": 100 * r.ci_low, "95%上限（%）": 100 * r.ci_high})
    return pd.DataFrame(rows, columns=["年度", "调查户数", "满意户数", "不满意户数", "满意度（%）", "95%下限（%）",
                                       "95%上限（%）"])


def visits_by_area(register: pd.DataFrame, visits: pd.DataFrame, areas: pd.DataFrame, period: Period,
                   level: str = "township") -> pd.DataFrame:
    """Households on the register at the period end and those visited from 1 January to the period
    end, by township or village (a household's area is its register area); a total row."""
    names = area_names(areas)
    on = register[im.on_register(register, period.end_ts)].drop_duplicates("household_id")
    col = "township_code" if level == "township" else "village_code"
    d = visits["date"]
    ytd = visits[im._flag((d >= pd.Timestamp(year=period.year, month=1, day=1)) & (d <= period.end_ts))]
    on = on.assign(visited=on["household_id"].isin(set(ytd["household_id"])), key=on[col].astype("string"))
    g = on.groupby("key").agg(n=("visited", "size"), v=("visited", "sum"))
    label = "乡镇街道" if level == "township" else "村（社区）"
    out = pd.DataFrame({label: [names.get(k, k) for k in g.index], "在册户数": g["n"].astype(int).to_numpy(),
                        "已走访户数": g["v"].astype(int).to_numpy()})
    out["覆盖率（%）"] = 100.0 * out["已走访户数"] / out["在册户数"]
    total = {label: "合计", "在册户数": int(out["在册户数"].sum()), "已走访户数": int(out["已走访户数"].sum())}
    total["覆盖率（%）"] = 100.0 * total["已走访户数"] / total["在册户数"] if total["在册户数"] else float("nan")
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


# --- performance evaluation ----------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One line of the performance sheet: category (一级), sub-category (二级), indicator, points,
    default annual target and its basis; `prorate`: a year-to-date figure whose annual target is
    scaled by the share of the year elapsed at the period end (序时进度)."""

    category: str
    subcategory: str
    indicator: str
    weight: float
    target: float
    basis: str
    prorate: bool = False


# Outputs 50, benefits 30, satisfaction 10, budget execution 10 (财预〔2020〕10号 convention).
PERFORMANCE_ITEMS: tuple[Item, ...] = (
    Item("产出指标", "数量指标", "subsidy_paid_in_full_rate", 10, 100.0, "政策要求"),
    Item("产出指标", "数量指标", "project_completion_rate", 10, 100.0, "年度计划", prorate=True),
    Item("产出指标", "质量指标", "subsidy_payment_accuracy", 10, 100.0, "政策要求"),
    Item("产出指标", "质量指标", "acceptance_pass_rate", 5, 100.0, "监测评估要求"),
    Item("产出指标", "质量指标", "removal_timeliness_rate", 5, 95.0, "估计值"),
    Item("产出指标", "时效指标", "subsidy_payment_timeliness", 5, 95.0, "估计值"),
    Item("产出指标", "时效指标", "on_time_finish_rate", 5, 90.0, "监测评估要求"),
    Item("效益指标", "经济效益", "migrant_income_ratio", 20, 1.0, "政策目标"),
    Item("效益指标", "社会效益", "visit_coverage_ytd", 10, 90.0, "估计值", prorate=True),
    Item("满意度指标", "服务对象满意度", "migrant_satisfaction_rate", 10, 95.0, "监测评估要求"),
    Item("预算执行率", "项目资金执行率", "budget_execution_rate", 10, 90.0, "监测评估要求"),
)
BANDS = ((0.8, "100%-80%", "达成"), (0.6, "80%-60%", "部分达成"), (0.0, "60%-0%", "未达成"))
GRADES = ((90.0, "优"), (80.0, "良"), (60.0, "中"), (0.0, "差"))


def score_item(value: float | None, target: float, weight: float, higher_is_better: bool = True):
    """(achievement, score, band) of one indicator: achievement = value / target (target / value
    when lower is better), capped at 1; score = weight x achievement, so the score lies in the band
    100-80, 80-60 or 60-0 percent of the points that matches the achievement. No value: all None."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or target is None:
        return None, None, None
    if higher_is_better:
        r = value / target if target else 1.0
    else:
        r = target / value if value else 1.0
    r = max(0.0, min(1.0, float(r)))
    band = next(b for b in BANDS if r >= b[0])
    return r, weight * r, band


def year_share(period: Period) -> float:
    """Share of the calendar year elapsed at the period end (序时进度): months / 12."""
    return period.end.month / 12.0


def performance_sheet(values: dict[str, float | None], targets: dict[str, float], period: Period,
                      items: tuple[Item, ...] = PERFORMANCE_ITEMS) -> pd.DataFrame:
    """The scored sheet: one row per item with points, the target (params first, else the default;
    pro-rated where marked), the value, achievement, score and band."""
    reg = all_indicators()
    rows = []
    for it in items:
        ind = reg[it.indicator]
        annual = float(targets.get(it.indicator, it.target))
        target = annual * year_share(period) if it.prorate else annual
        source = "运行参数" if it.indicator in targets else it.basis
        if it.prorate and year_share(period) < 1:
            source += f"，按序时进度折算（年度{_num(annual, 0)}）"
        v = values.get(it.indicator)
        r, score, band = score_item(v, target, it.weight, ind.higher_is_better is not False)
        rows.append({"一级指标": it.category, "二级指标": it.subcategory, "三级指标": ind.label_zh, "单位": ind.unit,
                     "分值": it.weight, "目标值": target, "完成值": v, "完成率（%）": None if r is None else 100 * r,
                     "得分": score, "档次": "无数据" if band is None else f"{band[2]}（{band[1]}）",
                     "目标依据": source, "id": it.indicator})
    return pd.DataFrame(rows)


def performance_total(sheet: pd.DataFrame) -> tuple[float, str, float]:
    """(total score out of 100, grade, points scored): the items without data are left out and the
    rest rescaled to 100; grade 优 >= 90, 良 >= 80, 中 >= 60, else 差."""
    have = sheet["得分"].notna()
    weight = sheet.loc[have, "分值"].sum()
    if not weight:
        return float("nan"), "—", float("nan")
    points = float(sheet.loc[have, "得分"].sum())
    total = 100.0 * points / weight
    grade = next(g for lo, g in GRADES if total >= lo - 1e-9)
    return total, grade, points


def performance(ctx) -> tuple[pd.DataFrame, float, str]:
    """The sheet for the report's scope and period: indicator values from the registry."""
    reg = all_indicators()
    values = {}
    for it in PERFORMANCE_ITEMS:
        try:
            v = reg[it.indicator].compute(ctx.data, ctx.period)
        except (KeyError, ValueError, ZeroDivisionError):
            v = float("nan")
        values[it.indicator] = None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
    sheet = performance_sheet(values, dict(ctx.params.targets), ctx.period)
    total, grade, _ = performance_total(sheet)
    return sheet, total, grade


def performance_table(sheet: pd.DataFrame, total: float, grade: str, caption: str) -> Table | Text:
    """The sheet as a report table (a category named once, at its first row) with a total row;
    a note when no item has data (a township without migrants)."""
    if sheet["得分"].isna().all():
        return Text([NO_MIGRANTS])
    show = sheet.drop(columns=["id"]).copy()
    show["三级指标"] = show["三级指标"] + "（" + show["单位"] + "）"
    show = show.drop(columns=["单位"])
    for col in ("一级指标", "二级指标"):
        show[col] = show[col].where(show[col] != show[col].shift(), "")
    tot = {c: "" for c in show.columns}
    tot.update({"一级指标": "合计", "分值": float(sheet["分值"].sum()), "得分": total, "档次": f"等级：{grade}"})
    show = pd.concat([show, pd.DataFrame([tot])], ignore_index=True)
    notes = ["完成率 = 完成值 / 目标值（越低越好的指标为目标值 / 完成值），最高100%；得分 = 分值 × 完成率。"
             "档次：达成、部分达成、未达成分别对应得分为分值的100%-80%、80%-60%、60%-0%。",
             "合计得分：无数据的指标不计分，其余按100分折算；90分及以上为优，80-90分为良，60-80分为中，60分以下为差。",
             "目标值取运行参数 targets 中的设定，未设定时取默认值：政策要求、监测评估要求为有依据的值，“估计值”为本报告"
             "的假设；年度累计类指标按序时进度（期末已过月份 / 12）折算。"]
    return table(show, caption=caption, notes=notes,
                 decimals={"目标值": 2, "完成值": 2, "完成率（%）": 1, "得分": 2, "分值": 0}, total_row=True)


# --- findings ------------------------------------------------------------------------------------

def _counter(ctx):
    """Person counts for sentences: below the district level a count from 1 to threshold - 1 is
    written as "少于N" (the tables suppress the same cells)."""
    k = ctx.params.disclosure_threshold

    def count(n) -> str:
        n = int(n)
        return f"少于{k}" if not ctx.is_district and 0 < n < k else f"{n:,}"

    def small(n) -> bool:
        return not ctx.is_district and 0 < int(n) < k
    return count, small


def findings(ctx, hl: pd.DataFrame, status: pd.DataFrame | None = None, removals: pd.DataFrame | None = None,
             income: pd.DataFrame | None = None, effect=None, sheet: pd.DataFrame | None = None,
             total: float = float("nan"), grade: str = "—", satisfaction: pd.DataFrame | None = None,
             late: list[str] | None = None) -> list[str]:
    """The report's main findings in the summary's style, from the computed frames only."""
    p = ctx.period
    count, small = _counter(ctx)
    scope = "全区" if ctx.is_district else ctx.scope_label
    v = {k: (None if pd.isna(x) else float(x)) for k, x in zip(hl["id"], hl["value"])}
    if not has_migrants(ctx.data):
        return [f"{p.label_zh}，{scope}无水库移民后期扶持人口，本报告各项指标不适用。"]
    out = [f"{p.label_zh}，{scope}在册扶持移民{_num(v.get('registered_migrants'))}人"
           f"（{_num(v.get('migrant_households'))}户）；发放{p.year}年度移民直补资金"
           f"{_num(v.get('direct_subsidy_funds'), 2)}万元，惠及移民{_num(v.get('direct_subsidy_persons'))}人；"
           f"安排后扶项目{_num(v.get('projects_planned'))}个、资金{_num(v.get('project_funds'), 2)}万元，"
           f"期末已完工{_num(v.get('projects_completed'))}个。"]
    if status is not None:
        s = status.set_index("核对结果")
        entitled_rows = [im.STATUS_ZH[k] for k in ("paid_in_full", "eligible_unpaid", "duplicate", "wrong_amount")]
        ent = s.loc[entitled_rows, "人数"].sum()
        full = s.loc[im.STATUS_ZH["paid_in_full"], "人数"]

        def part(key):
            n, diff = s.loc[im.STATUS_ZH[key], "人数"], s.loc[im.STATUS_ZH[key], "差额（元）"]
            if not n:
                return f"无{im.STATUS_ZH[key]}"
            amount = "" if small(n) else f"、{'少发' if diff < 0 else '多发'}{abs(diff):,.0f}元"
            return f"{im.STATUS_ZH[key]}{count(n)}人{amount}"
        rate = "" if small(ent - full) else f"（{_num(100 * full / ent if ent else float('nan'), 1)}%）"
        out.append(f"直补资金核对：{p.year}年度应发{ent:,}人，足额发放{full:,}人{rate}；"
                   + "；".join(part(k) for k in ("eligible_unpaid", "duplicate", "paid_after_removal", "wrong_amount"))
                   + "。上述问题应逐户核实，追回多发资金、补发应发未发资金。")
    if late:
        out.append(f"{'、'.join(late)}晚于{int(im.PAYMENT_DEADLINE[:2])}月{int(im.PAYMENT_DEADLINE[3:])}日集中发放，"
                   "影响按时发放率。")
    if removals is not None and len(removals):
        tot = removals.set_index("核减原因").loc["合计"]
        pend = im.removals_pending(ctx.data["migrant_register"], p)
        lagcol = [c for c in removals.columns if c.endswith("天内核减")][0]
        n = int(tot["核减人数"])
        detail = ("" if small(tot["有事件日期"]) or not tot["有事件日期"] else
                  f"，死亡、迁出至核减平均滞后{_num(tot['平均滞后（天）'], 0)}天，{lagcol[:-2]}完成核减的占"
                  f"{_num(tot['及时率（%）'], 1)}%")
        out.append(f"人口动态管理：期内核减{count(n)}人{detail}；截至期末"
                   + (f"仍有{count(pend)}人已死亡或迁出但未核减。" if pend else "无已死亡或迁出但未核减的人员。"))
    if v.get("projects_planned"):
        reg = all_indicators()
        vals = {i: reg[i].compute(ctx.data, p) for i in ("project_completion_rate", "on_time_start_rate",
                                                          "on_time_finish_rate", "budget_execution_rate",
                                                          "acceptance_pass_rate")}
        out.append(f"后扶项目：完工率{_num(vals['project_completion_rate'], 1)}%，按时开工率"
                   f"{_num(vals['on_time_start_rate'], 1)}%，按时完工率{_num(vals['on_time_finish_rate'], 1)}%，"
                   f"资金执行率{_num(vals['budget_execution_rate'], 1)}%，验收合格率"
                   f"{_num(vals['acceptance_pass_rate'], 1)}%。" + _project_delays(ctx))
    if income is not None and len(income):
        last = income.iloc[-1]
        ratio = last["收入比（倍）"]
        verdict = "达到" if ratio >= 1.0 else "未达到"
        first = income.iloc[0]
        since = ("" if len(income) < 2 or pd.isna(first["收入比（倍）"]) else
                 f"（{first['年度']}为{_num(first['收入比（倍）'], 3)}倍）")
        out.append(f"{last['年度']}移民人均可支配收入{_num(last['移民人均可支配收入（元）'])}元，为当地农村居民"
                   f"（{_num(last['农村居民人均可支配收入（元）'])}元）的{_num(ratio, 3)}倍{since}，{verdict}不低于1.0的目标。")
    if isinstance(effect, IncomeEffect):
        a = effect.event.att
        sig = "显著" if a.pvalue is not None and a.pvalue < 0.05 else "不显著"
        pre = effect.event.pretrend
        pre_txt = "" if pre is None else (f"；项目完工前两类村收入走势无显著差异（平行趋势检验p = {pre.pvalue:.2f}）"
                                          if pre.pvalue >= 0.05 else
                                          f"；但项目完工前两类村收入走势已有差异（平行趋势检验p = {pre.pvalue:.3f}），"
                                          "估计结果应审慎解读")
        out.append(f"项目成效：完成后扶项目的村，移民人均收入在完工后比其他村平均高{a.estimate:.3f}个对数点"
                   f"（约{100 * (math.exp(a.estimate) - 1):.1f}%，95%置信区间{a.ci_low:.3f}至{a.ci_high:.3f}，"
                   f"统计上{sig}；{effect.sample}样本，标准误按村聚类）{pre_txt}。")
    if satisfaction is not None and len(satisfaction):
        s = satisfaction.iloc[-1]
        if not (small(s["满意户数"]) or small(s["不满意户数"])):
            target = _targets(ctx)["migrant_satisfaction_rate"]
            lo, hi = s["95%下限（%）"], s["95%上限（%）"]
            versus = ("达到" if s["满意度（%）"] >= target else
                      "略低于" if hi >= target else "显著低于")
            out.append(f"{s['年度']}移民群众满意度{s['满意度（%）']:.1f}%（95%置信区间{lo:.1f}%至{hi:.1f}%），"
                       f"{versus}{_num(target, 0)}%的目标" + ("，差距在抽样误差范围内。" if versus == "略低于" else "。"))
    if sheet is not None and not math.isnan(total):
        lost = (sheet["分值"] - sheet["得分"]).where(sheet["得分"].notna())
        worst = sheet.assign(lost=lost).dropna(subset=["lost"]).sort_values("lost", ascending=False)
        worst = worst[worst["lost"] >= 0.5].head(3)
        tail = ("，扣分主要在" + "、".join(f"{r['三级指标']}（扣{r['lost']:.1f}分）" for _, r in worst.iterrows())
                if len(worst) else "")
        out.append(f"绩效评价得分{total:.1f}分，等级为{grade}{tail}。")
    return out


# --- what the notebook shows (one object per cell; a note where the scope has no migrants) ---------

def _project_delays(ctx) -> str:
    """A clause on the projects behind schedule at the period end (empty when none are)."""
    st = project_status(ctx.data["migrant_projects"], ctx.data["areas"], ctx.period)["状态"]
    late_start, late_finish = int((st == "逾期未开工").sum()), int((st == "在建（已逾期）").sum())
    parts = [f"{n}个项目{what}" for n, what in ((late_start, "逾期未开工"), (late_finish, "逾期未完工")) if n]
    return f"截至期末，{'、'.join(parts)}，应督促加快实施。" if parts else ""


def _level(ctx) -> str:
    return "township" if ctx.is_district else "village"


def _none() -> Text:
    return Text([NO_MIGRANTS])


def headline_table(hl, caption: str) -> Table:
    """The headline table with the note on where its targets come from."""
    from civmon.report.headline import headline_table as _table

    t = _table(hl, caption)
    t.notes.append("直补惠及人数和发放金额的目标为应发人数和应发金额（1月1日在册应发人数 × 600元），运行参数另有设定的从其设定。"
                   "年度指标按期间所在年度统计，上期、去年同期为所在年度的对应值。")
    return t


def assumptions_table(ctx, caption: str) -> Table:
    """The stated assumptions and definitions of the evaluation."""
    return table(assumptions(ctx.period), caption=caption)


def status_table(ctx, recon: pd.DataFrame, caption: str):
    """Reconciliation results: persons and amounts by result (suppressed in a township)."""
    if not has_migrants(ctx.data):
        return _none()
    return person_table(ctx, status_frame(recon), caption=caption, count_columns=["人数"], label_column="核对结果",
                   total_row="合计", amount_columns={c: "人数" for c in ("应发金额（元）", "实发金额（元）", "差额（元）")},
                   notes=["差额 = 实发 − 应发，负数为少发，正数为多发。重复发放的差额为多发部分；死亡或迁出后仍发放"
                          "的应发为0，差额即实发金额。"], decimals={"应发金额（元）": 0, "实发金额（元）": 0, "差额（元）": 0})


def entitled_area_table(ctx, recon: pd.DataFrame, caption: str):
    """Entitled persons by township (district) or village (township report)."""
    if not has_migrants(ctx.data):
        return _none()
    f = entitled_by_area(recon, ctx.data["areas"], _level(ctx)).drop(columns="足额发放")
    return ctx.area_table(f, caption=caption, count_columns=ENTITLED_COUNTS,
                          amount_columns=ENTITLED_AMOUNTS, label_column=f.columns[0], total_row="合计",
                          notes=["应发人数中除所列问题外均为足额发放。金额差额为负数表示少发。"],
                          decimals={c: 0 for c in ENTITLED_AMOUNTS})


def improper_area_table(ctx, recon: pd.DataFrame, caption: str):
    """Payments to persons not entitled that year, by township or village."""
    if not has_migrants(ctx.data):
        return _none()
    f = improper_by_area(recon, ctx.data["areas"], _level(ctx))
    return ctx.area_table(f, caption=caption, count_columns=IMPROPER_COUNTS, amount_columns=IMPROPER_AMOUNTS,
                          label_column=f.columns[0], total_row="合计",
                          notes=["核减后发放：1月1日前已死亡、迁出或核减仍获当年度发放；非扶持对象发放：未核定扶持、"
                                 "当年1月1日后才登记或不在登记名册中的人员获发。"],
                          decimals={c: 0 for c in IMPROPER_AMOUNTS})


def problem_village_table(ctx, recon: pd.DataFrame, caption: str):
    """District report: the villages with reconciliation problems (a township report shows every
    village in the tables before)."""
    if not has_migrants(ctx.data):
        return _none()
    if not ctx.is_district:
        return Text(["本乡镇街道各村（社区）的核对情况见上两表。"])
    f = problem_villages(recon, ctx.data["areas"])
    if len(f) == 1:
        return Text(["核对未发现问题，各村（社区）均足额发放。"])
    return ctx.area_table(f, caption=caption, count_columns=["应发人数", "问题人数"],
                          amount_columns={"涉及金额（元）": "问题人数"}, label_column="村（社区）",
                          total_row="合计（所列村）", decimals={"涉及金额（元）": 0},
                          notes=["问题人数包括应发未发、重复发放、金额不符、死亡迁出核减后发放和非扶持对象发放；"
                                 "涉及金额为实发与应发之差的绝对值之和。括号内为所属乡镇街道。"])


def timeliness_table(ctx, caption: str):
    """Payment timeliness by township (district) or village (township report)."""
    if not has_migrants(ctx.data):
        return _none()
    d = ctx.data
    f = timeliness_by_area(d["migrant_payments"], d["migrant_register"], d["areas"], ctx.period.year, _level(ctx))
    return ctx.area_table(f, caption=caption, count_columns=["获发人数", "按时发放人数"],
                          rate_columns={"按时发放率（%）": "获发人数"}, label_column=f.columns[0], total_row="合计",
                          notes=[f"按时：首次发放日期不晚于{ctx.period.year}年{int(im.PAYMENT_DEADLINE[:2])}月"
                                 f"{int(im.PAYMENT_DEADLINE[3:])}日（假设的发放期限）。"],
                          decimals={"按时发放率（%）": 1})


def removals_reason_table(ctx, caption: str):
    """Removals in the period by reason with the register-update lag."""
    if not has_migrants(ctx.data):
        return _none()
    f = removals_by_reason(ctx.data["migrant_register"], ctx.period)
    lag = [c for c in f.columns if c.endswith("天内核减")][0]
    return person_table(ctx, f, caption=caption, count_columns=["核减人数"], label_column="核减原因", total_row="合计",
                   rate_columns={"平均滞后（天）": "核减人数", "中位滞后（天）": "核减人数", "及时率（%）": "核减人数",
                                 "有事件日期": "核减人数", lag: "核减人数"},
                   notes=["滞后 = 核减日期 − 死亡或迁出日期；“其他”原因核减无单独事件日期，不计滞后。",
                          f"及时率 = {lag[:-2]}完成核减的人数 / 有事件日期的核减人数 × 100。"],
                   decimals={"平均滞后（天）": 1, "中位滞后（天）": 1, "及时率（%）": 1})


def lag_bands_table(ctx, caption: str):
    """Removals with a dated event by lag band, and those still pending at the period end."""
    if not has_migrants(ctx.data):
        return _none()
    f = removal_lag_bands(ctx.data["migrant_register"], ctx.period)
    pend = im.removals_pending(ctx.data["migrant_register"], ctx.period)
    count, _ = _counter(ctx)
    return person_table(ctx, f, caption=caption, count_columns=["核减人数"], label_column="滞后时间", total_row="合计",
                   notes=[f"截至期末已死亡或迁出但尚未核减的人员：{count(pend)}人。"])


def project_status_table(ctx, caption: str):
    """The status table of the period year's projects (projects, not persons: listed in full)."""
    f = project_status(ctx.data["migrant_projects"], ctx.data["areas"], ctx.period)
    if f.empty:
        return Text([f"{ctx.period.year}年度本范围未安排后扶项目。"])
    return table(f, caption=caption, decimals={"资金（万元）": 2, "已支出": 2, "偏差（天）": 0},
                 notes=["资金为安排资金，已支出为数据提取时的累计数，单位均为万元。",
                        "状态、实际工期和验收结果为期末状态；期末之后的日期不列示。",
                        "偏差：已完工项目为实际完工日期 − 计划完工日期（负数为提前）；逾期未完工项目为截至期末已逾期的天数。"])


def project_rates_table(ctx, caption: str):
    """Completion, on-time start and finish, budget execution and acceptance with their parts."""
    f = project_rates(ctx.data["migrant_projects"], ctx.period, _targets(ctx))
    if not len(im.projects_of_year(ctx.data["migrant_projects"], ctx.period)):
        return Text([f"{ctx.period.year}年度本范围未安排后扶项目。"])
    return table(f, caption=caption, decimals={"数值（%）": 1, "目标（%）": 1},
                 notes=["应开工（完工）项目：计划开工（完工）日期不晚于期末的项目。目标为年度目标（见绩效评价）。"])


def schedule_chart(ctx, caption: str):
    """Planned against actual schedule of the period year's projects, slippage marked."""
    from civmon import plots

    f = schedule_frame(ctx.data["migrant_projects"], ctx.period)
    if f.empty:
        return Text([f"{ctx.period.year}年度本范围未安排后扶项目。"])
    return plots.schedule_chart(f, caption=caption, source=ctx.source, as_of=ctx.period.end_ts)


def income_table(ctx, caption: str):
    """Migrant income against the rural benchmark by survey year."""
    f = income_by_year(ctx.data["migrant_survey"], ctx.data["rural_income_benchmark"], ctx.period)
    if f.empty:
        return _none()
    return person_table(ctx, f, caption=caption, count_columns=["调查户数"], label_column="年度",
                   rate_columns={c: "调查户数" for c in ("移民人均可支配收入（元）", "收入比（倍）")},
                   decimals={"移民人均可支配收入（元）": 0, "农村居民人均可支配收入（元）": 0, "收入比（倍）": 3},
                   notes=["移民收入为移民户跟踪调查的户人均可支配收入平均值；农村居民收入为当地统计公布数（示例数据中"
                          "2021年为公布数，其余年份为估计值）。目标：收入比不低于1.0。"])


def income_chart(ctx, caption: str):
    """Migrant and rural per-capita income by year."""
    from civmon import plots

    f = income_by_year(ctx.data["migrant_survey"], ctx.data["rural_income_benchmark"], ctx.period)
    if f.empty:
        return _none()
    long = income_chart_frame(f).assign(年度=lambda d: d["年度"].str.replace("年", "", regex=False))
    return plots.line_chart(long, x="年度", y="元", group="系列", caption=caption, ylabel="元/人", xlabel="年度",
                            source=ctx.source)


def income_effect_table(effect, caption: str):
    """The DiD estimates, or the reason there are none."""
    if isinstance(effect, str):
        return Text([effect])
    pre = effect.event.pretrend
    notes = [f"样本：{effect.sample}移民户跟踪调查，{effect.households:,}户、{effect.villages}个村，其中期末前完成后扶项目的"
             f"{effect.treated_villages}个村为处理组；结果变量为人均可支配收入的对数；处理时点为村内首个项目完工的次年。",
             "事件研究为 Sun-Abraham 交互加权估计（以从未完成项目的村为对照，户和年份固定效应），为本报告采用的估计；"
             "双向固定效应在各村完工时间不同、效应随时间增长时可能有偏，仅作对照；2×2双重差分只比较最早完工的一批村与"
             "期内始终未完工的村，为稳健性检验。"
             "估计值为对数收入之差（对数点）；标准误按村聚类（村数为聚类数）；户·年为观测数；收入差异 = exp(估计值) − 1。"]
    if pre is not None:
        notes.append(f"平行趋势检验（完工前各期效应同时为零）：F = {pre.stat:.2f}，p = {pre.pvalue:.3f}。")
    return table(income_effect_frame(effect), caption=caption, notes=notes,
                 decimals={"估计值": 4, "标准误": 4, "收入差异（%）": 1})


def event_chart(ctx, effect, caption: str):
    """Event-time effects with 95% intervals."""
    from civmon import plots

    if isinstance(effect, str):
        return Text([effect])
    from matplotlib.ticker import MaxNLocator

    chart = plots.estimate_chart(event_time_frame(effect), "event_time", caption=caption, ylabel="对数收入差异（对数点）",
                                 xlabel="相对处理年份（0 = 项目完工次年，−1 为参照年）", source=ctx.source)
    chart.figure.axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    return chart


def satisfaction_table(ctx, caption: str):
    """Satisfaction by survey year with Wilson intervals (suppressed in a township)."""
    f = satisfaction_by_year(ctx.data["migrant_survey"], ctx.period)
    if f.empty:
        return _none()
    rates = {c: "不满意户数" for c in ("满意度（%）", "95%下限（%）", "95%上限（%）")}
    return person_table(ctx, f, caption=caption, count_columns=["满意户数", "不满意户数", "调查户数"], label_column="年度",
                   total_column="调查户数", rate_columns=rates,
                   decimals={"满意度（%）": 1, "95%下限（%）": 1, "95%上限（%）": 1},
                   notes=["95%置信区间为 Wilson 得分区间。目标：满意度不低于95%。"])


def visits_table(ctx, caption: str):
    """Follow-up visit coverage (year to date) by township or village."""
    if not has_migrants(ctx.data):
        return _none()
    d = ctx.data
    f = visits_by_area(d["migrant_register"], d["migrant_visits"], d["areas"], ctx.period, _level(ctx))
    return ctx.area_table(f, caption=caption, count_columns=["在册户数", "已走访户数"],
                          rate_columns={"覆盖率（%）": "在册户数"}, label_column=f.columns[0], total_row="合计",
                          decimals={"覆盖率（%）": 1},
                          notes=[f"覆盖率 = {ctx.period.year}年1月1日至期末被走访的在册户数 / 期末在册户数 × 100。"])


def _targets(ctx) -> dict[str, float]:
    """Annual targets of the performance items: params first, else the defaults."""
    return {it.indicator: float(ctx.params.targets.get(it.indicator, it.target)) for it in PERFORMANCE_ITEMS}


def performance_record(sheet: pd.DataFrame) -> pd.DataFrame:
    """The sheet's indicators as rows for ctx.record (not headline)."""
    reg = all_indicators()
    return pd.DataFrame({"id": sheet["id"], "value": sheet["完成值"].astype(float),
                         "label_zh": [reg[i].label_zh for i in sheet["id"]], "unit": sheet["单位"],
                         "target": sheet["目标值"].astype(float), "score": sheet["得分"].astype(float),
                         "headline": False})


def late_areas(ctx) -> list[str]:
    """Townships of the scope whose payments mostly came after the deadline."""
    if not has_migrants(ctx.data):
        return []
    d = ctx.data
    return late_townships(timeliness_by_area(d["migrant_payments"], d["migrant_register"], d["areas"],
                                             ctx.period.year, "township"))


RECONCILIATION_IDS = ["subsidy_entitled_persons", "subsidy_paid_in_full_rate", "subsidy_payment_accuracy",
                      "eligible_unpaid", "eligible_unpaid_amount", "duplicate_payments", "duplicate_payment_amount",
                      "paid_after_removal", "paid_after_removal_amount", "wrong_amount_payments",
                      "wrong_amount_discrepancy", "subsidy_payment_timeliness"]


def reconciliation_record(ctx) -> pd.DataFrame:
    """The reconciliation's registered indicators as rows for ctx.record (not headline)."""
    reg = all_indicators()
    rows = []
    for i in RECONCILIATION_IDS:
        try:
            v = float(reg[i].compute(ctx.data, ctx.period))
        except (KeyError, ValueError, ZeroDivisionError):
            v = float("nan")
        rows.append({"id": i, "value": v, "label_zh": reg[i].label_zh, "unit": reg[i].unit, "headline": False})
    return pd.DataFrame(rows)
