"""The eldercare evaluation: the headline against its targets, the area standard, meal coverage,
safety inspections, the upgrade event study beside the naive TWFE estimate, and carers.

Frame functions take DataFrames (already scoped) and return DataFrames with English columns or
result objects; `evaluate(inputs)` runs them all for one report. Codes, not Chinese labels: centre
groups are old_neighbourhood / other_urban / rural, employers institution / centre, finding types
the dataset's codes, and a table's total row is labelled `TOTAL`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon import programmes
from civmon.data.scope import area_names, label_areas
from civmon.data.spec import DATASETS
from civmon.errors import EstimationError
from civmon.evaluation.base import Result
from civmon.evaluation.funnel import FunnelResult, township_funnel
from civmon.evaluation.headline import Headline, headline
from civmon.evaluation.inputs import Inputs
from civmon.evaluation.staggered import event_study_assumptions, naive_assumption, staggered_robustness
from civmon.indicators import all_indicators
from civmon.indicators import eldercare as ie
from civmon.period import Period
from civmon.stats import event_study, twfe

PROGRAMME = "eldercare"
# Rate targets the bureau's own documents state, used where the run's params give none: meal
# service in >= 90% of villages/communities ([S]); closed-loop rectification and carer
# certification at 100% (domain notes). Rates, so they hold for a township as for the district.
DEFAULT_TARGETS = {"meal_service_coverage": 90.0, "rectification_rate": 100.0, "carer_certification_rate": 100.0}
PRE_PERIODS = 6  # leads shown and tested before completion
MIN_TREATED_CENTRES = 5  # fewer upgraded centres than this: no event study (clustered errors unreliable)
NOTABLE_GAP_PP = 5.0  # percentage points: a gap between groups worth a sentence
PRETREND_ALPHA = 0.05  # a pre-trend test below this: the centres differed before completion
OUTCOMES = ("service_person_times", "satisfaction")
OUTCOME_NAME_ZH = {"service_person_times": "月度服务人次", "satisfaction": "月均满意度评分"}  # in the assumptions log
GROUPS = ("old_neighbourhood", "other_urban", "rural")
EMPLOYERS = ("institution", "centre")
FINDING_TYPES = tuple(DATASETS["safety_inspections"].column("finding_type").values)
TOTAL = "total"  # the label of a table's total row


def targets(params_targets: dict | None, is_district: bool = True) -> dict[str, float]:
    """The run's targets over the programme defaults (params win); for a township only the rate
    (%) targets, since a district's count target (e.g. beds to build) cannot be judged there."""
    out = {**DEFAULT_TARGETS, **(params_targets or {})}
    if not is_district:
        reg = all_indicators()
        out = {k: v for k, v in out.items() if k in reg and reg[k].unit == "%"}
    return out


def target(params_targets: dict | None, indicator_id: str) -> float:
    """One indicator's target (params over the programme default)."""
    return targets(params_targets)[indicator_id]


@dataclass
class TargetCheck(Result):
    """How the headline fares against its targets: the judged indicators and how many are met."""

    ids: tuple[str, ...]  # the indicators with a target and a value
    met: int
    missed: list[str]  # Chinese labels of the judged indicators not met (as the headline frame holds them)


def target_check(h: Headline) -> TargetCheck:
    """The headline indicators judged against a target, those met and the labels of those missed."""
    judged = h.frame[h.frame["status"] != "none"]
    miss = judged[judged["status"] != "met"]
    return TargetCheck(ids=tuple(judged["id"]), met=len(judged) - len(miss), missed=list(miss["label_zh"]))


# --- facilities and the area standard -----------------------------------------------------------

def centre_group(centres: pd.DataFrame) -> pd.Series:
    """old_neighbourhood / other_urban / rural."""
    old = centres["old_neighbourhood"].astype("boolean").fillna(False).astype(bool)
    urban = centres["urban_rural"].astype(str) == "urban"
    return pd.Series(np.where(old, GROUPS[0], np.where(urban, GROUPS[1], GROUPS[2])), index=centres.index)


def area_table(care_centres: pd.DataFrame, period: Period, standard: float) -> pd.DataFrame:
    """Open centres at the period end with required area, gap and group (see ie.area_standard_table)."""
    t = ie.area_standard_table(care_centres, period, standard)
    return t.assign(group=centre_group(t))


def area_by_group(t: pd.DataFrame) -> pd.DataFrame:
    """Centres, centres below the standard, their share and the m2 gap by centre group, with a total."""
    rows = []
    for name, g in [*((grp, t[t["group"] == grp]) for grp in GROUPS), (TOTAL, t)]:
        n, below = len(g), int(g["below_standard"].sum())
        per100 = (g["floor_area_m2"] / g["households_served"].astype(float) * 100).replace(np.inf, np.nan)
        rows.append({"group": name, "centres": n, "below": below, "below_pct": 100 * below / n if n else np.nan,
                     "median_m2_per_100hh": per100.median() if n else np.nan, "gap_m2": float(g["gap_m2"].sum())})
    return pd.DataFrame(rows)


def area_by_township(t: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """By township: centres, households served, centres below the standard (old-neighbourhood ones
    apart) and the m2 gap, with a total row."""
    g = t.assign(township=label_areas(t["township_code"], names),
                 old_below=t["below_standard"] & (t["group"] == GROUPS[0]))
    out = g.groupby("township", sort=True).agg(centres=("centre_id", "size"), households=("households_served", "sum"),
                                               below=("below_standard", "sum"), old_below=("old_below", "sum"),
                                               gap_m2=("gap_m2", "sum")).reset_index()
    total = pd.DataFrame([{"township": TOTAL, "centres": len(g), "households": g["households_served"].sum(),
                           "below": g["below_standard"].sum(), "old_below": g["old_below"].sum(),
                           "gap_m2": g["gap_m2"].sum()}])
    out = pd.concat([out, total], ignore_index=True)
    return pd.DataFrame({"township": out["township"], "centres": out["centres"].astype(int),
                         "households": out["households"].astype(int), "below": out["below"].astype(int),
                         "old_below": out["old_below"].astype(int), "gap_m2": out["gap_m2"].astype(float)})


def below_standard_list(t: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The centres below the standard (facilities, no person counts): old-neighbourhood centres
    first, then by township, largest gap first."""
    b = t[t["below_standard"]]
    b = b.assign(township=label_areas(b["township_code"], names), rank=pd.Categorical(b["group"], GROUPS).codes)
    b = b.sort_values(["rank", "township", "gap_m2"], ascending=[True, True, False])
    return pd.DataFrame({"township": b["township"].to_numpy(), "centre_name": b["centre_name"].astype(str).to_numpy(),
                         "group": b["group"].to_numpy(), "floor_area_m2": b["floor_area_m2"].to_numpy(float),
                         "required_m2": b["required_m2"].to_numpy(float), "gap_m2": b["gap_m2"].to_numpy(float)})


@dataclass
class AreaStandard(Result):
    """The area check: every open centre, the breakdowns, and the two shares the summary quotes."""

    standard: float  # m2 per 100 households served
    centres: pd.DataFrame  # area_table: one row per open centre
    by_group: pd.DataFrame  # area_by_group
    by_township: pd.DataFrame  # area_by_township
    below: pd.DataFrame  # below_standard_list
    old_gap_share: float | None  # % of the whole gap in old-neighbourhood centres (None: no such centres)
    other_below_pct: float | None  # % of the other centres below the standard (None: no other centres)


def area_standard(care_centres: pd.DataFrame, period: Period, standard: float, names: pd.Series) -> AreaStandard:
    """The area check of the open centres against `standard`."""
    t = area_table(care_centres, period, standard)
    old, other = t[t["group"] == GROUPS[0]], t[t["group"] != GROUPS[0]]
    gap = t["gap_m2"].sum()
    return AreaStandard(standard=standard, centres=t, by_group=area_by_group(t), by_township=area_by_township(t, names),
                        below=below_standard_list(t, names),
                        old_gap_share=(100 * old["gap_m2"].sum() / gap if gap else 0) if len(old) else None,
                        other_below_pct=100 * other["below_standard"].mean() if len(other) else None)


# --- meal service --------------------------------------------------------------------------------

def meal_status(meal_coverage: pd.DataFrame, period: Period) -> pd.Series:
    """True where a village/community has meal service at the period end (the indicator's rule)."""
    return ie.on_or_before(meal_coverage["meal_service_since"], period.end_ts)


def meal_by_township(meal_coverage: pd.DataFrame, period: Period, names: pd.Series, target: float) -> pd.DataFrame:
    """By township: villages and communities, those with meal service, coverage (%) against the
    target, whether it is met and the number still to open to reach it; with a total row."""
    m = meal_coverage.assign(township=label_areas(meal_coverage["township_code"], names),
                             covered=meal_status(meal_coverage, period))
    out = m.groupby("township", sort=True).agg(places=("village_code", "size"), covered=("covered", "sum")).reset_index()
    out = pd.concat([out, pd.DataFrame([{"township": TOTAL, "places": len(m), "covered": m["covered"].sum()}])],
                    ignore_index=True)
    rate = 100 * out["covered"] / out["places"]
    need = np.maximum(0, np.ceil(out["places"] * target / 100 - 1e-9) - out["covered"]).astype(int)
    return pd.DataFrame({"township": out["township"], "places": out["places"].astype(int),
                         "covered": out["covered"].astype(int), "coverage_pct": rate, "target_pct": float(target),
                         "met": rate >= target, "still_needed": need})


def meal_uncovered(meal_coverage: pd.DataFrame, period: Period, names: pd.Series) -> pd.DataFrame:
    """Villages and communities without meal service at the period end (places, not persons):
    one row per township with their count and names (joined with 、)."""
    u = meal_coverage[~meal_status(meal_coverage, period)]
    u = pd.DataFrame({"township": label_areas(u["township_code"], names).to_numpy(),
                      "place": u["village_code"].astype(str).map(names).to_numpy()}).sort_values(["township", "place"])
    out = u.groupby("township", sort=True)["place"].agg(["size", "、".join]).reset_index()
    return pd.DataFrame({"township": out["township"], "uncovered": out["size"].astype(int), "places": out["join"]})


@dataclass
class MealCoverage(Result):
    """Meal coverage by township against the target, and the places still without service."""

    target: float
    by_township: pd.DataFrame  # meal_by_township
    uncovered: pd.DataFrame  # meal_uncovered
    towns_below: int  # townships below the target
    lowest: pd.Series | None  # the by_township row of the lowest township below the target
    still_needed_below: int  # places the townships below the target still need to open, together
    uncovered_places: int


def meal_service(meal_coverage: pd.DataFrame, period: Period, names: pd.Series, target: float) -> MealCoverage:
    """Meal coverage of the scope at the period end against `target`."""
    by_town = meal_by_township(meal_coverage, period, names, target)
    towns = by_town.iloc[:-1]
    low = towns[towns["coverage_pct"] < target]
    u = meal_uncovered(meal_coverage, period, names)
    return MealCoverage(target=target, by_township=by_town, uncovered=u, towns_below=len(low),
                        lowest=low.sort_values("coverage_pct").iloc[0] if len(low) else None,
                        still_needed_below=int(low["still_needed"].sum()), uncovered_places=int(u["uncovered"].sum()))


# --- safety inspections --------------------------------------------------------------------------

def findings_by_type(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings by type (the dataset's order; unknown types count as other): found, rectified on
    time, late, open, open past the deadline, and the closed-loop rate (on time / found, %); with a
    total row."""
    code = findings["finding_type"].astype(str)
    f = findings.assign(type=code.where(code.isin(FINDING_TYPES), "other"),
                        late=findings["status"] == "rectified_late", overdue=findings["days_overdue"] > 0)
    rows = []
    for name, g in [*((k, f[f["type"] == k]) for k in FINDING_TYPES if (f["type"] == k).any()), (TOTAL, f)]:
        n = len(g)
        rows.append({"type": name, "found": n, "on_time": int(g["on_time"].sum()), "late": int(g["late"].sum()),
                     "open": int(g["open"].sum()), "overdue": int(g["overdue"].sum()),
                     "closed_loop_pct": 100 * g["on_time"].sum() / n if n else np.nan})
    return pd.DataFrame(rows)


def open_findings(findings: pd.DataFrame, institutions: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Findings still open at the period end, most overdue first (institutions, no persons)."""
    o = findings[findings["open"]].sort_values(["days_overdue", "inspection_date"], ascending=[False, True])
    inst = institutions.assign(institution_id=institutions["institution_id"].astype(str)) \
        .set_index("institution_id")["institution_name"].astype(str)
    return pd.DataFrame({
        "institution": o["institution_id"].astype(str).map(inst).to_numpy(),
        "township": label_areas(o["township_code"], names).to_numpy(),
        "type": o["finding_type"].astype(str).to_numpy(),
        "inspection_date": o["inspection_date"].to_numpy(), "deadline": o["deadline"].to_numpy(),
        "days_overdue": o["days_overdue"].astype(int).to_numpy()})


@dataclass
class Safety(Result):
    """The period's inspections: institutions inspected, findings by type and those still open."""

    inspected: int  # institutions inspected in the period
    institutions: int  # institutions on the register
    coverage_pct: float  # inspected / institutions (the inspection_coverage indicator)
    findings: pd.DataFrame  # ie.findings_table: the period's findings and their state at the period end
    by_type: pd.DataFrame  # findings_by_type (its total row: the period's figures)
    open_findings: pd.DataFrame  # open_findings
    max_days_overdue: int | None  # the longest overdue open finding (None: none overdue)


def safety(safety_inspections: pd.DataFrame, institutions: pd.DataFrame, period: Period,
           names: pd.Series) -> Safety:
    """The inspections of the period and the state of their findings at the period end."""
    f = ie.findings_table(safety_inspections, period)
    over = f.loc[f["days_overdue"] > 0, "days_overdue"]
    return Safety(inspected=int(ie.institutions_inspected(safety_inspections, period)), institutions=len(institutions),
                  coverage_pct=ie.inspection_coverage(institutions, safety_inspections, period), findings=f,
                  by_type=findings_by_type(f), open_findings=open_findings(f, institutions, names),
                  max_days_overdue=int(over.max()) if len(over) else None)


# --- upgrade effects -----------------------------------------------------------------------------

def effect_panel(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """The centre x month panel up to the period end, with `treated` (1 from the completion month)
    and `event_time` (months since completion)."""
    p = ie.upgrade_panel(data["care_centres"], data["centre_upgrades"], data["centre_services"],
                         data["satisfaction_survey"])
    p = p[p["month"] <= period.end_ts].copy()
    p = p.assign(satisfaction=p["satisfaction"].astype(float))
    month = p["month"].dt.year * 12 + p["month"].dt.month
    first = p["first_treated"].dt.year * 12 + p["first_treated"].dt.month
    p["event_time"] = month - first
    p["treated"] = (p["event_time"] >= 0).astype(int)
    return p.reset_index(drop=True)


class TooFewUpgraded(EstimationError):
    """Fewer upgraded centres in the panel than the evaluation needs."""

    def __init__(self, n: int, needed: int):
        super().__init__(f"only {n} upgraded centres completed by the period end (at least {needed} needed)")
        self.n, self.needed = n, needed


@dataclass
class UpgradeEffects(Result):
    """Event-study and naive TWFE estimates per outcome on one panel, or why there are none
    (`reason`: too_few_upgraded with `n` and `needed`, or not_estimable with the estimator's `detail`)."""

    event: dict = field(default_factory=dict)  # outcome -> EventStudyResult
    naive: dict = field(default_factory=dict)  # outcome -> stats Result
    robustness: dict = field(default_factory=dict)  # outcome -> Robustness (the ATT under three designs)
    window: tuple[int, int] | None = None
    treated_centres: int = 0
    control_centres: int = 0
    cohorts: int = 0
    table: pd.DataFrame | None = None  # effects_frame: two rows per outcome
    summary: pd.DataFrame | None = None  # effects_summary: one row per outcome
    reason: str | None = None
    n: int | None = None
    needed: int | None = None
    detail: str = ""

    @property
    def estimated(self) -> bool:
        return self.reason is None


def growth(es) -> float | None:
    """Mean estimated effect in the later half of post months minus the earlier half (None if < 2 months)."""
    post = es.by_event_time[es.by_event_time["event_time"] >= 0]
    if len(post) < 2:
        return None
    half = len(post) // 2
    return float(post["estimate"].iloc[half:].mean() - post["estimate"].iloc[:half].mean())


def naive_bias(att: float, naive: float, growth: float | None) -> str:
    """Why the naive TWFE differs from the ATT: growth_absorbed (effects grow, naive below),
    decline_absorbed (effects fade, naive above), or weighting (cohorts weighted by variance)."""
    if growth is not None and growth > 0 and naive < att:
        return "growth_absorbed"
    if growth is not None and growth < 0 and naive > att:
        return "decline_absorbed"
    return "weighting"


def effects_frame(event: dict, naive: dict) -> pd.DataFrame:
    """Two rows per outcome (event_study ATT, naive_twfe): estimate, 95% CI, se; the pre-trend test's p."""
    rows = []
    for y in OUTCOMES:
        if y not in event:
            continue
        es, nv = event[y], naive[y]
        pt = es.pretrend
        for method, r, p in (("event_study", es.att, pt.pvalue if pt else np.nan), ("naive_twfe", nv, np.nan)):
            rows.append({"outcome": y, "method": method, "estimate": r.estimate, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "se": r.se, "pretrend_pvalue": p})
    return pd.DataFrame(rows)


def effects_summary(event: dict, naive: dict) -> pd.DataFrame:
    """One row per outcome: the ATT and its CI, whether it is significant, the pre-trend test (p,
    and whether the leads are flat), the naive estimate, its gap to the ATT, the growth of the
    effect over post months and the reason the naive estimate differs (naive_bias)."""
    rows = []
    for y in OUTCOMES:
        if y not in event:
            continue
        es, a, nv = event[y], event[y].att, naive[y].estimate
        p = es.pretrend.pvalue if es.pretrend is not None else np.nan
        g = growth(es)
        rows.append({"outcome": y, "att": a.estimate, "ci_low": a.ci_low, "ci_high": a.ci_high,
                     "significant": bool(a.ci_low > 0 or a.ci_high < 0), "pretrend_pvalue": p,
                     "pretrend_flat": bool(p >= PRETREND_ALPHA), "naive": nv, "naive_gap": nv - a.estimate,
                     "growth": g, "naive_bias": naive_bias(a.estimate, nv, g)})
    return pd.DataFrame(rows)


def method_note(window: tuple[int, int]) -> str:
    """The note on the two estimators, one paragraph per method (as printed under the estimates)."""
    lo, hi = window
    return (f"事件研究：Sun-Abraham 交互加权估计，对照为从未改造的中心；总体效应为完工当月至完工后第{hi}个月"
            f"全部改造中心-月的平均效应；标准误按中心聚类。事前趋势检验为完工前第{-lo}至第2个月效应联合为零的F检验。\n"
            "朴素双向固定效应：中心与月份双向固定效应回归中“已完工”虚拟变量的系数。")


def estimate_effects(panel: pd.DataFrame, outcomes=OUTCOMES, pre: int = PRE_PERIODS,
                     min_treated: int = MIN_TREATED_CENTRES) -> UpgradeEffects:
    """Sun-Abraham event study over event times -pre..(the last observed), so its ATT averages every
    post-completion month as the static TWFE does, and the naive TWFE beside it; raises
    TooFewUpgraded (an EstimationError) below `min_treated` upgraded centres, EstimationError when
    the estimators cannot run on the panel."""
    treated = panel.loc[panel["treated"] == 1, "centre_id"]
    n_treated = treated.nunique()
    if n_treated < min_treated:
        raise TooFewUpgraded(int(n_treated), min_treated)
    last = int(panel["event_time"].max())
    ever = panel.loc[panel["first_treated"].notna() & (panel["first_treated"] <= panel["month"].max()), "centre_id"]
    event, naive, robust, assumptions = {}, {}, {}, []
    for y in outcomes:
        event[y] = event_study(panel, y, "centre_id", "month", "first_treated", window=(-pre, last))
        naive[y] = twfe(panel, y, "treated", "centre_id", "month")
        robust[y] = staggered_robustness(panel, y, "centre_id", "month", "first_treated", event[y],
                                         window=(-pre, last), quantity=f"{y}.att", treated_zh="改造完工")
        name = OUTCOME_NAME_ZH.get(y, y)
        assumptions += event_study_assumptions(event[y], f"事件研究（Sun-Abraham）：{name}", units_zh="照料中心",
                                               treated_zh="改造完工", alternative=f"两阶段插补估计（Gardner/BJS）：{name}")
        assumptions.append(naive_assumption(naive[y], event[y], f"朴素双向固定效应：{name}"))
    return UpgradeEffects(event=event, naive=naive, robustness=robust, assumptions=assumptions,
                          window=(-pre, last), treated_centres=int(n_treated),
                          control_centres=int(panel["centre_id"].nunique() - ever.nunique()),
                          cohorts=int(panel.loc[panel["treated"] == 1, "first_treated"].nunique()),
                          table=effects_frame(event, naive), summary=effects_summary(event, naive),
                          method_note=method_note((-pre, last)))


def upgrade_effects(data: dict[str, pd.DataFrame], period: Period) -> UpgradeEffects:
    """The upgrade evaluation of the scope and period, or a result saying why there is none."""
    try:
        return estimate_effects(effect_panel(data, period))
    except TooFewUpgraded as e:
        return UpgradeEffects(reason="too_few_upgraded", n=e.n, needed=e.needed)
    except EstimationError as e:
        return UpgradeEffects(reason="not_estimable", detail=str(e))


# --- carers --------------------------------------------------------------------------------------

def employer_type(employer_id: pd.Series, institutions: pd.DataFrame) -> np.ndarray:
    """institution where the employer is an eldercare institution, else centre."""
    inst = set(institutions["institution_id"].astype(str))
    return np.where(employer_id.astype(str).isin(inst), EMPLOYERS[0], EMPLOYERS[1])


def carers_frame(carers: pd.DataFrame, period: Period, institutions: pd.DataFrame) -> pd.DataFrame:
    """Employed carers at the period end with `certified` and `employer` (institution / centre)."""
    e = ie.employed_carers(carers, period)
    return e.assign(certified=ie.on_or_before(e["certified_date"], period.end_ts),
                    employer=employer_type(e["employer_id"], institutions))


def carers_by_employer(c: pd.DataFrame, carers: pd.DataFrame, period: Period,
                       institutions: pd.DataFrame) -> pd.DataFrame:
    """By employer type: employed, certified, rate (%) at the period end (from `c`, see carers_frame),
    and carers newly certified in the period (all carers, as the headline); with a total row."""
    new = carers[period.contains(carers["certified_date"]).to_numpy(dtype=bool)]
    new_emp = employer_type(new["employer_id"], institutions)
    rows = []
    for name in (*EMPLOYERS, TOTAL):
        g = c if name == TOTAL else c[c["employer"] == name]
        n = len(g)
        rows.append({"employer": name, "employed": n, "certified": int(g["certified"].sum()),
                     "certified_pct": 100 * g["certified"].sum() / n if n else np.nan,
                     "newly_certified": int(len(new) if name == TOTAL else (new_emp == name).sum())})
    return pd.DataFrame(rows)


def carers_by_township(c: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """By township: certified, not certified, employed (their sum) and the rate; with a total row."""
    g = c.assign(township=label_areas(c["township_code"], names))
    out = g.groupby("township", sort=True).agg(n=("certified", "size"), cert=("certified", "sum")).reset_index()
    out = pd.concat([out, pd.DataFrame([{"township": TOTAL, "n": len(g), "cert": g["certified"].sum()}])],
                    ignore_index=True)
    return pd.DataFrame({"township": out["township"], "certified": out["cert"].astype(int),
                         "uncertified": (out["n"] - out["cert"]).astype(int), "employed": out["n"].astype(int),
                         "certified_pct": 100 * out["cert"] / out["n"]})


def notable_gap(by_employer: pd.DataFrame) -> tuple[str, str] | None:
    """(lower, higher) employer when their certification rates differ by NOTABLE_GAP_PP or more."""
    rates = by_employer.iloc[:-1].dropna(subset=["certified_pct"]).sort_values("certified_pct")
    if len(rates) == 2 and rates["certified_pct"].iloc[1] - rates["certified_pct"].iloc[0] >= NOTABLE_GAP_PP:
        return str(rates["employer"].iloc[0]), str(rates["employer"].iloc[1])
    return None


@dataclass
class Carers(Result):
    """Carers at the period end, certification against the target, by employer and township."""

    target: float
    carers: pd.DataFrame  # carers_frame
    by_employer: pd.DataFrame  # carers_by_employer (its total row: the scope's figures)
    by_township: pd.DataFrame  # carers_by_township
    gap: tuple[str, str] | None  # notable_gap


def carer_certification(carers: pd.DataFrame, institutions: pd.DataFrame, period: Period, names: pd.Series,
                  target: float) -> Carers:
    """The carers of the scope at the period end."""
    c = carers_frame(carers, period, institutions)
    be = carers_by_employer(c, carers, period, institutions)
    return Carers(target=target, carers=c, by_employer=be, by_township=carers_by_township(c, names),
                  gap=notable_gap(be))


# --- funnel plots by township (district report) ---------------------------------------------------

def rectification_by_township(findings: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The period's findings and those rectified on time by township (townships with findings), with a
    total row. Columns township, found, on_time."""
    g = findings.assign(township=label_areas(findings["township_code"], names))
    out = g.groupby("township", sort=True).agg(found=("on_time", "size"), on_time=("on_time", "sum")).reset_index()
    total = pd.DataFrame([{"township": TOTAL, "found": len(g), "on_time": g["on_time"].sum()}])
    return pd.concat([out, total], ignore_index=True).astype({"found": int, "on_time": int})


def township_funnels(ev: EldercareEvaluation) -> dict[str, FunnelResult]:
    """Funnel plots of the rates compared across townships, from the by-township frames and their
    total rows: meal-service coverage (villages and communities), area-standard compliance (centres)
    and rectification on time (findings) are places and facilities, not suppressed; carer
    certification counts persons, suppressed as the carers' township table (certified, not
    certified, employed). Rates with too few townships are left out."""
    thr = ev.inputs.params.disclosure_threshold
    area = ev.area.by_township.assign(compliant=lambda f: f["centres"] - f["below"])
    found = rectification_by_township(ev.safety.findings, area_names(ev.inputs.data_all["areas"]))
    out = {
        "meal_coverage": township_funnel(ev.meals.by_township, k="covered", n="places", rate="meal_coverage",
                                         label_zh="老年助餐村社区覆盖率", threshold=None),
        "area_compliance": township_funnel(area, k="compliant", n="centres", rate="area_compliance",
                                           label_zh="照料中心面积达标率", threshold=None),
        "rectification": township_funnel(found, k="on_time", n="found", rate="rectification", label_zh="隐患闭环整改率",
                                         threshold=None),
        "carer_certification": township_funnel(ev.carers.by_township, k="certified", n="employed",
                                               rate="carer_certification", label_zh="护理员持证率", threshold=thr),
    }
    return {k: v for k, v in out.items() if v is not None}


# --- the report ----------------------------------------------------------------------------------

@dataclass
class EldercareEvaluation:
    """Every number of one eldercare report, one result per section."""

    inputs: Inputs
    headline: Headline
    targets: TargetCheck
    area: AreaStandard
    meals: MealCoverage
    safety: Safety
    effects: UpgradeEffects
    carers: Carers
    funnels: dict[str, FunnelResult] | None = None  # by rate code; district report only


def evaluate(inputs: Inputs) -> EldercareEvaluation:
    """The eldercare evaluation of one report's scope and period."""
    d, period, params = inputs.data, inputs.period, inputs.params
    names = area_names(inputs.data_all["areas"])
    hl = headline(programmes.get(PROGRAMME).report_ids, d, period, targets(params.targets, inputs.is_district),
                  suppress_below=inputs.threshold)
    result = EldercareEvaluation(
        inputs=inputs, headline=hl, targets=target_check(hl),
        area=area_standard(d["care_centres"], period, params.area_standard_m2_per_100_households, names),
        meals=meal_service(d["meal_coverage"], period, names, target(params.targets, "meal_service_coverage")),
        safety=safety(d["safety_inspections"], d["institutions"], period, names),
        effects=upgrade_effects(d, period),
        carers=carer_certification(d["carers"], d["institutions"], period, names,
                             target(params.targets, "carer_certification_rate")))
    result.funnels = township_funnels(result) if inputs.is_district else None
    return result
