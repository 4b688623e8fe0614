"""Reservoir-migrant post-support indicators: direct-subsidy reconciliation, register dynamics,
post-support projects, incomes against the rural benchmark, satisfaction and follow-up visits.

Annual figures (subsidy year, project year, survey year) use `period.year`; dated events
(project completion, removals, visits) are taken up to the period end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.indicators.registry import indicator, pct, wan
from civmon.period import Period

SUBSIDY_PER_PERSON = 600.0  # yuan per person per year
PAYMENT_DEADLINE = "04-30"  # [E] month-day by which the annual payment is due
REMOVAL_MAX_LAG_DAYS = 90  # [E] a death or move should reach the register within this many days

STATUSES = ("paid_in_full", "eligible_unpaid", "duplicate", "wrong_amount", "paid_after_removal",
            "paid_not_entitled")


def person_column(df: pd.DataFrame) -> str:
    """The person column: the pseudonymised key, or the raw ID number before pseudonymisation."""
    return "person_key" if "person_key" in df.columns else "id_number"


def flag(s: pd.Series) -> pd.Series:
    """A plain bool Series; missing values count as False."""
    return s if s.dtype == bool else s.astype("boolean").fillna(False).astype(bool)


def entitled(register: pd.DataFrame, year: int) -> pd.Series:
    """Entitlement for a subsidy year, fixed on 1 January: eligible, registered by then, and no
    death, move (event_date) or register removal (removal_date) before then."""
    jan1 = pd.Timestamp(year=year, month=1, day=1)
    gone = flag(register["event_date"] < jan1) | flag(register["removal_date"] < jan1)
    return flag(register["eligible"]) & flag(register["registered_date"] <= jan1) & ~gone


def on_register(register: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Who the register lists as supported on a date: eligible, registered, not yet removed."""
    return (flag(register["eligible"]) & flag(register["registered_date"] <= when)
            & ~flag(register["removal_date"] <= when))


def reconcile_subsidy(register: pd.DataFrame, payments: pd.DataFrame, year: int,
                      amount: float = SUBSIDY_PER_PERSON) -> pd.DataFrame:
    """The register against the payments of one subsidy year: one row per person who was
    entitled or was paid, with the amount due, the amount paid and a status:

    paid_in_full (entitled, one payment of `amount`), eligible_unpaid (entitled, no payment),
    duplicate (entitled, two or more payments), wrong_amount (entitled, one payment of another
    amount), paid_after_removal (paid although dead, moved or removed before the year),
    paid_not_entitled (paid but not eligible, registered only later, or not on the register).
    `discrepancy` = paid - due (negative: paid too little).
    """
    pc = person_column(register)
    r = register.assign(entitled=entitled(register, year).to_numpy())
    jan1 = pd.Timestamp(year=year, month=1, day=1)
    r["removed_before_year"] = (flag(register["event_date"] < jan1) | flag(register["removal_date"] < jan1)).to_numpy()
    p = payments[payments["year"] == year]
    paid = p.groupby(pc, observed=True).agg(
        n_payments=("amount", "size"), paid=("amount", "sum"), first_paid_date=("paid_date", "min"),
        last_paid_date=("paid_date", "max"), pay_township=("township_code", "first"))
    cols = [pc, "household_id", "township_code", "village_code", "entitled", "removed_before_year",
            "event_date", "removal_date", "removal_reason"]
    t = r[cols].merge(paid.reset_index(), on=pc, how="outer")
    t["township_code"] = t["township_code"].astype("string").fillna(t["pay_township"].astype("string"))
    t["entitled"] = flag(t["entitled"])
    t["removed_before_year"] = flag(t["removed_before_year"])
    t["n_payments"] = t["n_payments"].fillna(0).astype(int)
    t["paid"] = t["paid"].fillna(0.0)
    t = t[t["entitled"] | (t["n_payments"] > 0)].drop(columns="pay_township")
    t["due"] = np.where(t["entitled"], amount, 0.0)
    t["discrepancy"] = t["paid"] - t["due"]
    n, ent = t["n_payments"].to_numpy(), t["entitled"].to_numpy()
    status = np.select(
        [ent & (n == 0), ent & (n >= 2), ent & (n == 1) & ~np.isclose(t["paid"], amount), ent,
         t["removed_before_year"].to_numpy()],
        ["eligible_unpaid", "duplicate", "wrong_amount", "paid_in_full", "paid_after_removal"],
        default="paid_not_entitled")
    t["status"] = pd.Categorical(status, categories=list(STATUSES))
    return t.sort_values(["township_code", "village_code", "household_id"], kind="stable").reset_index(drop=True)


def reconciliation_summary(recon: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Persons and amounts by status (and by `by`, e.g. township_code): count, due, paid and
    the absolute discrepancy. No person identifiers."""
    keys = ([by] if by else []) + ["status"]
    return (recon.assign(abs_discrepancy=recon["discrepancy"].abs())
            .groupby(keys, observed=False)
            .agg(persons=("status", "size"), due=("due", "sum"), paid=("paid", "sum"),
                 amount=("abs_discrepancy", "sum"))
            .reset_index())


def _status(register, payments, period, status) -> pd.DataFrame:
    t = reconcile_subsidy(register, payments, period.year)
    return t[t["status"] == status]


# --- the seed's figures -------------------------------------------------------------------------

@indicator("direct_subsidy_funds", "migrants", "移民直补资金发放", "Direct subsidy paid", "万元",
           "补助年度为期间所在年度的直补发放金额之和（元 / 10000，保留两位小数）", inputs=("migrant_payments",))
def direct_subsidy_funds(migrant_payments: pd.DataFrame, period: Period) -> float:
    return wan(migrant_payments.loc[migrant_payments["year"] == period.year, "amount"].sum())


@indicator("direct_subsidy_persons", "migrants", "直补惠及移民人数", "Persons paid the direct subsidy", "人",
           "补助年度为期间所在年度、获得直补发放的人数（按人去重）", inputs=("migrant_payments",))
def direct_subsidy_persons(migrant_payments: pd.DataFrame, period: Period) -> float:
    p = migrant_payments[migrant_payments["year"] == period.year]
    return float(p[person_column(p)].nunique())


@indicator("projects_planned", "migrants", "后扶项目安排数", "Post-support projects arranged", "个",
           "项目年度为期间所在年度的后期扶持项目数", inputs=("migrant_projects",))
def projects_planned(migrant_projects: pd.DataFrame, period: Period) -> float:
    return float((migrant_projects["year"] == period.year).sum())


@indicator("projects_completed", "migrants", "后扶项目已完成数", "Post-support projects completed", "个",
           "项目年度为期间所在年度、实际完工日期不晚于期末的项目数", inputs=("migrant_projects",))
def projects_completed(migrant_projects: pd.DataFrame, period: Period) -> float:
    p = migrant_projects[migrant_projects["year"] == period.year]
    return float(flag(p["actual_finish"] <= period.end_ts).sum())


@indicator("project_funds", "migrants", "移民扶持资金安排", "Post-support project funds arranged", "万元",
           "项目年度为期间所在年度的项目安排资金之和（元 / 10000，保留两位小数）", inputs=("migrant_projects",))
def project_funds(migrant_projects: pd.DataFrame, period: Period) -> float:
    return wan(migrant_projects.loc[migrant_projects["year"] == period.year, "budget"].sum())


# --- subsidy reconciliation -----------------------------------------------------------------------

@indicator("registered_migrants", "migrants", "在册扶持人数", "Migrants on the register", "人",
           "期末登记为核定扶持且未核减的人数", inputs=("migrant_register",), higher_is_better=None)
def registered_migrants(migrant_register: pd.DataFrame, period: Period) -> float:
    return float(on_register(migrant_register, period.end_ts).sum())


@indicator("subsidy_entitled_persons", "migrants", "应发直补人数", "Persons entitled to the subsidy", "人",
           "期间所在年度1月1日在册核定扶持、此前未死亡迁出或核减的人数", inputs=("migrant_register",),
           higher_is_better=None)
def subsidy_entitled_persons(migrant_register: pd.DataFrame, period: Period) -> float:
    return float(entitled(migrant_register, period.year).sum())


@indicator("subsidy_paid_in_full_rate", "migrants", "直补资金足额发放率", "Subsidy paid in full", "%",
           "应发对象实发金额（每人不超过600元）之和 / (应发人数 × 600) × 100",
           inputs=("migrant_register", "migrant_payments"))
def subsidy_paid_in_full_rate(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame,
                              period: Period) -> float:
    t = reconcile_subsidy(migrant_register, migrant_payments, period.year)
    e = t[t["entitled"]]
    return pct(np.minimum(e["paid"], e["due"]).sum(), e["due"].sum())


@indicator("eligible_unpaid", "migrants", "应发未发人数", "Entitled but unpaid", "人",
           "期间所在年度应发直补但未获发放的人数", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def eligible_unpaid(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame, period: Period) -> float:
    return float(len(_status(migrant_register, migrant_payments, period, "eligible_unpaid")))


@indicator("eligible_unpaid_amount", "migrants", "应发未发金额", "Subsidy due but unpaid", "元",
           "应发未发人数 × 600", inputs=("migrant_register", "migrant_payments"), higher_is_better=False)
def eligible_unpaid_amount(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame, period: Period) -> float:
    return float(-_status(migrant_register, migrant_payments, period, "eligible_unpaid")["discrepancy"].sum())


@indicator("duplicate_payments", "migrants", "重复发放人数", "Persons paid more than once", "人",
           "期间所在年度获发两次及以上的应发对象人数", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def duplicate_payments(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame, period: Period) -> float:
    return float(len(_status(migrant_register, migrant_payments, period, "duplicate")))


@indicator("duplicate_payment_amount", "migrants", "重复发放金额", "Amount paid in excess by duplicates", "元",
           "重复发放对象实发金额 − 应发金额之和", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def duplicate_payment_amount(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame,
                             period: Period) -> float:
    return float(_status(migrant_register, migrant_payments, period, "duplicate")["discrepancy"].sum())


@indicator("paid_after_removal", "migrants", "死亡或迁出后仍发放人数", "Paid after death, move or removal", "人",
           "期间所在年度1月1日前已死亡、迁出或核减仍获发放的人数", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def paid_after_removal(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame, period: Period) -> float:
    return float(len(_status(migrant_register, migrant_payments, period, "paid_after_removal")))


@indicator("paid_after_removal_amount", "migrants", "死亡或迁出后仍发放金额", "Amount paid after removal", "元",
           "死亡、迁出或核减后仍发放的金额之和", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def paid_after_removal_amount(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame,
                              period: Period) -> float:
    return float(_status(migrant_register, migrant_payments, period, "paid_after_removal")["paid"].sum())


@indicator("wrong_amount_payments", "migrants", "发放金额不符人数", "Paid a wrong amount", "人",
           "期间所在年度应发对象获发一次但金额不等于600元的人数", inputs=("migrant_register", "migrant_payments"),
           higher_is_better=False)
def wrong_amount_payments(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame, period: Period) -> float:
    return float(len(_status(migrant_register, migrant_payments, period, "wrong_amount")))


@indicator("wrong_amount_discrepancy", "migrants", "发放金额差额", "Absolute difference of wrong amounts", "元",
           "金额不符对象 |实发 − 600| 之和", inputs=("migrant_register", "migrant_payments"), higher_is_better=False)
def wrong_amount_discrepancy(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame,
                             period: Period) -> float:
    return float(_status(migrant_register, migrant_payments, period, "wrong_amount")["discrepancy"].abs().sum())


@indicator("subsidy_payment_timeliness", "migrants", "直补资金按时发放率", "Subsidy paid on time", "%",
           "期间所在年度获发对象中首次发放日期不晚于当年4月30日的人数 / 获发人数 × 100",
           inputs=("migrant_payments",))
def subsidy_payment_timeliness(migrant_payments: pd.DataFrame, period: Period,
                               deadline: str = PAYMENT_DEADLINE) -> float:
    p = migrant_payments[migrant_payments["year"] == period.year]
    first = p.groupby(person_column(p), observed=True)["paid_date"].min()
    return pct((first <= pd.Timestamp(f"{period.year}-{deadline}")).sum(), len(first))


@indicator("subsidy_payment_accuracy", "migrants", "直补资金发放准确率", "Persons paid exactly right", "%",
           "期间所在年度获发对象中应发且一次足额发放（600元）的人数 / 获发人数 × 100（重复、金额不符、"
           "死亡迁出核减后发放、非扶持对象发放均计为不准确）", inputs=("migrant_register", "migrant_payments"))
def subsidy_payment_accuracy(migrant_register: pd.DataFrame, migrant_payments: pd.DataFrame,
                             period: Period) -> float:
    t = reconcile_subsidy(migrant_register, migrant_payments, period.year)
    paid = t[t["n_payments"] > 0]
    return pct((paid["status"] == "paid_in_full").sum(), len(paid))


# --- register dynamics ----------------------------------------------------------------------------

def removals_table(migrant_register: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Removals recorded in the period, with the lag in days from the event to the register
    update (NaN for removals without a separate event)."""
    r = migrant_register[period.contains(migrant_register["removal_date"])].copy()
    r["lag_days"] = (r["removal_date"] - r["event_date"]).dt.days
    return r


@indicator("removals", "migrants", "核减人数", "Removals from the register", "人",
           "核减日期在期内的人数（死亡、迁出、其他）", inputs=("migrant_register",), higher_is_better=None)
def removals(migrant_register: pd.DataFrame, period: Period) -> float:
    return float(len(removals_table(migrant_register, period)))


@indicator("removal_timeliness_rate", "migrants", "动态核减及时率", "Removals made on time", "%",
           "期内核减的死亡、迁出人员中，核减日期距事件日期不超过90天的人数 / 该类核减人数 × 100",
           inputs=("migrant_register",))
def removal_timeliness_rate(migrant_register: pd.DataFrame, period: Period,
                            max_lag_days: int = REMOVAL_MAX_LAG_DAYS) -> float:
    lag = removals_table(migrant_register, period)["lag_days"].dropna()
    return pct((lag <= max_lag_days).sum(), len(lag))


@indicator("removal_lag_days", "migrants", "核减平均滞后天数", "Mean days from event to removal", "天",
           "期内核减的死亡、迁出人员的（核减日期 − 事件日期）平均天数", inputs=("migrant_register",),
           higher_is_better=False)
def removal_lag_days(migrant_register: pd.DataFrame, period: Period) -> float:
    lag = removals_table(migrant_register, period)["lag_days"].dropna()
    return float(lag.mean()) if len(lag) else float("nan")


@indicator("removals_pending", "migrants", "应核减未核减人数", "Deaths and moves not yet removed", "人",
           "期末前已死亡或迁出、截至期末尚未核减的人数", inputs=("migrant_register",), higher_is_better=False)
def removals_pending(migrant_register: pd.DataFrame, period: Period) -> float:
    end = period.end_ts
    r = migrant_register
    return float((flag(r["event_date"] <= end) & ~flag(r["removal_date"] <= end)).sum())


# --- projects -----------------------------------------------------------------------------------

def projects_of_year(migrant_projects: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period year's projects with their status at the period end and schedule slippage in
    days (positive = later than planned)."""
    p = migrant_projects[migrant_projects["year"] == period.year].copy()
    end = period.end_ts
    started = flag(p["actual_start"] <= end)
    done = flag(p["actual_finish"] <= end)
    p["status"] = np.where(done, "completed", np.where(started, "in_progress", "not_started"))
    p["start_slip_days"] = (p["actual_start"].where(started) - p["planned_start"]).dt.days
    p["finish_slip_days"] = (p["actual_finish"].where(done) - p["planned_finish"]).dt.days
    return p


def project_rate_parts(migrant_projects: pd.DataFrame, period: Period) -> dict[str, tuple[float, float]]:
    """Numerator and denominator of each project rate of the period year, as defined by the
    registered indicators below (the report's table shows them beside the rates)."""
    p = projects_of_year(migrant_projects, period)
    end = period.end_ts
    due_start, due_finish = p[p["planned_start"] <= end], p[p["planned_finish"] <= end]
    judged = p[(p["status"] == "completed") & p["acceptance"].isin(["passed", "failed"])]
    return {
        "project_completion_rate": ((p["status"] == "completed").sum(), len(p)),
        "on_time_start_rate": ((due_start["start_slip_days"] <= 0).sum(), len(due_start)),
        "on_time_finish_rate": ((due_finish["finish_slip_days"] <= 0).sum(), len(due_finish)),
        "budget_execution_rate": (p["spent"].sum(), p["budget"].sum()),
        "acceptance_pass_rate": ((judged["acceptance"] == "passed").sum(), len(judged)),
    }


@indicator("project_completion_rate", "migrants", "后扶项目完工率", "Projects completed", "%",
           "期间所在年度项目中期末已完工数 / 安排数 × 100", inputs=("migrant_projects",))
def project_completion_rate(migrant_projects: pd.DataFrame, period: Period) -> float:
    return pct(*project_rate_parts(migrant_projects, period)["project_completion_rate"])


@indicator("on_time_start_rate", "migrants", "项目按时开工率", "Projects started on time", "%",
           "期间所在年度、计划开工日期不晚于期末的项目中，实际开工日期不晚于计划开工日期的项目数 / 该类项目数 × 100",
           inputs=("migrant_projects",))
def on_time_start_rate(migrant_projects: pd.DataFrame, period: Period) -> float:
    return pct(*project_rate_parts(migrant_projects, period)["on_time_start_rate"])


@indicator("on_time_finish_rate", "migrants", "项目按时完工率", "Projects finished on time", "%",
           "期间所在年度、计划完工日期不晚于期末的项目中，实际完工日期不晚于计划完工日期的项目数 / 该类项目数 × 100",
           inputs=("migrant_projects",))
def on_time_finish_rate(migrant_projects: pd.DataFrame, period: Period) -> float:
    return pct(*project_rate_parts(migrant_projects, period)["on_time_finish_rate"])


@indicator("budget_execution_rate", "migrants", "项目资金执行率", "Project budget spent", "%",
           "期间所在年度项目已支出之和 / 安排资金之和 × 100（支出为数据截止时的累计数）",
           inputs=("migrant_projects",))
def budget_execution_rate(migrant_projects: pd.DataFrame, period: Period) -> float:
    return pct(*project_rate_parts(migrant_projects, period)["budget_execution_rate"])


@indicator("project_funds_spent", "migrants", "项目资金已支出", "Project funds spent", "万元",
           "期间所在年度项目已支出之和（元 / 10000，保留两位小数）", inputs=("migrant_projects",))
def project_funds_spent(migrant_projects: pd.DataFrame, period: Period) -> float:
    return wan(migrant_projects.loc[migrant_projects["year"] == period.year, "spent"].sum())


@indicator("acceptance_pass_rate", "migrants", "项目验收合格率", "Completed projects accepted", "%",
           "期间所在年度期末已完工项目中验收合格数 / 已出验收结果（合格或不合格）数 × 100",
           inputs=("migrant_projects",))
def acceptance_pass_rate(migrant_projects: pd.DataFrame, period: Period) -> float:
    return pct(*project_rate_parts(migrant_projects, period)["acceptance_pass_rate"])


# --- incomes, satisfaction, visits ----------------------------------------------------------------

@indicator("migrant_income_per_capita", "migrants", "移民人均可支配收入", "Migrant per-capita income", "元",
           "期间所在年度移民户调查人均可支配收入的平均值", inputs=("migrant_survey",))
def migrant_income_per_capita(migrant_survey: pd.DataFrame, period: Period) -> float:
    s = migrant_survey[migrant_survey["year"] == period.year]
    return float(s["income_per_capita"].mean()) if len(s) else float("nan")


@indicator("rural_income", "migrants", "当地农村居民人均可支配收入", "Local rural per-capita income", "元",
           "期间所在年度当地农村居民人均可支配收入（基准）", inputs=("rural_income_benchmark",))
def rural_income(rural_income_benchmark: pd.DataFrame, period: Period) -> float:
    b = rural_income_benchmark.loc[rural_income_benchmark["year"] == period.year, "income_per_capita"]
    return float(b.iloc[0]) if len(b) else float("nan")


@indicator("migrant_income_ratio", "migrants", "移民与当地农村居民收入比", "Migrant to rural income ratio", "倍",
           "移民人均可支配收入（调查平均）/ 当地农村居民人均可支配收入，同一年度；目标 ≥ 1.0",
           inputs=("migrant_survey", "rural_income_benchmark"))
def migrant_income_ratio(migrant_survey: pd.DataFrame, rural_income_benchmark: pd.DataFrame,
                         period: Period) -> float:
    return migrant_income_per_capita(migrant_survey, period) / rural_income(rural_income_benchmark, period)


@indicator("migrant_satisfaction_rate", "migrants", "移民群众满意度", "Migrants satisfied", "%",
           "期间所在年度调查户中表示满意的户数 / 调查户数 × 100", inputs=("migrant_survey",))
def migrant_satisfaction_rate(migrant_survey: pd.DataFrame, period: Period) -> float:
    s = migrant_survey[migrant_survey["year"] == period.year]
    return pct(flag(s["satisfied"]).sum(), len(s))


@indicator("migrant_households", "migrants", "在册移民户数", "Migrant households on the register", "户",
           "期末有在册扶持人员的户数", inputs=("migrant_register",), higher_is_better=None)
def migrant_households(migrant_register: pd.DataFrame, period: Period) -> float:
    return float(migrant_register.loc[on_register(migrant_register, period.end_ts), "household_id"].nunique())


@indicator("visit_coverage", "migrants", "入户走访覆盖率", "Households visited", "%",
           "期内被走访的在册移民户数 / 期末在册移民户数 × 100", inputs=("migrant_register", "migrant_visits"))
def visit_coverage(migrant_register: pd.DataFrame, migrant_visits: pd.DataFrame, period: Period) -> float:
    households = set(migrant_register.loc[on_register(migrant_register, period.end_ts), "household_id"])
    visited = set(migrant_visits.loc[period.contains(migrant_visits["date"]), "household_id"])
    return pct(len(households & visited), len(households))


@indicator("visit_coverage_ytd", "migrants", "入户走访覆盖率（年度累计）", "Households visited, year to date", "%",
           "期间所在年度1月1日至期末被走访的在册移民户数 / 期末在册移民户数 × 100",
           inputs=("migrant_register", "migrant_visits"))
def visit_coverage_ytd(migrant_register: pd.DataFrame, migrant_visits: pd.DataFrame, period: Period) -> float:
    households = set(migrant_register.loc[on_register(migrant_register, period.end_ts), "household_id"])
    d = migrant_visits["date"]
    ytd = (d >= pd.Timestamp(year=period.year, month=1, day=1)) & (d <= period.end_ts)
    visited = set(migrant_visits.loc[flag(ytd), "household_id"])
    return pct(len(households & visited), len(households))


def income_panel(migrant_survey: pd.DataFrame, migrant_projects: pd.DataFrame) -> pd.DataFrame:
    """Household-year panel for the income DiD: log income, the village's first completion year
    and `first_treated` = that year + 1 (NaN for villages without a completed project)."""
    done = migrant_projects.dropna(subset=["actual_finish"])
    first = done.groupby("village_code", observed=True)["actual_finish"].min().dt.year
    s = migrant_survey.copy()
    s["log_income"] = np.log(s["income_per_capita"].astype(float))
    s["completion_year"] = s["village_code"].map(first).astype(float)
    s["first_treated"] = s["completion_year"] + 1
    s["year"] = s["year"].astype(int)
    return s
