"""Evaluation of the migrant post-support programme (水库移民后期扶持监测评估): the headline with its
entitlement-derived targets, the direct-subsidy reconciliation and payment timeliness, register
dynamics, project status and rates, incomes and the income DiD, satisfaction, follow-up visits and
the scored performance sheet.

Frames have English column names; a by-area frame ends with a row labelled TOTAL. Person-level
data stay here: the report (civmon.report.migrants) shows counts and amounts only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon import stats
from civmon.data.scope import area_names
from civmon.evaluation.base import Assumption, Result
from civmon.evaluation.funnel import FunnelResult, township_funnel
from civmon.evaluation.headline import Headline, compute, headline
from civmon.evaluation.inputs import Inputs
from civmon.evaluation.robustness import Robustness
from civmon.evaluation.staggered import event_study_assumptions, naive_assumption, staggered_robustness
from civmon.indicators import all_indicators
from civmon.indicators import migrants as im
from civmon.period import Period
from civmon.programmes import get as programme

TOTAL = "total"  # the label of a frame's total row
STATUS_ORDER = list(im.STATUSES)
ENTITLED_STATUSES = ["paid_in_full", "eligible_unpaid", "duplicate", "wrong_amount"]
REMOVAL_REASONS = ["death", "moved", "other"]
# Lag bands in days from the event to the register update: (low, high, code).
LAG_BANDS = ((-10**6, 30, "0-30"), (31, 90, "31-90"), (91, 180, "91-180"), (181, 10**6, "181+"))
LATE_SHARE = 50.0  # an area paid mostly after the deadline: fewer than half on time (%)
INCOME_RATIO_GOAL = 1.0  # migrants' income at least the local rural income
SIGNIFICANCE = 0.05
EVENT_WINDOW = (-6, 6)  # the income event study's leads and lags (the overall ATT averages event times 0..6)
RECONCILIATION_IDS = ["subsidy_entitled_persons", "subsidy_paid_in_full_rate", "subsidy_payment_accuracy",
                      "eligible_unpaid", "eligible_unpaid_amount", "duplicate_payments", "duplicate_payment_amount",
                      "paid_after_removal", "paid_after_removal_amount", "wrong_amount_payments",
                      "wrong_amount_discrepancy", "subsidy_payment_timeliness"]
PROJECT_RATE_IDS = ["project_completion_rate", "on_time_start_rate", "on_time_finish_rate", "budget_execution_rate",
                    "acceptance_pass_rate"]


def has_migrants(data: dict[str, pd.DataFrame]) -> bool:
    """Whether the scope has anyone on the migrant register."""
    return len(data["migrant_register"]) > 0


def _level(inputs: Inputs) -> str:
    """By-area tables list townships in the district report and villages in a township's."""
    return "township" if inputs.is_district else "village"


def _area_key(frame: pd.DataFrame, level: str) -> pd.Series:
    return frame["township_code" if level == "township" else "village_code"].astype("string")


def _with_total(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """The frame with a TOTAL row: the column sums (the label column reads TOTAL)."""
    total = {c: (TOTAL if c == label else frame[c].sum()) for c in frame.columns}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


# --- assumptions ---------------------------------------------------------------------------------

@dataclass
class Assumptions:
    """The rules the numbers follow (the report states them next to the tables they drive)."""

    year: int
    period_end: pd.Timestamp
    subsidy_per_person: float
    deadline_month: int
    deadline_day: int
    max_lag_days: int


def assumptions(period: Period) -> Assumptions:
    """The entitlement, payment-deadline and removal-lag rules of the period's evaluation."""
    month, day = (int(x) for x in im.PAYMENT_DEADLINE.split("-"))
    return Assumptions(period.year, period.end_ts, im.SUBSIDY_PER_PERSON, month, day, im.REMOVAL_MAX_LAG_DAYS)


# --- headline ------------------------------------------------------------------------------------

def derived_targets(entitled_persons: float | None) -> dict[str, float]:
    """Targets that follow from the register: everyone entitled paid 600 yuan."""
    if not entitled_persons or math.isnan(entitled_persons):
        return {}
    return {"direct_subsidy_persons": float(entitled_persons),
            "direct_subsidy_funds": im.wan(entitled_persons * im.SUBSIDY_PER_PERSON)}


def indicator_record(ids, data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """Registered indicators (not headline) as rows for the run's indicator table; NaN where the
    data do not cover one."""
    reg = all_indicators()
    values = compute(ids, data, period)
    return pd.DataFrame([{"id": i, "value": float("nan") if values[i] is None else values[i],
                          "label_zh": reg[i].label_zh, "unit": reg[i].unit, "headline": False} for i in ids])


# --- direct-subsidy reconciliation ---------------------------------------------------------------

def reconciliation(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """The register against the payments of the period's subsidy year (one row per person)."""
    return im.reconcile_subsidy(data["migrant_register"], data["migrant_payments"], period.year)


def status_frame(recon: pd.DataFrame) -> pd.DataFrame:
    """Persons and amounts by reconciliation status (STATUS_ORDER), with a TOTAL row."""
    s = im.reconciliation_summary(recon).set_index("status").reindex(STATUS_ORDER).fillna(0)
    diff = recon.groupby("status", observed=False)["discrepancy"].sum().reindex(STATUS_ORDER).fillna(0)
    out = pd.DataFrame({"status": STATUS_ORDER, "persons": s["persons"].astype(int).to_numpy(),
                        "due": s["due"].to_numpy(), "paid": s["paid"].to_numpy(), "discrepancy": diff.to_numpy()})
    total = {"status": TOTAL, "persons": int(out["persons"].sum()), "due": out["due"].sum(),
             "paid": out["paid"].sum(), "discrepancy": out["discrepancy"].sum()}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def entitled_by_area(recon: pd.DataFrame, areas: pd.DataFrame, level: str = "township") -> pd.DataFrame:
    """Entitled persons by township or village: paid in full, unpaid, paid twice, wrong amount (they
    add up to the entitled), and the amounts involved; a TOTAL row."""
    names = area_names(areas)
    e = recon[recon["entitled"]]
    st = e["status"].astype(str)
    g = pd.DataFrame({"key": _area_key(e, level), "n": 1, "full": st == "paid_in_full",
                      "unpaid": st == "eligible_unpaid", "dup": st == "duplicate", "wrong": st == "wrong_amount",
                      "unpaid_amt": np.where(st == "eligible_unpaid", -e["discrepancy"], 0.0),
                      "dup_amt": np.where(st == "duplicate", e["discrepancy"], 0.0),
                      "wrong_amt": np.where(st == "wrong_amount", e["discrepancy"], 0.0)}).groupby("key").sum()
    out = pd.DataFrame({"area": [names.get(k, k) for k in g.index], "entitled": g["n"].astype(int).to_numpy(),
                        "paid_in_full": g["full"].astype(int).to_numpy(),
                        "eligible_unpaid": g["unpaid"].astype(int).to_numpy(),
                        "duplicate": g["dup"].astype(int).to_numpy(), "wrong_amount": g["wrong"].astype(int).to_numpy(),
                        "unpaid_amount": g["unpaid_amt"].to_numpy(), "duplicate_amount": g["dup_amt"].to_numpy(),
                        "wrong_amount_discrepancy": g["wrong_amt"].to_numpy()})
    return _with_total(out, "area")


def improper_by_area(recon: pd.DataFrame, areas: pd.DataFrame, level: str = "township") -> pd.DataFrame:
    """Payments to persons not entitled that year, by area: after death, move or removal, and to
    persons not (yet) verified; persons and amounts; a TOTAL row."""
    names = area_names(areas)
    st = recon["status"].astype(str)
    g = pd.DataFrame({"key": _area_key(recon, level), "after": st == "paid_after_removal",
                      "other": st == "paid_not_entitled",
                      "after_amt": np.where(st == "paid_after_removal", recon["paid"], 0.0),
                      "other_amt": np.where(st == "paid_not_entitled", recon["paid"], 0.0)}).groupby("key").sum()
    out = pd.DataFrame({"area": [names.get(k, k) for k in g.index],
                        "paid_after_removal": g["after"].astype(int).to_numpy(),
                        "paid_after_removal_amount": g["after_amt"].to_numpy(),
                        "paid_not_entitled": g["other"].astype(int).to_numpy(),
                        "paid_not_entitled_amount": g["other_amt"].to_numpy()})
    return _with_total(out, "area")


def problem_villages(recon: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Villages with at least one reconciliation problem (any status but paid in full), with their
    township: entitled persons, persons with a problem and the absolute amount involved; a TOTAL
    row over the villages listed."""
    names = area_names(areas)
    parent = dict(zip(areas["area_code"].astype(str), areas["parent_code"].astype("string")))
    st = recon["status"].astype(str)
    g = pd.DataFrame({"key": recon["village_code"].astype("string"), "ent": recon["entitled"],
                      "bad": st != "paid_in_full",
                      "amt": np.where(st != "paid_in_full", recon["discrepancy"].abs(), 0.0)}
                     ).groupby("key").sum()
    g = g[g["bad"] > 0]
    out = pd.DataFrame({"village": [names.get(k, k) for k in g.index],
                        "township": [names.get(str(parent.get(k)), "—") for k in g.index],
                        "entitled": g["ent"].astype(int).to_numpy(), "with_problem": g["bad"].astype(int).to_numpy(),
                        "amount": g["amt"].to_numpy()})
    total = {"village": TOTAL, "township": "", "entitled": int(out["entitled"].sum()),
             "with_problem": int(out["with_problem"].sum()), "amount": float(out["amount"].sum())}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


@dataclass
class Reconciliation(Result):
    """The subsidy year's reconciliation: results by status, by area (None without migrants) and
    the figures the summary sentence needs; `record` holds the registered indicators."""

    status: pd.DataFrame
    entitled: int
    paid_in_full: int
    paid_in_full_share: float  # % of the entitled paid in full (persons)
    record: pd.DataFrame
    level: str  # "township" (district report) or "village"
    by_area: pd.DataFrame | None = None
    improper: pd.DataFrame | None = None
    problem_villages: pd.DataFrame | None = None

    @property
    def entitled_with_problem(self) -> int:
        return self.entitled - self.paid_in_full


def evaluate_reconciliation(inputs: Inputs, present: bool) -> Reconciliation:
    """Reconciliation of the scope's register with the subsidy year's payments."""
    data, period = inputs.data, inputs.period
    recon = reconciliation(data, period)
    status = status_frame(recon)
    persons = status.set_index("status")["persons"]
    entitled, full = int(persons[ENTITLED_STATUSES].sum()), int(persons["paid_in_full"])
    level = _level(inputs)
    result = Reconciliation(status=status, entitled=entitled, paid_in_full=full,
                            paid_in_full_share=100 * full / entitled if entitled else float("nan"),
                            record=indicator_record(RECONCILIATION_IDS, data, period), level=level)
    if present:
        result.by_area = entitled_by_area(recon, data["areas"], level)
        result.improper = improper_by_area(recon, data["areas"], level)
        result.problem_villages = problem_villages(recon, data["areas"])
    return result


# --- payment timeliness --------------------------------------------------------------------------

def timeliness_by_area(payments: pd.DataFrame, register: pd.DataFrame, areas: pd.DataFrame, year: int,
                       level: str = "township", deadline: str = im.PAYMENT_DEADLINE) -> pd.DataFrame:
    """Persons paid for the year by township (of the payment) or village (of the register), how
    many were first paid by the deadline, the rate and the median first payment date; a TOTAL row."""
    names = area_names(areas)
    p = payments[payments["year"] == year]
    pc = im.person_column(p)
    first = p.groupby(pc, observed=True).agg(date=("paid_date", "min"), town=("township_code", "first"))
    if level == "township":
        first["key"] = first["town"].astype("string")
    else:
        village = register.drop_duplicates(pc).set_index(pc)["village_code"].astype("string")
        first["key"] = village.reindex(first.index).fillna("—").to_numpy()
    first["on_time"] = first["date"] <= pd.Timestamp(f"{year}-{deadline}")
    g = first.groupby("key").agg(n=("on_time", "size"), on=("on_time", "sum"), median=("date", "median"))
    out = pd.DataFrame({"area": [names.get(k, k) for k in g.index], "paid": g["n"].astype(int).to_numpy(),
                        "on_time": g["on"].astype(int).to_numpy(),
                        "on_time_rate": (100.0 * g["on"] / g["n"]).to_numpy(), "median_date": g["median"].to_numpy()})
    n, on = int(out["paid"].sum()), int(out["on_time"].sum())
    total = {"area": TOTAL, "paid": n, "on_time": on, "on_time_rate": 100.0 * on / n if n else float("nan"),
             "median_date": first["date"].median() if len(first) else pd.NaT}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def late_townships(timeliness: pd.DataFrame) -> list[str]:
    """Areas (total row excluded) where fewer than half were paid by the deadline."""
    t = timeliness[timeliness["area"] != TOTAL]
    return t.loc[t["on_time_rate"] < LATE_SHARE, "area"].tolist()


@dataclass
class Timeliness(Result):
    """First payments by the deadline, by area, and the townships paid mostly late."""

    by_area: pd.DataFrame
    late: list[str]


def evaluate_timeliness(inputs: Inputs) -> Timeliness:
    """Timeliness by the report's areas; the late townships of the scope."""
    d, year = inputs.data, inputs.period.year
    frame = timeliness_by_area(d["migrant_payments"], d["migrant_register"], d["areas"], year, _level(inputs))
    towns = frame if inputs.is_district else timeliness_by_area(d["migrant_payments"], d["migrant_register"],
                                                                d["areas"], year, "township")
    return Timeliness(by_area=frame, late=late_townships(towns))


# --- register dynamics ---------------------------------------------------------------------------

def removals_by_reason(register: pd.DataFrame, period: Period,
                       max_lag_days: int = im.REMOVAL_MAX_LAG_DAYS) -> pd.DataFrame:
    """Removals in the period by reason (REMOVAL_REASONS, then TOTAL): persons, those with a dated
    event, mean and median days from the event to the register update, removed within
    `max_lag_days` and that share of the dated ones (%)."""
    r = im.removals_table(register, period)
    rows = []
    for reason in [*REMOVAL_REASONS, None]:
        part = r if reason is None else r[r["removal_reason"].astype("string") == reason]
        lag = part["lag_days"].dropna()
        rows.append({"reason": TOTAL if reason is None else reason, "removed": len(part), "dated": len(lag),
                     "mean_lag": lag.mean() if len(lag) else float("nan"),
                     "median_lag": lag.median() if len(lag) else float("nan"),
                     "within_limit": int((lag <= max_lag_days).sum()),
                     "timely_rate": 100.0 * (lag <= max_lag_days).sum() / len(lag) if len(lag) else float("nan")})
    return pd.DataFrame(rows)


def removal_lag_bands(register: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Removals with a dated event in the period by lag band (LAG_BANDS), then TOTAL."""
    lag = im.removals_table(register, period)["lag_days"].dropna()
    rows = [{"band": code, "removed": int(((lag >= lo) & (lag <= hi)).sum())} for lo, hi, code in LAG_BANDS]
    rows.append({"band": TOTAL, "removed": int(len(lag))})
    return pd.DataFrame(rows)


@dataclass
class Removals(Result):
    """Removals by reason and by lag band, and deaths and moves not yet removed at the period end."""

    by_reason: pd.DataFrame
    lag_bands: pd.DataFrame
    pending: float
    max_lag_days: int

    @property
    def total(self) -> pd.Series:
        return self.by_reason.set_index("reason").loc[TOTAL]


def evaluate_removals(inputs: Inputs) -> Removals:
    """Register dynamics of the scope in the period."""
    register, period = inputs.data["migrant_register"], inputs.period
    return Removals(by_reason=removals_by_reason(register, period), lag_bands=removal_lag_bands(register, period),
                    pending=im.removals_pending(register, period), max_lag_days=im.REMOVAL_MAX_LAG_DAYS)


# --- projects ------------------------------------------------------------------------------------

def _projects_as_of_end(projects: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The period year's projects in schedule order, and whether each had started and was done at the end."""
    p = im.projects_of_year(projects, period).sort_values(["planned_start", "project_id"], kind="stable")
    return p, im.flag(p["actual_start"] <= period.end_ts), p["status"] == "completed"


def project_status(projects: pd.DataFrame, areas: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The period year's projects as of the period end (dates after it are not yet known): schedule,
    money (万元), status code, acceptance and slippage in days (positive = late; for unfinished
    projects past their planned finish, the days overdue at the period end).

    Status: on_time / late (completed), overdue / in_progress (started), late_start / not_started."""
    names = area_names(areas)
    p, started, done = _projects_as_of_end(projects, period)
    end = period.end_ts
    overdue = ~done & (p["planned_finish"] < end)
    slip = np.where(done, p["finish_slip_days"], np.where(overdue, (end - p["planned_finish"]).dt.days, np.nan))
    late_start = ~started & (p["planned_start"] < end)
    status = np.select([done & (p["finish_slip_days"] <= 0), done, started & overdue, started, late_start],
                       ["on_time", "late", "overdue", "in_progress", "late_start"], default="not_started")
    return pd.DataFrame({
        "name": p["project_name"].astype(str).to_numpy(), "type": p["project_type"].astype(str).to_numpy(),
        "township": [names.get(str(k), str(k)) for k in p["township_code"]],
        "budget": (p["budget"] / 1e4).to_numpy(), "spent": (p["spent"] / 1e4).to_numpy(),
        "planned_start": p["planned_start"].to_numpy(), "planned_finish": p["planned_finish"].to_numpy(),
        "started": started.to_numpy(), "completed": done.to_numpy(),
        "actual_start": p["actual_start"].where(started).to_numpy(),
        "actual_finish": p["actual_finish"].where(done).to_numpy(),
        "slip_days": slip, "status": status,
        "acceptance": [str(a) if f and pd.notna(a) else None for a, f in zip(p["acceptance"], done)],
    })


def schedule_frame(projects: pd.DataFrame, period: Period) -> pd.DataFrame:
    """What the schedule chart draws: planned and actual bars as known at the period end."""
    p, started, done = _projects_as_of_end(projects, period)
    return pd.DataFrame({"name": p["project_name"].astype(str).to_numpy(),
                         "planned_start": p["planned_start"].to_numpy(),
                         "planned_finish": p["planned_finish"].to_numpy(),
                         "actual_start": p["actual_start"].where(started).to_numpy(),
                         "actual_finish": p["actual_finish"].where(done).to_numpy(),
                         "finish_slip_days": p["finish_slip_days"].to_numpy()})


def project_rates(data: dict[str, pd.DataFrame], period: Period,
                  targets: dict[str, float] | None = None) -> pd.DataFrame:
    """Completion, on-time start and finish, budget execution and acceptance: the registered
    indicators' values with their numerators and denominators (budget parts in 万元) and targets."""
    reg = all_indicators()
    parts = im.project_rate_parts(data["migrant_projects"], period)
    values = compute(PROJECT_RATE_IDS, data, period)
    targets = targets or {}
    rows = []
    for i in PROJECT_RATE_IDS:
        num, den = parts[i]
        scale = 1e4 if i == "budget_execution_rate" else 1
        rows.append({"id": i, "label_zh": reg[i].label_zh, "numerator": float(num) / scale,
                     "denominator": float(den) / scale,
                     "value": float("nan") if values[i] is None else values[i],
                     "target": targets.get(i, float("nan"))})
    return pd.DataFrame(rows)


@dataclass
class Projects(Result):
    """The period year's projects: status, schedule, rates and how many are behind schedule."""

    status: pd.DataFrame
    schedule: pd.DataFrame
    rates: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.status)

    @property
    def late_start(self) -> int:
        return int((self.status["status"] == "late_start").sum())

    @property
    def overdue(self) -> int:
        return int((self.status["status"] == "overdue").sum())


def evaluate_projects(inputs: Inputs, targets: dict[str, float]) -> Projects:
    """The period year's projects of the scope, their rates against the annual targets."""
    d, period = inputs.data, inputs.period
    return Projects(status=project_status(d["migrant_projects"], d["areas"], period),
                    schedule=schedule_frame(d["migrant_projects"], period), rates=project_rates(d, period, targets))


# --- incomes -------------------------------------------------------------------------------------

def income_by_year(survey: pd.DataFrame, benchmark: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per survey year up to the period's: households surveyed, migrant mean per-capita income,
    the rural benchmark, their ratio and whether it meets the goal (None without a benchmark)."""
    s = survey[survey["year"] <= period.year]
    g = s.groupby(s["year"].astype(int)).agg(n=("household_id", "nunique"), income=("income_per_capita", "mean"))
    b = benchmark.assign(year=benchmark["year"].astype(int)).set_index("year")["income_per_capita"]
    out = pd.DataFrame({"year": g.index.to_numpy(dtype=int), "households": g["n"].astype(int).to_numpy(),
                        "migrant_income": g["income"].to_numpy(),
                        "rural_income": b.reindex(g.index).to_numpy(dtype=float)})
    out["ratio"] = out["migrant_income"] / out["rural_income"]
    out["meets_goal"] = [None if pd.isna(r) else bool(r >= INCOME_RATIO_GOAL) for r in out["ratio"]]
    return out


# --- the income DiD ------------------------------------------------------------------------------

def income_panel(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """Household-year panel as known at the period end: survey years up to the period's, treatment
    from projects completed by the period end (first_treated = first completion year + 1)."""
    projects = data["migrant_projects"]
    survey = data["migrant_survey"]
    done = projects[im.flag(projects["actual_finish"] <= period.end_ts)]
    p = im.income_panel(survey[survey["year"] <= period.year], done)
    p["village_code"] = p["village_code"].astype(str)
    return p


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


DID_METHOD_NOTE = (
    "事件研究为 Sun-Abraham 交互加权估计（以从未完成项目的村为对照，户和年份固定效应），为本报告采用的估计；"
    "双向固定效应在各村完工时间不同、效应随时间增长时可能有偏，仅作对照；2×2双重差分只比较最早完工的一批村与"
    "期内始终未完工的村，为稳健性检验。"
    "估计值为对数收入之差（对数点）；标准误按村聚类（村数为聚类数）；户·年为观测数；收入差异 = exp(估计值) − 1。")


def _did_sample_note(label: str, households: int, villages: int, treated: int) -> str:
    return (f"样本：{label}移民户跟踪调查，{households:,}户、{villages}个村，其中期末前完成后扶项目的{treated}个村为"
            "处理组；结果变量为人均可支配收入的对数；处理时点为村内首个项目完工的次年。")


@dataclass
class IncomeEffect(Result):
    """The income DiD: Sun-Abraham event study (the estimate), naive TWFE (for comparison) and the
    2x2 cross-check, errors clustered by village. Without an estimate, `reason` says why
    ("no_migrants", or "not_estimable" with the estimator's message in `detail`).

    `method_note` has one paragraph a line: the sample and design, then the estimators."""

    reason: str | None = None
    detail: str = ""
    sample: str = "district"  # whose survey: "district" or "township"
    sample_label: str = "全区"
    event: stats.EventStudyResult | None = None
    twfe: stats.Result | None = None
    did: stats.Result | None = None
    did_cohort: int | None = None
    households: int = 0
    villages: int = 0
    treated_villages: int = 0
    robustness: Robustness | None = None  # the ATT (log points) under three designs

    @property
    def estimable(self) -> bool:
        return self.reason is None

    @property
    def significant(self) -> bool:
        """The overall effect differs from zero at the 5% level."""
        p = self.event.att.pvalue
        return p is not None and p < SIGNIFICANCE

    @property
    def parallel_trends(self) -> bool | None:
        """No significant difference before completion (None without a pre-trend test)."""
        pre = self.event.pretrend
        return None if pre is None else bool(pre.pvalue >= SIGNIFICANCE)

    @property
    def estimates(self) -> pd.DataFrame:
        """One row per design: method code, estimate (log points), se, CI, p, N, village clusters
        and the implied percentage income difference exp(b) - 1."""
        models = [("event_study", self.event.att), ("twfe", self.twfe)]
        if self.did is not None:
            models.append(("did_2x2", self.did))
        return pd.DataFrame([{"method": m, "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                              "ci_high": r.ci_high, "pvalue": r.pvalue, "n": int(r.n),
                              "clusters": int(r.n_clusters or 0), "income_diff_pct": 100 * (math.exp(r.estimate) - 1)}
                             for m, r in models])

    @property
    def did_completion_year(self) -> int | None:
        """The completion year of the 2x2 design's treated villages (treated from the year after)."""
        return None if self.did_cohort is None else self.did_cohort - 1

    @property
    def event_time(self) -> pd.DataFrame:
        """Event-time effects for the chart (event time 0 = first year after completion)."""
        return self.event.by_event_time[["event_time", "estimate", "ci_low", "ci_high"]].copy()


def income_effect(data: dict[str, pd.DataFrame], period: Period, sample: str = "district",
                  sample_label: str = "全区") -> IncomeEffect:
    """Effect of a village's first completed project on log per-capita income (village clusters).
    Raises civmon.stats.EstimationError when the design cannot be estimated (e.g. too few villages)."""
    p = income_panel(data, period)
    if p.empty:
        raise stats.EstimationError("no survey data")
    es = stats.event_study(p, "log_income", "household_id", "year", "first_treated", window=EVENT_WINDOW,
                           cluster="village_code")
    robust = staggered_robustness(p, "log_income", "household_id", "year", "first_treated", es, window=EVENT_WINDOW,
                                  quantity="log_income.att", cluster="village_code", treated_zh="项目完工")
    p = p.assign(treated_now=(p["year"] >= p["first_treated"]).astype(int))
    tw = stats.twfe(p, "log_income", "treated_now", "household_id", "year", cluster="village_code")
    treated = int(p.loc[p["first_treated"] <= p["year"].max(), "village_code"].nunique())
    did, cohort = did_first_cohort(p)
    households, villages = int(p["household_id"].nunique()), int(p["village_code"].nunique())
    note = _did_sample_note(sample_label, households, villages, treated) + "\n" + DID_METHOD_NOTE
    return IncomeEffect(sample=sample, sample_label=sample_label, event=es, twfe=tw, did=did, did_cohort=cohort,
                        households=households, villages=villages, treated_villages=treated, method_note=note,
                        robustness=robust, assumptions=income_assumptions(es, tw, did, cohort))


def income_assumptions(es: stats.EventStudyResult, tw: stats.Result, did: stats.Result | None,
                       cohort: int | None) -> list[Assumption]:
    """The income designs' assumptions with this run's checks (the report's assumptions log)."""
    out = event_study_assumptions(es, "事件研究（Sun-Abraham）：移民人均收入", units_zh="村", treated_zh="项目完工",
                                  alternative="两阶段插补估计（Gardner/BJS）：移民人均收入")
    out.append(naive_assumption(tw, es, "双向固定效应：移民人均收入"))
    if did is not None:
        out.append(Assumption(
            f"2×2双重差分（{cohort - 1}年完工村对未完工村）", "平行趋势：最早完工的一批村与期内未完工的村在完工前走势相同",
            "未单独检验；以事件研究的事前趋势检验为参照",
            caveat="只比较一批村，样本较小，仅作稳健性参照。"))
    return out


def scope_income_effect(inputs: Inputs, present: bool = True) -> IncomeEffect:
    """The scope's estimate; a township with too few villages falls back on the district sample."""
    if not present:
        return IncomeEffect(reason="no_migrants")
    label = "全区" if inputs.is_district else inputs.scope_label
    try:
        return income_effect(inputs.data, inputs.period, "district" if inputs.is_district else "township", label)
    except stats.EstimationError as e:
        if inputs.is_district:
            return IncomeEffect(reason="not_estimable", detail=str(e))
    try:
        return income_effect(inputs.data_all, inputs.period, "district", "全区")
    except stats.EstimationError as e:
        return IncomeEffect(reason="not_estimable", detail=str(e))


# --- satisfaction and visits ---------------------------------------------------------------------

def satisfaction_verdict(rate: float, high: float, target: float) -> str:
    """met (at or above the target), within_error (below, but the interval reaches it) or below."""
    return "met" if rate >= target else "within_error" if high >= target else "below"


def satisfaction_by_year(survey: pd.DataFrame, period: Period, target: float = 95.0) -> pd.DataFrame:
    """Satisfied households per survey year up to the period's, with Wilson 95% intervals (%) and
    the verdict against the target."""
    s = survey[survey["year"] <= period.year]
    rows = []
    for y, g in s.groupby(s["year"].astype(int)):
        k, n = int(im.flag(g["satisfied"]).sum()), len(g)
        r = stats.proportion_ci(k, n)
        rows.append({"year": int(y), "surveyed": n, "satisfied": k, "unsatisfied": n - k, "rate": 100 * r.estimate,
                     "ci_low": 100 * r.ci_low, "ci_high": 100 * r.ci_high,
                     "verdict": satisfaction_verdict(100 * r.estimate, 100 * r.ci_high, target)})
    return pd.DataFrame(rows, columns=["year", "surveyed", "satisfied", "unsatisfied", "rate", "ci_low", "ci_high",
                                       "verdict"])


@dataclass
class Satisfaction(Result):
    """Satisfaction by survey year against the annual target."""

    by_year: pd.DataFrame
    target: float


WILSON_NOTE = "95%置信区间为 Wilson 得分区间。"


def evaluate_satisfaction(inputs: Inputs, targets: dict[str, float]) -> Satisfaction:
    """Satisfaction by survey year against the annual target (Wilson intervals)."""
    target = targets["migrant_satisfaction_rate"]
    return Satisfaction(by_year=satisfaction_by_year(inputs.data["migrant_survey"], inputs.period, target),
                        target=target, method_note=WILSON_NOTE)


def visits_by_area(register: pd.DataFrame, visits: pd.DataFrame, areas: pd.DataFrame, period: Period,
                   level: str = "township") -> pd.DataFrame:
    """Households on the register at the period end and those visited from 1 January to the period
    end, by township or village (a household's area is its register area); a TOTAL row."""
    names = area_names(areas)
    on = register[im.on_register(register, period.end_ts)].drop_duplicates("household_id")
    d = visits["date"]
    ytd = visits[im.flag((d >= pd.Timestamp(year=period.year, month=1, day=1)) & (d <= period.end_ts))]
    on = on.assign(visited=on["household_id"].isin(set(ytd["household_id"])), key=_area_key(on, level))
    g = on.groupby("key").agg(n=("visited", "size"), v=("visited", "sum"))
    out = pd.DataFrame({"area": [names.get(k, k) for k in g.index], "households": g["n"].astype(int).to_numpy(),
                        "visited": g["v"].astype(int).to_numpy()})
    out["coverage"] = 100.0 * out["visited"] / out["households"]
    total = {"area": TOTAL, "households": int(out["households"].sum()), "visited": int(out["visited"].sum())}
    total["coverage"] = 100.0 * total["visited"] / total["households"] if total["households"] else float("nan")
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


# --- performance evaluation ----------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One line of the performance sheet: category, sub-category, indicator, points, default annual
    target and its basis; `prorate`: a year-to-date figure whose annual target is scaled by the
    share of the year elapsed at the period end (序时进度)."""

    category: str
    subcategory: str
    indicator: str
    weight: float
    target: float
    basis: str  # policy, annual_plan, monitoring or estimate (an assumption of this report)
    prorate: bool = False


# Outputs 50, benefits 30, satisfaction 10, budget execution 10 (财预〔2020〕10号 convention).
PERFORMANCE_ITEMS: tuple[Item, ...] = (
    Item("output", "quantity", "subsidy_paid_in_full_rate", 10, 100.0, "policy"),
    Item("output", "quantity", "project_completion_rate", 10, 100.0, "annual_plan", prorate=True),
    Item("output", "quality", "subsidy_payment_accuracy", 10, 100.0, "policy"),
    Item("output", "quality", "acceptance_pass_rate", 5, 100.0, "monitoring"),
    Item("output", "quality", "removal_timeliness_rate", 5, 95.0, "estimate"),
    Item("output", "timeliness", "subsidy_payment_timeliness", 5, 95.0, "estimate"),
    Item("output", "timeliness", "on_time_finish_rate", 5, 90.0, "monitoring"),
    Item("benefit", "economic", "migrant_income_ratio", 20, 1.0, "policy"),
    Item("benefit", "social", "visit_coverage_ytd", 10, 90.0, "estimate", prorate=True),
    Item("satisfaction", "beneficiaries", "migrant_satisfaction_rate", 10, 95.0, "monitoring"),
    Item("budget", "fund_execution", "budget_execution_rate", 10, 90.0, "monitoring"),
)
# Achievement from which a band starts: achieved 100-80%, partly achieved 80-60%, not achieved 60-0%.
BANDS = ((0.8, "achieved"), (0.6, "partly_achieved"), (0.0, "not_achieved"))
GRADES = ((90.0, "excellent"), (80.0, "good"), (60.0, "fair"), (0.0, "poor"))
DEDUCTION_MIN = 0.5  # the summary names deductions of at least half a point ...
DEDUCTIONS_NAMED = 3  # ... the three largest

PERFORMANCE_NOTE = (
    "完成率 = 完成值 / 目标值（越低越好的指标为目标值 / 完成值），最高100%；得分 = 分值 × 完成率。"
    "档次：达成、部分达成、未达成分别对应得分为分值的100%-80%、80%-60%、60%-0%。\n"
    "合计得分：无数据的指标不计分，其余按100分折算；90分及以上为优，80-90分为良，60-80分为中，60分以下为差。\n"
    "目标值取运行参数 targets 中的设定，未设定时取默认值：政策要求、监测评估要求为有依据的值，“估计值”为本报告"
    "的假设；年度累计类指标按序时进度（期末已过月份 / 12）折算。")


def performance_targets(params_targets: dict[str, float]) -> dict[str, float]:
    """Annual targets of the performance items: params first, else the defaults."""
    return {it.indicator: float(params_targets.get(it.indicator, it.target)) for it in PERFORMANCE_ITEMS}


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
    band = next(code for lo, code in BANDS if r >= lo)
    return r, weight * r, band


def year_share(period: Period) -> float:
    """Share of the calendar year elapsed at the period end (序时进度): months / 12."""
    return period.end.month / 12.0


def performance_sheet(values: dict[str, float | None], targets: dict[str, float], period: Period,
                      items: tuple[Item, ...] = PERFORMANCE_ITEMS) -> pd.DataFrame:
    """The scored sheet: one row per item with points, the target (params first, else the default;
    pro-rated where marked), the value, achievement (%), score and band. `basis` is "params" for a
    target set in the run parameters, else the item's basis."""
    reg = all_indicators()
    rows = []
    for it in items:
        ind = reg[it.indicator]
        annual = float(targets.get(it.indicator, it.target))
        target = annual * year_share(period) if it.prorate else annual
        v = values.get(it.indicator)
        r, score, band = score_item(v, target, it.weight, ind.higher_is_better is not False)
        rows.append({"id": it.indicator, "category": it.category, "subcategory": it.subcategory,
                     "label_zh": ind.label_zh, "unit": ind.unit, "weight": it.weight, "target": target, "value": v,
                     "achievement": None if r is None else 100 * r, "score": score, "band": band,
                     "basis": "params" if it.indicator in targets else it.basis,
                     "prorated": it.prorate and year_share(period) < 1, "annual_target": annual})
    return pd.DataFrame(rows)


def performance_total(sheet: pd.DataFrame) -> tuple[float, str | None, float]:
    """(total score out of 100, grade, points scored): the items without data are left out and the
    rest rescaled to 100; grade excellent >= 90, good >= 80, fair >= 60, else poor (None: no data)."""
    have = sheet["score"].notna()
    weight = sheet.loc[have, "weight"].sum()
    if not weight:
        return float("nan"), None, float("nan")
    points = float(sheet.loc[have, "score"].sum())
    total = 100.0 * points / weight
    grade = next(g for lo, g in GRADES if total >= lo - 1e-9)
    return total, grade, points


def deductions(sheet: pd.DataFrame) -> pd.DataFrame:
    """The largest point deductions (label_zh, lost), for the summary."""
    lost = (sheet["weight"] - sheet["score"]).where(sheet["score"].notna())
    worst = sheet.assign(lost=lost).dropna(subset=["lost"]).sort_values("lost", ascending=False)
    return worst.loc[worst["lost"] >= DEDUCTION_MIN, ["label_zh", "lost"]].head(DEDUCTIONS_NAMED)


def performance_record(sheet: pd.DataFrame) -> pd.DataFrame:
    """The sheet's indicators as rows for the run's indicator table (not headline)."""
    return pd.DataFrame({"id": sheet["id"], "value": sheet["value"].astype(float), "label_zh": sheet["label_zh"],
                         "unit": sheet["unit"], "target": sheet["target"].astype(float),
                         "score": sheet["score"].astype(float), "headline": False})


@dataclass
class Performance(Result):
    """The scored performance sheet with its total, grade and the deductions the summary names."""

    sheet: pd.DataFrame
    total: float
    grade: str | None
    points: float
    deductions: pd.DataFrame
    record: pd.DataFrame

    @property
    def weight_total(self) -> float:
        return float(self.sheet["weight"].sum())

    @property
    def has_data(self) -> bool:
        return bool(self.sheet["score"].notna().any())


def evaluate_performance(inputs: Inputs) -> Performance:
    """The sheet for the scope and period: indicator values from the registry."""
    values = compute([it.indicator for it in PERFORMANCE_ITEMS], inputs.data, inputs.period)
    sheet = performance_sheet(values, dict(inputs.params.targets), inputs.period)
    total, grade, points = performance_total(sheet)
    return Performance(sheet=sheet, total=total, grade=grade, points=points, deductions=deductions(sheet),
                       record=performance_record(sheet), method_note=PERFORMANCE_NOTE)


# --- funnel plots by township (district report) --------------------------------------------------

def township_funnels(ev: MigrantsEvaluation) -> dict[str, FunnelResult]:
    """Funnel plots of the by-township rates around their total rows: entitled persons paid in full,
    first payments by the deadline and households visited, suppressed as their township tables
    (paid in full: the entitled and every problem count, so the shortfall too; timeliness and
    visits: the two counts those tables show). Rates with too few townships are left out."""
    thr, out = ev.inputs.params.disclosure_threshold, {}
    if ev.reconciliation.by_area is not None:
        out["paid_in_full"] = township_funnel(ev.reconciliation.by_area, k="paid_in_full", n="entitled",
                                              rate="paid_in_full", label_zh="直补资金足额发放人数比例", threshold=thr,
                                              label="area")
    if ev.timeliness is not None:
        out["payment_timeliness"] = township_funnel(ev.timeliness.by_area, k="on_time", n="paid",
                                                    rate="payment_timeliness", label_zh="直补资金按时发放率",
                                                    threshold=thr, protect=("k", "n"), label="area")
    if ev.visits is not None:
        out["visit_coverage"] = township_funnel(ev.visits, k="visited", n="households", rate="visit_coverage",
                                                label_zh="入户走访覆盖率（年度累计）", threshold=thr, protect=("k", "n"),
                                                label="area")
    return {k: v for k, v in out.items() if v is not None}


# --- the whole evaluation ------------------------------------------------------------------------

@dataclass
class MigrantsEvaluation:
    """Everything the migrant report shows, computed once from its inputs."""

    inputs: Inputs = field(repr=False)
    has_migrants: bool
    assumptions: Assumptions
    headline: Headline
    reconciliation: Reconciliation
    timeliness: Timeliness | None
    removals: Removals
    projects: Projects
    income: pd.DataFrame
    income_effect: IncomeEffect
    satisfaction: Satisfaction
    visits: pd.DataFrame | None
    performance: Performance
    funnels: dict[str, FunnelResult] | None = None  # by rate code; district report only


def evaluate(inputs: Inputs) -> MigrantsEvaluation:
    """The migrant report's numbers for the scope and period of `inputs`."""
    data, period = inputs.data, inputs.period
    present = has_migrants(data)
    recon = evaluate_reconciliation(inputs, present)
    entitled = recon.record.set_index("id").loc["subsidy_entitled_persons", "value"]
    targets = {**derived_targets(entitled), **inputs.params.targets}
    perf_targets = performance_targets(inputs.params.targets)
    result = MigrantsEvaluation(
        inputs=inputs, has_migrants=present, assumptions=assumptions(period),
        headline=headline(programme(inputs.programme).report_ids, data, period, targets,
                          suppress_below=inputs.threshold),
        reconciliation=recon,
        timeliness=evaluate_timeliness(inputs) if present else None,
        removals=evaluate_removals(inputs),
        projects=evaluate_projects(inputs, perf_targets),
        income=income_by_year(data["migrant_survey"], data["rural_income_benchmark"], period),
        income_effect=scope_income_effect(inputs, present),
        satisfaction=evaluate_satisfaction(inputs, perf_targets),
        visits=visits_by_area(data["migrant_register"], data["migrant_visits"], data["areas"], period,
                              _level(inputs)) if present else None,
        performance=evaluate_performance(inputs),
    )
    result.funnels = township_funnels(result) if inputs.is_district and present else None
    return result
