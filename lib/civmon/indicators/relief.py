"""Relief (社会救助) indicators: roster size, funds, temporary relief, subsidies, one-stop, 助联体.

Each function takes the pseudonymised frames named in `inputs` (already filtered to the report's
scope) and a Period. Amounts in 万元 are rounded to 0.01 万元, as the bureau's summary prints them.
"""

from __future__ import annotations

import pandas as pd

from civmon.indicators.registry import indicator, wan
from civmon.period import Period

LOW_INCOME = ("dibao", "dibian")



def on_roster(households: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Roster spells in force at the end of day `when`: entered on or before, not exited by then."""
    exit_ = households["exit_date"]
    return (households["entry_date"] <= when) & (exit_.isna() | (exit_ > when))


def lowincome_roster(households: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """低保 and 低保边缘 households on the roster at the end of day `when`."""
    return households[households["category"].isin(LOW_INCOME) & on_roster(households, when)]


def in_period(series: pd.Series, period: Period) -> pd.Series:
    """Dates within the period (both ends included)."""
    return series.between(period.start_ts, period.end_ts)


def standard_at(standards: pd.DataFrame, category: str, when: pd.Timestamp) -> float:
    """The standard of a category in force on a date (latest effective_date on or before it)."""
    s = standards[(standards["category"] == category) & (standards["effective_date"] <= when)]
    if s.empty:
        return float("nan")
    return float(s.sort_values("effective_date")["standard"].iloc[-1])


# --- roster and assistance ----------------------------------------------------------------------

@indicator("lowincome_households", "relief", "在册低收入对象户数", "Low-income households on the roster", "户",
           "期末在册低保和低保边缘户数：类别为低保或低保边缘，纳入日期≤期末，且退出日期为空或晚于期末",
           inputs=("relief_households",), higher_is_better=None)
def lowincome_households(households: pd.DataFrame, period: Period) -> float:
    return float(len(lowincome_roster(households, period.end_ts)))


@indicator("lowincome_persons", "relief", "在册低收入对象人数", "Persons in low-income households on the roster", "人",
           "期末在册低保和低保边缘户的保障人数之和（在册口径同在册低收入对象户数）",
           inputs=("relief_households",), higher_is_better=None)
def lowincome_persons(households: pd.DataFrame, period: Period) -> float:
    return float(lowincome_roster(households, period.end_ts)["persons"].sum())


@indicator("lowincome_funds", "relief", "低收入对象累计救助资金", "Assistance paid to low-income households", "万元",
           "发放月份在本期内的低保和低保边缘救助金发放金额之和，单位万元，保留两位小数",
           inputs=("relief_payments",), higher_is_better=None)
def lowincome_funds(payments: pd.DataFrame, period: Period) -> float:
    sel = payments["category"].isin(LOW_INCOME) & in_period(payments["month"], period)
    return wan(payments.loc[sel, "amount"].sum())


@indicator("avg_payment_per_person", "relief", "低收入对象人均月救助金", "Average monthly assistance per person",
           "元/人/月",
           "本期低保和低保边缘救助金发放金额之和 ÷ 各笔发放对应户的保障人数之和（人月数），单位元，保留两位小数",
           inputs=("relief_payments", "relief_households"), higher_is_better=True)
def avg_payment_per_person(payments: pd.DataFrame, households: pd.DataFrame, period: Period) -> float:
    sel = payments[payments["category"].isin(LOW_INCOME) & in_period(payments["month"], period)]
    persons = sel["household_id"].map(households.set_index("household_id")["persons"])
    person_months = float(persons.sum())
    return round(float(sel["amount"].sum()) / person_months, 2) if person_months else float("nan")


@indicator("payment_timeliness", "relief", "救助金按时发放率", "Assistance paid on time", "%",
           "应发日期在本期内的救助金发放笔数中，实发日期不晚于应发日期的笔数占比（未发放视为未按时），百分比保留一位小数",
           inputs=("relief_payments",), higher_is_better=True)
def payment_timeliness(payments: pd.DataFrame, period: Period) -> float:
    due = payments_due(payments, period)
    if due.empty:
        return float("nan")
    on_time = paid_on_time(due).sum()
    return round(float(100.0 * on_time / len(due)), 1)


def payments_due(payments: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Payments whose due date falls in the period (the base of the timeliness rate)."""
    return payments[in_period(payments["due_date"], period)]


def paid_on_time(due: pd.DataFrame) -> pd.Series:
    """Paid on or before the due date; unpaid payments count as late."""
    return due["paid_date"].notna() & (due["paid_date"] <= due["due_date"])


@indicator("exit_rate", "relief", "低收入对象退出率", "Exit rate of low-income households", "%",
           "本期内退出的低保和低保边缘户数 ÷ 期初（上期末）在册户数 × 100，保留一位小数",
           inputs=("relief_households",), higher_is_better=None)
def exit_rate(households: pd.DataFrame, period: Period) -> float:
    start = lowincome_roster(households, period.start_ts - pd.Timedelta(days=1))
    if start.empty:
        return float("nan")
    low = households[households["category"].isin(LOW_INCOME)]
    exits = in_period(low["exit_date"], period).sum()
    return round(float(100.0 * exits / len(start)), 1)


# --- standards ----------------------------------------------------------------------------------

@indicator("tekun_standard", "relief", "特困人员基本生活标准", "Basic living standard for 特困 persons", "元/人/月",
           "期末执行的特困人员基本生活标准（执行日期不晚于期末的最近一次标准）",
           inputs=("relief_standards",), higher_is_better=True)
def tekun_standard(standards: pd.DataFrame, period: Period) -> float:
    return standard_at(standards, "tekun", period.end_ts)


@indicator("dibao_standard", "relief", "低保标准", "Minimum living standard (低保)", "元/人/月",
           "期末执行的最低生活保障标准（执行日期不晚于期末的最近一次标准）",
           inputs=("relief_standards",), higher_is_better=True)
def dibao_standard(standards: pd.DataFrame, period: Period) -> float:
    return standard_at(standards, "dibao", period.end_ts)


@indicator("tekun_dibao_ratio", "relief", "特困标准与低保标准之比", "特困 standard / 低保 standard", "倍",
           "期末特困人员基本生活标准 ÷ 期末低保标准，保留两位小数",
           inputs=("relief_standards",), higher_is_better=None)
def tekun_dibao_ratio(standards: pd.DataFrame, period: Period) -> float:
    return round(standard_at(standards, "tekun", period.end_ts) / standard_at(standards, "dibao", period.end_ts), 2)


# --- temporary relief ---------------------------------------------------------------------------

def _temp(temp: pd.DataFrame, period: Period) -> pd.DataFrame:
    return temp[in_period(temp["date"], period)]


@indicator("temp_relief_households", "relief", "临时救助户数", "Households given temporary relief", "户",
           "救助日期在本期内的临时救助中不同申请人的个数（一户多次救助计一户）",
           inputs=("temp_relief",), higher_is_better=None)
def temp_relief_households(temp: pd.DataFrame, period: Period) -> float:
    return float(_temp(temp, period)["applicant_key"].nunique())


@indicator("temp_relief_person_times", "relief", "临时救助人次", "Temporary relief person-times", "人次",
           "救助日期在本期内的各次临时救助的救助人数之和",
           inputs=("temp_relief",), higher_is_better=None)
def temp_relief_person_times(temp: pd.DataFrame, period: Period) -> float:
    return float(_temp(temp, period)["persons"].sum())


@indicator("temp_relief_funds", "relief", "临时救助资金", "Temporary relief paid", "万元",
           "救助日期在本期内的临时救助金额之和，单位万元，保留两位小数",
           inputs=("temp_relief",), higher_is_better=None)
def temp_relief_funds(temp: pd.DataFrame, period: Period) -> float:
    return wan(_temp(temp, period)["amount"].sum())


# --- subsidies ----------------------------------------------------------------------------------

@indicator("child_subsidy_funds", "relief", "孤儿及困境儿童生活补贴发放金额", "Child living subsidies paid", "万元",
           "发放月份在本期内的孤儿和困境儿童生活补贴发放金额之和，单位万元，保留两位小数",
           inputs=("child_subsidy",), higher_is_better=None)
def child_subsidy_funds(child: pd.DataFrame, period: Period) -> float:
    return wan(child.loc[in_period(child["month"], period), "amount"].sum())


def _disability_funds(sub: pd.DataFrame, period: Period, kind: str) -> float:
    sel = (sub["subsidy_type"] == kind) & in_period(sub["month"], period)
    return wan(sub.loc[sel, "amount"].sum())


@indicator("disability_living_funds", "relief", "困难残疾人生活补贴发放金额", "Living subsidy for disabled people in hardship",
           "万元", "发放月份在本期内、补贴类型为生活补贴的发放金额之和，单位万元，保留两位小数",
           inputs=("disability_subsidy",), higher_is_better=None)
def disability_living_funds(sub: pd.DataFrame, period: Period) -> float:
    return _disability_funds(sub, period, "living")


@indicator("disability_nursing_funds", "relief", "重度残疾人护理补贴发放金额", "Nursing subsidy for severely disabled people",
           "万元", "发放月份在本期内、补贴类型为护理补贴的发放金额之和，单位万元，保留两位小数",
           inputs=("disability_subsidy",), higher_is_better=None)
def disability_nursing_funds(sub: pd.DataFrame, period: Period) -> float:
    return _disability_funds(sub, period, "nursing")


def enrolment_rate(eligible_keys: pd.Series, paid_keys: pd.Series) -> float:
    """Percent of eligible people (distinct keys) found among the paid (应纳尽纳), one decimal."""
    eligible = pd.Index(eligible_keys.dropna().unique())
    if len(eligible) == 0:
        return float("nan")
    return round(float(100.0 * eligible.isin(paid_keys.dropna().unique()).sum() / len(eligible)), 1)


def paid_in_last_month(sub: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Subsidy payments of the period's last month (who is enrolled at the period end)."""
    return sub[sub["month"] == period.end_ts.to_period("M").to_timestamp()]


def living_eligible(registry: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Disabled people registered by the period end in low-income families (living subsidy)."""
    return registry[(registry["registered_date"] <= period.end_ts) & registry["low_income"].fillna(False).astype(bool)]


def nursing_eligible(registry: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Disabled people of grade 1 or 2 registered by the period end (nursing subsidy)."""
    return registry[(registry["registered_date"] <= period.end_ts) & (registry["disability_grade"] <= 2).fillna(False)]


def child_eligible(registry: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Children registered by the period end (child living subsidy)."""
    return registry[registry["registered_date"] <= period.end_ts]


@indicator("disability_living_enrolment", "relief", "困难残疾人生活补贴应纳尽纳率", "Living-subsidy enrolment of eligible people",
           "%", "残疾人登记中登记日期不晚于期末且属低收入家庭的人员里，期末当月领取生活补贴的人数占比（按身份证号匹配）",
           inputs=("disability_registry", "disability_subsidy"), higher_is_better=True)
def disability_living_enrolment(registry: pd.DataFrame, sub: pd.DataFrame, period: Period) -> float:
    paid = paid_in_last_month(sub[sub["subsidy_type"] == "living"], period)
    return enrolment_rate(living_eligible(registry, period)["person_key"], paid["person_key"])


@indicator("disability_nursing_enrolment", "relief", "重度残疾人护理补贴应纳尽纳率", "Nursing-subsidy enrolment of eligible people",
           "%", "残疾人登记中登记日期不晚于期末且残疾等级为一、二级的人员里，期末当月领取护理补贴的人数占比（按身份证号匹配）",
           inputs=("disability_registry", "disability_subsidy"), higher_is_better=True)
def disability_nursing_enrolment(registry: pd.DataFrame, sub: pd.DataFrame, period: Period) -> float:
    paid = paid_in_last_month(sub[sub["subsidy_type"] == "nursing"], period)
    return enrolment_rate(nursing_eligible(registry, period)["person_key"], paid["person_key"])


@indicator("child_subsidy_enrolment", "relief", "孤儿及困境儿童生活补贴应纳尽纳率", "Child-subsidy enrolment of identified children",
           "%", "困境儿童登记中登记日期不晚于期末的儿童里，期末当月领取生活补贴的人数占比（按身份证号匹配）",
           inputs=("children_registry", "child_subsidy"), higher_is_better=True)
def child_subsidy_enrolment(registry: pd.DataFrame, child: pd.DataFrame, period: Period) -> float:
    return enrolment_rate(child_eligible(registry, period)["person_key"], paid_in_last_month(child, period)["person_key"])


# --- one-stop and 助联体 --------------------------------------------------------------------------

@indicator("one_stop_person_times", "relief", "大救助一站式累计救助人次", "One-stop relief person-times", "人次",
           "办理日期在本期内的一站式办件的救助人次之和（含各救助渠道）",
           inputs=("one_stop_cases",), higher_is_better=None)
def one_stop_person_times(cases: pd.DataFrame, period: Period) -> float:
    return float(cases.loc[in_period(cases["date"], period), "persons"].sum())


@indicator("one_stop_funds", "relief", "大救助一站式发放资金", "One-stop relief funds paid", "万元",
           "办理日期在本期内的一站式办件发放金额之和，单位万元，保留两位小数",
           inputs=("one_stop_cases",), higher_is_better=None)
def one_stop_funds(cases: pd.DataFrame, period: Period) -> float:
    return wan(cases.loc[in_period(cases["date"], period), "amount"].sum())


def needs_collected(needs: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Needs collected in the period."""
    return needs[in_period(needs["collected_date"], period)]


def resolved_by_end(needs: pd.DataFrame, period: Period) -> pd.Series:
    """Needs resolved on or before the period end."""
    return needs["resolved_date"].notna() & (needs["resolved_date"] <= period.end_ts)


@indicator("alliance_needs_collected", "relief", "助联体采集困难服务需求", "Needs collected by the assistance alliance", "例",
           "采集日期在本期内的助联体服务需求条数",
           inputs=("alliance_needs",), higher_is_better=None)
def alliance_needs_collected(needs: pd.DataFrame, period: Period) -> float:
    return float(len(needs_collected(needs, period)))


@indicator("alliance_needs_resolved", "relief", "助联体化解需求", "Needs resolved by the assistance alliance", "例",
           "采集日期在本期内、且化解日期不晚于期末的需求条数（本期采集、期末前化解）",
           inputs=("alliance_needs",), higher_is_better=True)
def alliance_needs_resolved(needs: pd.DataFrame, period: Period) -> float:
    return float(resolved_by_end(needs_collected(needs, period), period).sum())


@indicator("alliance_resolution_rate", "relief", "助联体需求化解率", "Share of collected needs resolved", "%",
           "助联体化解需求 ÷ 助联体采集困难服务需求 × 100（本期采集、期末前化解），保留一位小数",
           inputs=("alliance_needs",), higher_is_better=True)
def alliance_resolution_rate(needs: pd.DataFrame, period: Period) -> float:
    n = alliance_needs_collected(needs, period)
    return round(100.0 * alliance_needs_resolved(needs, period) / n, 1) if n else float("nan")

