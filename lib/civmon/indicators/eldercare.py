"""Eldercare indicators: care centres, the area standard, upgrades, services, meal coverage,
institution safety inspections, dementia-care beds and carers.

Stock indicators are taken at the period end; flow indicators count events dated inside the
period. Frames arrive pseudonymised and filtered to the report's scope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.indicators.registry import indicator, pct
from civmon.period import Period

AREA_STANDARD_M2_PER_100_HH = 20.0  # [E] default of the area rule; 30 is the strict variant


def on_or_before(s: pd.Series, when: pd.Timestamp) -> pd.Series:
    """True where a date is present and not after `when` (the stock rule: opened, certified, served by the end)."""
    out = s <= when
    return out if out.dtype == bool else out.astype("boolean").fillna(False).astype(bool)


# --- tables the indicators and the report share -------------------------------------------------

def open_centres(care_centres: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Centres opened on or before the period end."""
    return care_centres[on_or_before(care_centres["opened_date"], period.end_ts)]


def area_standard_table(care_centres: pd.DataFrame, period: Period,
                        standard: float = AREA_STANDARD_M2_PER_100_HH) -> pd.DataFrame:
    """Open centres with the floor area the standard requires (standard m2 per 100 households
    served), the gap to close (0 when met) and whether the centre falls below the standard."""
    out = open_centres(care_centres, period).copy()
    out["required_m2"] = out["households_served"].astype(float) / 100.0 * standard
    out["gap_m2"] = (out["required_m2"] - out["floor_area_m2"]).clip(lower=0)
    out["below_standard"] = out["floor_area_m2"] < out["required_m2"]
    return out


def findings_table(safety_inspections: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Findings of the inspections held in the period, with their status at the period end:
    rectified on time (by the deadline), rectified late, or open; `days_overdue` for open items
    past their deadline at the period end."""
    f = safety_inspections[period.contains(safety_inspections["inspection_date"])
                           & safety_inspections["finding_id"].notna()].copy()
    end = period.end_ts
    rect = f["rectified_date"].where(f["rectified_date"] <= end)
    f["on_time"] = on_or_before(rect, end) & (rect <= f["deadline"]).fillna(False).astype(bool)
    f["open"] = rect.isna()
    f["status"] = np.where(f["open"], "open", np.where(f["on_time"], "rectified_on_time", "rectified_late"))
    f["days_overdue"] = np.where(f["open"] & (f["deadline"] < end), (end - f["deadline"]).dt.days, 0)
    return f


def employed_carers(carers: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Carers hired on or before the period end and not gone by then."""
    end = period.end_ts
    return carers[on_or_before(carers["hired_date"], end) & ~on_or_before(carers["left_date"], end)]


# --- the seed's figures -------------------------------------------------------------------------

@indicator("care_centers", "eldercare", "养老服务照料中心数", "Care centres", "家",
           "期末已建成的居家养老服务照料中心数（建成日期不晚于期末）", inputs=("care_centres",))
def care_centers(care_centres: pd.DataFrame, period: Period) -> float:
    return float(len(open_centres(care_centres, period)))


@indicator("institutions_inspected", "eldercare", "养老机构安全检查家数", "Institutions inspected", "家",
           "期内接受安全检查的养老机构数（按机构去重，复查不重复计）", inputs=("safety_inspections",))
def institutions_inspected(safety_inspections: pd.DataFrame, period: Period) -> float:
    s = safety_inspections[period.contains(safety_inspections["inspection_date"])]
    return float(s["institution_id"].nunique())


@indicator("care_center_service_times", "eldercare", "照料中心累计服务老人人次",
           "Care-centre service person-times", "人次", "期内各照料中心月度服务人次之和",
           inputs=("centre_services",))
def care_center_service_times(centre_services: pd.DataFrame, period: Period) -> float:
    s = centre_services[period.contains(centre_services["month"])]
    return float(s["service_person_times"].sum())


@indicator("dementia_beds_new", "eldercare", "新建认知障碍照护专区床位", "New dementia-care beds", "张",
           "期间所在自然年度内建成的认知障碍照护床位数（民生实事年度目标口径，上半年报告亦按全年计）",
           inputs=("dementia_beds",))
def dementia_beds_new(dementia_beds: pd.DataFrame, period: Period) -> float:
    return float(dementia_beds.loc[dementia_beds["opened_date"].dt.year == period.year, "beds"].sum())


@indicator("certified_carers_new", "eldercare", "新增持证护理人员", "Newly certified carers", "人",
           "期内取得护理员证书的人数", inputs=("carers",))
def certified_carers_new(carers: pd.DataFrame, period: Period) -> float:
    return float(period.contains(carers["certified_date"]).sum())


@indicator("meal_service_coverage", "eldercare", "老年助餐村社区覆盖率", "Meal-service coverage", "%",
           "期末已开通老年助餐服务的村（社区）数 / 村（社区）总数 × 100", inputs=("meal_coverage",))
def meal_service_coverage(meal_coverage: pd.DataFrame, period: Period) -> float:
    return pct(on_or_before(meal_coverage["meal_service_since"], period.end_ts).sum(), len(meal_coverage))


@indicator("centers_upgrade_planned", "eldercare", "照料中心提升改造排摸和方案设计",
           "Centre upgrade plans completed", "家", "期内完成提升改造方案设计的照料中心数（方案完成日期在期内）",
           inputs=("centre_upgrades",))
def centers_upgrade_planned(centre_upgrades: pd.DataFrame, period: Period) -> float:
    return float(period.contains(centre_upgrades["planned_date"]).sum())


# --- upgrades, area standard ---------------------------------------------------------------------

@indicator("upgrades_started", "eldercare", "照料中心提升改造开工数", "Centre upgrades started", "家",
           "期内开工的照料中心提升改造项目数", inputs=("centre_upgrades",))
def upgrades_started(centre_upgrades: pd.DataFrame, period: Period) -> float:
    return float(period.contains(centre_upgrades["started_date"]).sum())


@indicator("upgrades_completed", "eldercare", "照料中心提升改造完工数", "Centre upgrades completed", "家",
           "期内完工的照料中心提升改造项目数", inputs=("centre_upgrades",))
def upgrades_completed(centre_upgrades: pd.DataFrame, period: Period) -> float:
    return float(period.contains(centre_upgrades["completed_date"]).sum())


@indicator("centres_below_area_standard", "eldercare", "面积未达标照料中心数", "Centres below the area standard",
           "家", "期末已建成中心中建筑面积 < 服务户数 / 100 × 面积标准（默认每百户20平方米）的中心数",
           inputs=("care_centres",), higher_is_better=False)
def centres_below_area_standard(care_centres: pd.DataFrame, period: Period,
                                standard: float = AREA_STANDARD_M2_PER_100_HH) -> float:
    return float(area_standard_table(care_centres, period, standard)["below_standard"].sum())


@indicator("area_gap_m2", "eldercare", "照料中心面积缺口", "Floor area missing to meet the standard", "平方米",
           "未达标中心的（服务户数 / 100 × 面积标准 − 建筑面积）之和", inputs=("care_centres",),
           higher_is_better=False)
def area_gap_m2(care_centres: pd.DataFrame, period: Period,
                standard: float = AREA_STANDARD_M2_PER_100_HH) -> float:
    return float(area_standard_table(care_centres, period, standard)["gap_m2"].sum())


@indicator("area_standard_compliance_rate", "eldercare", "照料中心面积达标率", "Centres meeting the area standard",
           "%", "期末面积达标的中心数 / 已建成中心数 × 100", inputs=("care_centres",))
def area_standard_compliance_rate(care_centres: pd.DataFrame, period: Period,
                                  standard: float = AREA_STANDARD_M2_PER_100_HH) -> float:
    t = area_standard_table(care_centres, period, standard)
    return pct((~t["below_standard"]).sum(), len(t))


# --- inspections ----------------------------------------------------------------------------------

@indicator("inspection_coverage", "eldercare", "养老机构安全检查覆盖率", "Institutions inspected (share)", "%",
           "期内接受安全检查的机构数 / 养老机构总数 × 100", inputs=("institutions", "safety_inspections"))
def inspection_coverage(institutions: pd.DataFrame, safety_inspections: pd.DataFrame, period: Period) -> float:
    return pct(institutions_inspected(safety_inspections, period), len(institutions))


@indicator("inspection_findings", "eldercare", "安全检查发现问题数", "Inspection findings", "项",
           "期内安全检查发现的问题数", inputs=("safety_inspections",), higher_is_better=None)
def inspection_findings(safety_inspections: pd.DataFrame, period: Period) -> float:
    return float(len(findings_table(safety_inspections, period)))


@indicator("rectification_rate", "eldercare", "隐患闭环整改率", "Findings rectified on time", "%",
           "期内检查发现的问题中，在整改期限内（且不晚于期末）完成整改的数量 / 发现问题数 × 100",
           inputs=("safety_inspections",))
def rectification_rate(safety_inspections: pd.DataFrame, period: Period) -> float:
    f = findings_table(safety_inspections, period)
    return pct(f["on_time"].sum(), len(f))


@indicator("findings_open", "eldercare", "期末未整改问题数", "Findings still open", "项",
           "期内检查发现、截至期末尚未整改完成的问题数", inputs=("safety_inspections",), higher_is_better=False)
def findings_open(safety_inspections: pd.DataFrame, period: Period) -> float:
    return float(findings_table(safety_inspections, period)["open"].sum())


@indicator("findings_overdue", "eldercare", "逾期未整改问题数", "Findings open past their deadline", "项",
           "期内检查发现、截至期末已过整改期限仍未整改的问题数", inputs=("safety_inspections",),
           higher_is_better=False)
def findings_overdue(safety_inspections: pd.DataFrame, period: Period) -> float:
    return float((findings_table(safety_inspections, period)["days_overdue"] > 0).sum())


# --- carers, beds, satisfaction -------------------------------------------------------------------

@indicator("carers_employed", "eldercare", "在岗养老护理员", "Carers employed", "人",
           "期末在岗（已入职且未离职）的护理员人数", inputs=("carers",))
def carers_employed(carers: pd.DataFrame, period: Period) -> float:
    return float(len(employed_carers(carers, period)))


@indicator("carer_certification_rate", "eldercare", "护理员持证率", "Carers certified", "%",
           "期末在岗护理员中已取证（取证日期不晚于期末）人数 / 在岗人数 × 100", inputs=("carers",))
def carer_certification_rate(carers: pd.DataFrame, period: Period) -> float:
    e = employed_carers(carers, period)
    return pct(on_or_before(e["certified_date"], period.end_ts).sum(), len(e))


@indicator("bed_occupancy_rate", "eldercare", "养老机构床位入住率", "Institution bed occupancy", "%",
           "养老机构在住人数之和 / 床位数之和 × 100（机构名册当前值）", inputs=("institutions",),
           higher_is_better=None)
def bed_occupancy_rate(institutions: pd.DataFrame, period: Period) -> float:
    return pct(institutions["occupied_beds"].sum(), institutions["beds"].sum())


@indicator("eldercare_satisfaction_rate", "eldercare", "照料中心服务满意率", "Satisfied respondents", "%",
           "期内满意度调查中评分4分及以上的问卷数 / 问卷总数 × 100", inputs=("satisfaction_survey",))
def eldercare_satisfaction_rate(satisfaction_survey: pd.DataFrame, period: Period) -> float:
    s = satisfaction_survey[period.contains(satisfaction_survey["date"])]
    return pct((s["score"] >= 4).sum(), len(s))


@indicator("satisfaction_mean_score", "eldercare", "照料中心满意度平均分", "Mean satisfaction score", "分",
           "期内满意度调查评分（1-5分）的平均值", inputs=("satisfaction_survey",))
def satisfaction_mean_score(satisfaction_survey: pd.DataFrame, period: Period) -> float:
    s = satisfaction_survey[period.contains(satisfaction_survey["date"])]
    return float(s["score"].astype(float).mean()) if len(s) else float("nan")


# --- the panel the upgrade evaluation uses --------------------------------------------------------

def upgrade_panel(care_centres: pd.DataFrame, centre_upgrades: pd.DataFrame, centre_services: pd.DataFrame,
                  satisfaction_survey: pd.DataFrame) -> pd.DataFrame:
    """Centre x month panel for the upgrade event study: service person-times, the centre-month
    mean satisfaction score, the centre's old-neighbourhood flag, and `first_treated` (the month
    of the upgrade's completion, NaT for centres never upgraded)."""
    s = satisfaction_survey.assign(month=satisfaction_survey["date"].dt.to_period("M").dt.to_timestamp())
    sat = s.groupby(["centre_id", "month"], observed=True)["score"].mean().rename("satisfaction")
    p = centre_services[["centre_id", "township_code", "month", "service_person_times"]].merge(
        sat.reset_index(), on=["centre_id", "month"], how="left")
    done = centre_upgrades.dropna(subset=["completed_date"]).set_index("centre_id")["completed_date"]
    p["first_treated"] = p["centre_id"].map(done.dt.to_period("M").dt.to_timestamp())
    p["first_treated"] = pd.to_datetime(p["first_treated"])
    p["service_person_times"] = p["service_person_times"].astype(float)
    old = care_centres.set_index("centre_id")["old_neighbourhood"]
    p["old_neighbourhood"] = p["centre_id"].map(old).astype("boolean")
    return p
