"""Report logic of the migrant post-support evaluation, on hand-made frames with hand-computed
answers, and on the generated sample against its planted truth (reconciliation, income DiD)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from civmon.data.pseudonymise import SAMPLE_KEY, id_checksum, pseudonymise
from civmon.data.spec import DATASETS
from civmon.params import parse_params
from civmon.period import Period
from civmon.report import migrants as rm
from civmon.report.context import ReportContext
from civmon.report.tables import Table, Text
from civmon.sample import migrants as sample_migrants
from civmon.sample.base import canonical
from civmon.sample.geography import build_areas

H1 = Period.parse("2023H1")
SEED = 20230630


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = DATASETS[name].column_names
    raw = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    return pseudonymise(canonical(raw, name), DATASETS[name], SAMPLE_KEY)


def pid(i: int) -> str:
    first17 = f"33050219600101{i:03d}"
    return first17 + id_checksum(first17)


def person(i, hh, town="T1", village="V1", **kw):
    base = dict(id_number=pid(i), name=f"人{i}", household_id=hh, township_code=town, village_code=village,
                eligible=True, registered_date="2006-07-01")
    base.update(kw)
    return base


AREAS = pd.DataFrame({"area_code": ["T1", "T2", "V1", "V2", "V3"], "area_name": ["甲镇", "乙镇", "一村", "二村", "三村"],
                      "level": ["township", "township", "village", "village", "village"],
                      "parent_code": [None, None, "T1", "T1", "T2"]})


@pytest.fixture
def register():
    return frame("migrant_register", [
        person(1, "H1"),                                                   # paid in full (T1)
        person(2, "H1"),                                                   # unpaid (T1)
        person(3, "H2", village="V2"),                                     # paid twice (T1, V2)
        person(4, "H3", town="T2", village="V3"),                          # paid 300 (T2)
        person(5, "H4", town="T2", village="V3", event_date="2022-10-01", removal_date="2023-05-01",
               removal_reason="death"),                                    # paid after death (T2)
        person(6, "H4", town="T2", village="V3"),                          # paid in full, late (T2)
        person(7, "H5", event_date="2023-02-01", removal_date="2023-03-10", removal_reason="death"),  # 37 days
        person(8, "H5", event_date="2023-01-10", removal_date="2023-06-20", removal_reason="moved"),  # 161 days
        person(9, "H6", removal_date="2023-04-01", removal_reason="other"),
    ])


@pytest.fixture
def payments():
    rows = [(1, "T1", 600, "2023-03-15"), (3, "T1", 600, "2023-03-15"), (3, "T1", 600, "2023-05-20"),
            (4, "T2", 300, "2023-05-10"), (5, "T2", 600, "2023-05-10"), (6, "T2", 600, "2023-05-12"),
            (7, "T1", 600, "2023-03-16"), (8, "T1", 600, "2023-03-16"), (9, "T1", 600, "2023-03-16")]
    return frame("migrant_payments", [dict(payment_id=f"P{j}", id_number=pid(i), township_code=t, year=2023,
                                           amount=float(a), paid_date=d) for j, (i, t, a, d) in enumerate(rows)])


def test_status_frame_counts_and_amounts(register, payments):
    recon = rm.reconciliation({"migrant_register": register, "migrant_payments": payments}, H1)
    s = rm.status_frame(recon).set_index("核对结果")
    # entitled: 1, 2, 3, 4, 6, 7, 8, 9 (7, 8, 9 leave during 2023: still entitled); 5 died in 2022
    assert s["人数"].to_dict() == {"足额发放": 5, "应发未发": 1, "重复发放": 1, "金额不符": 1, "死亡或迁出后仍发放": 1,
                                 "非扶持对象发放": 0, "合计": 9}
    assert s.loc["应发未发", "差额（元）"] == -600 and s.loc["重复发放", "差额（元）"] == 600
    assert s.loc["金额不符", "差额（元）"] == -300 and s.loc["死亡或迁出后仍发放", "实发金额（元）"] == 600
    assert s.loc["合计", "应发金额（元）"] == 8 * 600 and s.loc["合计", "实发金额（元）"] == 5100
    assert s.loc["合计", "差额（元）"] == 5100 - 4800


def test_by_area_tables(register, payments):
    recon = rm.reconciliation({"migrant_register": register, "migrant_payments": payments}, H1)
    e = rm.entitled_by_area(recon, AREAS, "township").set_index("乡镇街道")
    assert e.loc["甲镇", ["应发人数", "足额发放", "应发未发", "重复发放", "金额不符"]].tolist() == [6, 4, 1, 1, 0]
    assert e.loc["乙镇", ["应发人数", "足额发放", "金额不符", "金额差额（元）"]].tolist() == [2, 1, 1, -300]
    assert e.loc["合计", "应发人数"] == 8 and e.loc["合计", "未发金额（元）"] == 600
    v = rm.entitled_by_area(recon, AREAS, "village").set_index("村（社区）")
    assert v.loc["二村", "重复发放"] == 1 and v.loc["二村", "多发金额（元）"] == 600 and v.loc["一村", "应发人数"] == 5
    i = rm.improper_by_area(recon, AREAS, "township").set_index("乡镇街道")
    assert i.loc["乙镇", "核减后发放（人）"] == 1 and i.loc["合计", "核减后发放金额（元）"] == 600
    assert i.loc["甲镇", "核减后发放（人）"] == 0 and i.loc["合计", "非扶持对象发放（人）"] == 0


def test_problem_villages(register, payments):
    recon = rm.reconciliation({"migrant_register": register, "migrant_payments": payments}, H1)
    v = rm.problem_villages(recon, AREAS).set_index("村（社区）")
    # 一村: 2 unpaid (600); 二村: 3 paid twice (600); 三村: 4 short 300, 5 paid after death 600
    assert v["问题人数"].to_dict() == {"一村（甲镇）": 1, "三村（乙镇）": 2, "二村（甲镇）": 1, "合计（所列村）": 4}
    assert v["应发人数"].to_dict() == {"一村（甲镇）": 5, "三村（乙镇）": 2, "二村（甲镇）": 1, "合计（所列村）": 8}
    assert v.loc["三村（乙镇）", "涉及金额（元）"] == 900 and v.loc["合计（所列村）", "涉及金额（元）"] == 2100


def test_timeliness_by_area(register, payments):
    t = rm.timeliness_by_area(payments, register, AREAS, 2023, "township").set_index("乡镇街道")
    assert t.loc["甲镇", ["获发人数", "按时发放人数"]].tolist() == [5, 5]  # 3's first payment was on time
    assert t.loc["乙镇", "按时发放率（%）"] == 0 and t.loc["乙镇", "发放日期（中位）"] == "2023-05-10"
    assert t.loc["合计", "按时发放率（%）"] == pytest.approx(500 / 8)
    assert rm.late_townships(t.reset_index()) == ["乙镇"]
    v = rm.timeliness_by_area(payments, register, AREAS, 2023, "village").set_index("村（社区）")
    assert v.loc["三村", "获发人数"] == 3 and v.loc["一村", "获发人数"] == 4


def test_removals(register):
    # removed in 2023H1: 5 (death 2022-10-01, removed 2023-05-01: 212 days), 7 (death, 37 days),
    # 8 (moved, 161 days), 9 (other: no separate event, no lag)
    r = rm.removals_by_reason(register, H1).set_index("核减原因")
    assert r.loc["死亡", "核减人数"] == 2 and r.loc["死亡", "平均滞后（天）"] == pytest.approx((212 + 37) / 2)
    assert r.loc["其他", "有事件日期"] == 0 and math.isnan(r.loc["其他", "平均滞后（天）"])
    assert r.loc["合计", "核减人数"] == 4 and r.loc["合计", "有事件日期"] == 3
    assert r.loc["合计", "平均滞后（天）"] == pytest.approx((212 + 37 + 161) / 3)
    assert r.loc["合计", "90天内核减"] == 1 and r.loc["合计", "及时率（%）"] == pytest.approx(100 / 3)
    b = rm.removal_lag_bands(register, H1).set_index("滞后时间")["核减人数"].to_dict()
    assert b == {"30天以内": 0, "31-90天": 1, "91-180天": 1, "180天以上": 1, "合计": 3}


@pytest.fixture
def projects():
    def p(pid_, year, budget, spent, ps, pf, as_=None, af=None, acc=None):
        return dict(project_id=pid_, project_name=f"{pid_}村项目", project_type="infrastructure", township_code="T1",
                    village_code="V1", year=year, budget=float(budget), spent=float(spent), planned_start=ps,
                    planned_finish=pf, actual_start=as_, actual_finish=af, acceptance=acc)
    return frame("migrant_projects", [
        p("A", 2023, 100_000, 100_000, "2023-02-01", "2023-05-01", "2023-02-01", "2023-04-20", "passed"),
        p("B", 2023, 200_000, 150_000, "2023-03-01", "2023-06-01", "2023-03-20", "2023-06-20", "failed"),
        p("C", 2023, 300_000, 60_000, "2023-05-01", "2023-06-15", "2023-05-01", "2023-08-01", "passed"),
        p("D", 2023, 400_000, 0, "2023-08-01", "2023-12-01"),
        p("E", 2022, 999_999, 0, "2022-08-01", "2022-12-01", "2022-08-01", "2022-11-01", "passed"),
    ])


def test_project_status_as_of_the_period_end(projects):
    t = rm.project_status(projects, AREAS, H1).set_index("项目名称")
    assert list(t.index) == ["A村项目", "B村项目", "C村项目", "D村项目"]
    assert t.loc["A村项目", "状态"] == "按期完工" and t.loc["A村项目", "偏差（天）"] == -11
    assert t.loc["B村项目", "状态"] == "延期完工" and t.loc["B村项目", "偏差（天）"] == 19
    assert t.loc["B村项目", "验收"] == "不合格"
    # C finished in August: not known at 30 June; 15 days overdue then
    assert t.loc["C村项目", "状态"] == "在建（已逾期）" and t.loc["C村项目", "偏差（天）"] == 15
    assert t.loc["C村项目", "实际工期"] == "2023-05-01 至 （在建）" and t.loc["C村项目", "验收"] == "—"
    assert t.loc["D村项目", "状态"] == "未开工" and math.isnan(t.loc["D村项目", "偏差（天）"])
    assert t.loc["A村项目", "资金（万元）"] == 10 and t.loc["A村项目", "乡镇街道"] == "甲镇"
    s = rm.schedule_frame(projects, H1).set_index("name")
    assert pd.isna(s.loc["C村项目", "actual_finish"]) and pd.isna(s.loc["D村项目", "actual_start"])


def test_project_rates_match_the_indicators(projects):
    from civmon.indicators import migrants as im

    r = rm.project_rates(projects, H1, {"on_time_finish_rate": 90.0}).set_index("指标")
    assert r["数值（%）"].tolist() == pytest.approx([
        im.project_completion_rate(projects, H1), im.on_time_start_rate(projects, H1),
        im.on_time_finish_rate(projects, H1), im.budget_execution_rate(projects, H1),
        im.acceptance_pass_rate(projects, H1)])
    assert r.loc["后扶项目完工率", "数值（%）"] == 50  # A, B of four
    assert r.loc["项目按时完工率", "分子"] == "按时完工项目数 1" and r.loc["项目按时完工率", "分母"] == "应完工项目数 3"
    assert r.loc["项目按时完工率", "目标（%）"] == 90 and math.isnan(r.loc["后扶项目完工率", "目标（%）"])


def test_income_satisfaction_and_visits():
    survey = frame("migrant_survey", [
        dict(household_id=h, township_code="T1", village_code="V1", year=y, income_per_capita=inc, satisfied=sat)
        for h, y, inc, sat in [("H1", 2022, 40_000.0, True), ("H2", 2022, 50_000.0, False),
                               ("H1", 2023, 46_000.0, True), ("H2", 2023, 52_000.0, True),
                               ("H1", 2024, 99_000.0, True)]])
    bench = frame("rural_income_benchmark", [dict(year=2022, income_per_capita=44_000.0),
                                             dict(year=2023, income_per_capita=50_000.0)])
    inc = rm.income_by_year(survey, bench, H1).set_index("年度")
    assert list(inc.index) == ["2022年", "2023年"]  # 2024 is after the period
    assert inc.loc["2022年", "收入比（倍）"] == pytest.approx(45_000 / 44_000) and inc.loc["2022年", "达到1.0"] == "是"
    assert inc.loc["2023年", "收入比（倍）"] == pytest.approx(49_000 / 50_000) and inc.loc["2023年", "达到1.0"] == "否"
    sat = rm.satisfaction_by_year(survey, H1).set_index("年度")
    # Wilson interval for 1 of 2 at 95%: centre 0.5, half-width z sqrt(1/8 + z^2/16) / (1 + z^2/2)
    z = 1.959963984540054
    half = z * math.sqrt(0.25 / 2 + z * z / 16) / (1 + z * z / 2)
    assert sat.loc["2022年", "满意度（%）"] == 50
    assert sat.loc["2022年", "95%下限（%）"] == pytest.approx(100 * (0.5 - half))
    assert sat.loc["2023年", "不满意户数"] == 0


def test_visits_by_area(register):
    visits = frame("migrant_visits", [
        dict(visit_id="Z1", household_id="H1", township_code="T1", date="2023-02-01"),
        dict(visit_id="Z2", household_id="H3", township_code="T2", date="2022-12-01"),  # last year
        dict(visit_id="Z3", household_id="H4", township_code="T2", date="2023-07-05"),  # after the period
        dict(visit_id="Z4", household_id="H2", township_code="T1", date="2023-06-30"),
    ])
    # on the register at 2023-06-30: H1 (1, 2), H2 (3), H3 (4), H4 (6; 5 removed); H5, H6 all removed
    t = rm.visits_by_area(register, visits, AREAS, H1, "township").set_index("乡镇街道")
    assert t.loc["甲镇", ["在册户数", "已走访户数"]].tolist() == [2, 2]
    assert t.loc["乙镇", ["在册户数", "已走访户数"]].tolist() == [2, 0]
    assert t.loc["合计", "覆盖率（%）"] == 50


# --- performance sheet ---------------------------------------------------------------------------

@pytest.mark.parametrize("value,target,weight,hib,expected", [
    (100.0, 95.0, 10, True, (1.0, 10.0, "达成")),              # above target: full points
    (90.0, 100.0, 10, True, (0.9, 9.0, "达成")),               # 100-80 band
    (80.0, 100.0, 5, True, (0.8, 4.0, "达成")),                # band edge belongs to the upper band
    (70.0, 100.0, 10, True, (0.7, 7.0, "部分达成")),            # 80-60
    (30.0, 100.0, 10, True, (0.3, 3.0, "未达成")),              # 60-0
    (20.0, 10.0, 10, False, (0.5, 5.0, "未达成")),              # lower is better: target / value
    (0.0, 10.0, 10, False, (1.0, 10.0, "达成")),
])
def test_score_item(value, target, weight, hib, expected):
    r, score, band = rm.score_item(value, target, weight, hib)
    assert r == pytest.approx(expected[0]) and score == pytest.approx(expected[1]) and band[2] == expected[2]


def test_score_item_without_value():
    assert rm.score_item(None, 100.0, 10) == (None, None, None)
    assert rm.score_item(float("nan"), 100.0, 10) == (None, None, None)


def test_performance_weights_follow_the_convention():
    w = pd.DataFrame([(i.category, i.weight) for i in rm.PERFORMANCE_ITEMS], columns=["c", "w"]).groupby("c").w.sum()
    assert w.to_dict() == {"产出指标": 50, "效益指标": 30, "满意度指标": 10, "预算执行率": 10}


def test_performance_sheet_targets_prorating_and_total():
    values = {it.indicator: it.target for it in rm.PERFORMANCE_ITEMS}  # every default target met ...
    values["budget_execution_rate"] = 72.0          # ... except: 72 / 90 = 0.8 of 10 points
    values["migrant_income_ratio"] = 0.5           # 0.5 / 0.8 (params target) = 0.625 of 20
    values["visit_coverage_ytd"] = 40.0             # H1: target 90 x 6/12 = 45 -> 40/45 of 10
    values["acceptance_pass_rate"] = None           # no data: left out, total rescaled
    sheet = rm.performance_sheet(values, {"migrant_income_ratio": 0.8}, H1).set_index("id")
    assert sheet.loc["visit_coverage_ytd", "目标值"] == 45 and sheet.loc["project_completion_rate", "目标值"] == 50
    assert sheet.loc["migrant_income_ratio", "目标值"] == 0.8 and sheet.loc["migrant_income_ratio", "目标依据"] == "运行参数"
    assert sheet.loc["budget_execution_rate", "得分"] == pytest.approx(8.0)
    assert sheet.loc["migrant_income_ratio", "得分"] == pytest.approx(12.5)
    assert sheet.loc["migrant_income_ratio", "档次"] == "部分达成（80%-60%）"
    assert sheet.loc["visit_coverage_ytd", "得分"] == pytest.approx(80 / 9)
    assert sheet.loc["acceptance_pass_rate", "档次"] == "无数据"
    # project_completion_rate at its annual target 100 is above the pro-rated 50: full points
    assert sheet.loc["project_completion_rate", "得分"] == 10
    total, grade, points = rm.performance_total(sheet.reset_index())
    lost = 2.0 + 7.5 + (10 - 80 / 9)
    assert points == pytest.approx(95 - lost) and total == pytest.approx(100 * (95 - lost) / 95)
    assert grade == "良"  # 88.8
    full = rm.performance_sheet(values, {}, Period.parse("2023"))
    assert full.set_index("id").loc["visit_coverage_ytd", "目标值"] == 90


def test_grades():
    def sheet(score):
        return pd.DataFrame({"分值": [100.0], "得分": [score]})
    assert [rm.performance_total(sheet(s))[1] for s in (90, 89.99, 80, 60, 59.9)] == ["优", "良", "良", "中", "差"]
    assert rm.performance_total(pd.DataFrame({"分值": [10.0], "得分": [None]}))[1] == "—"


# --- on the generated sample: planted anomalies and the planted income effect ---------------------

@pytest.fixture(scope="module")
def sample():
    parts = sample_migrants.generate(build_areas(SEED), np.random.default_rng([SEED, 3]), 1.0)
    data = {k: pseudonymise(v, DATASETS[k], SAMPLE_KEY) for k, v in parts.frames.items()}
    return parts.truth, data


def test_reconciliation_table_equals_the_planted_anomalies(sample):
    truth, data = sample
    s = rm.status_frame(rm.reconciliation(data, H1)).set_index("核对结果")
    planted = truth["subsidy"]["2023"]["anomalies"]
    zh = {"eligible_unpaid": "应发未发", "duplicate": "重复发放", "paid_after_removal": "死亡或迁出后仍发放",
          "wrong_amount": "金额不符"}
    for key, a in planted.items():
        assert s.loc[zh[key], "人数"] == a["count"], key
        assert abs(s.loc[zh[key], "差额（元）"]) == pytest.approx(a["amount"]), key
    assert {k: (v["count"], v["amount"]) for k, v in planted.items()} == {
        "eligible_unpaid": (12, 7200.0), "duplicate": (3, 1800.0), "paid_after_removal": (5, 3000.0),
        "wrong_amount": (7, 1800.0)}
    assert s.loc["足额发放", "人数"] == truth["subsidy"]["2023"]["paid_in_full"]
    assert s.loc["非扶持对象发放", "人数"] == 0


def test_income_did_recovers_the_planted_effect(sample):
    truth, data = sample
    eff = rm.income_effect(data, H1)
    att = eff.event.att
    true_att = truth["income_did"]["att_overall"]
    assert att.ci_low <= true_att <= att.ci_high
    assert att.n_clusters == eff.villages == 48 and "village_code" in att.method
    assert eff.treated_villages == truth["income_did"]["villages_by_cohort"]["2021"] + \
        truth["income_did"]["villages_by_cohort"]["2022"]
    et = eff.event.by_event_time.set_index("event_time")
    for e, cell in truth["income_did"]["event_time"].items():
        assert et.loc[int(e), "ci_low"] <= cell["effect"] <= et.loc[int(e), "ci_high"], e
    f = rm.income_effect_frame(eff)
    assert f.loc[0, "收入差异（%）"] == pytest.approx(100 * (math.exp(att.estimate) - 1))
    # the 2x2 cross-check: villages completing in 2021 against those untreated through 2023
    planted = truth["income_did"]["did_2x2_2021_vs_never"]
    assert eff.did_cohort == 2022 and eff.did.ci_low <= planted["effect"] <= eff.did.ci_high
    assert eff.did.n_clusters == planted["treated_villages"] + planted["control_villages"]
    assert f.loc[2, "估计方法"] == "2×2双重差分（2021年完工村对未完工村）"


def test_income_panel_uses_only_what_is_known_at_the_period_end(sample):
    _, data = sample
    p = rm.income_panel(data, Period.parse("2022H2"))
    assert p["year"].max() == 2022
    # completions after 2022 do not treat anyone in this panel
    assert (p["first_treated"].dropna() <= 2023).all()
    eff = rm.income_effect(data, Period.parse("2022H2"))
    assert eff.event.att.ci_low <= 0.05 <= eff.event.att.ci_high  # cohort 2022 at event time 0: theta


# --- what the notebook shows: district against township scope ------------------------------------

def _ctx(data, scope="district"):
    areas = pd.DataFrame({"area_code": ["T1", "T2", "T3", "V1", "V2", "V3"],
                          "area_name": ["甲镇", "乙镇", "丙镇", "一村", "二村", "三村"],
                          "level": ["township"] * 3 + ["village"] * 3, "parent_code": [None] * 3 + ["T1", "T1", "T2"]})
    data = {**data, "areas": areas}
    ctx = ReportContext(params=parse_params({"scope": scope}), programme="migrants", township=None,
                        scope_label="全区", data_all=data)
    if scope != "district":
        from civmon.report.context import resolve_scope

        ctx.township, ctx.scope_label = resolve_scope(scope, areas)
    return ctx


def test_scope_without_migrants_says_so(register, payments, projects):
    data = {"migrant_register": register, "migrant_payments": payments, "migrant_projects": projects,
            "migrant_survey": frame("migrant_survey", []),
            "rural_income_benchmark": frame("rural_income_benchmark", []),
            "migrant_visits": frame("migrant_visits", [])}
    ctx = _ctx(data, "丙镇")
    recon = rm.reconciliation(ctx.data, ctx.period)
    for shown in (rm.status_table(ctx, recon, "表"), rm.entitled_area_table(ctx, recon, "表"),
                  rm.timeliness_table(ctx, "表"), rm.removals_reason_table(ctx, "表"), rm.visits_table(ctx, "表"),
                  rm.income_table(ctx, "表")):
        assert isinstance(shown, Text) and shown.paragraphs == [rm.NO_MIGRANTS]
    assert rm.income_effect_for_report(ctx) == rm.NO_MIGRANTS
    sheet, total, grade = rm.performance(ctx)
    assert math.isnan(total) and isinstance(rm.performance_table(sheet, total, grade, "表"), Text)
    hl = rm.headline(ctx).frame
    assert rm.findings(ctx, hl) == ["2023年上半年，丙镇无水库移民后期扶持人口，本报告各项指标不适用。"]


def test_township_tables_are_suppressed_and_sentences_hide_small_counts(register, payments, projects):
    data = {"migrant_register": register, "migrant_payments": payments, "migrant_projects": projects}
    ctx = _ctx(data, "甲镇")
    recon = rm.reconciliation(ctx.data, ctx.period)
    t = rm.status_table(ctx, recon, "表")
    assert isinstance(t, Table) and (t.frame["人数"] == "＊").any()
    status = rm.status_frame(recon)
    removals = rm.removals_by_reason(ctx.data["migrant_register"], ctx.period)
    text = " ".join(rm.findings(ctx, rm.headline(ctx).frame, status, removals))
    assert "应发未发少于5人" in text and "600元" not in text and "期内核减少于5人" in text
    district = _ctx(data)
    text = " ".join(rm.findings(district, rm.headline(district).frame, rm.status_frame(rm.reconciliation(data, H1))))
    assert "应发未发1人、少发600元" in text


def test_income_effect_not_estimable_says_why_in_chinese(sample):
    from types import SimpleNamespace

    _, data = sample
    ctx = SimpleNamespace(data=data, data_all=data, period=Period.parse("2021-03"), is_district=True, scope_label="全区")
    eff = rm.income_effect_for_report(ctx)  # no project completed by March 2021
    assert isinstance(eff, str) and eff.startswith(rm.NOT_ESTIMABLE)
    assert isinstance(rm.income_effect_table(eff, "表"), Text)


def test_projects_behind_schedule_are_named_in_the_findings(register, payments):
    def p(pid_, ps, pf, as_=None):
        return dict(project_id=pid_, project_name=f"{pid_}村项目", project_type="training", township_code="T1",
                    village_code="V1", year=2023, budget=1.0, spent=0.0, planned_start=ps, planned_finish=pf,
                    actual_start=as_)
    projects = frame("migrant_projects", [p("G", "2023-06-01", "2023-09-01"),                 # should have started
                                          p("H", "2023-02-01", "2023-05-01", "2023-02-10"),   # should have finished
                                          p("K", "2023-07-01", "2023-09-01")])                # not due yet
    st = rm.project_status(projects, AREAS, H1).set_index("项目名称")["状态"].to_dict()
    assert st == {"H村项目": "在建（已逾期）", "G村项目": "逾期未开工", "K村项目": "未开工"}
    ctx = _ctx({"migrant_register": register, "migrant_payments": payments, "migrant_projects": projects})
    assert rm._project_delays(ctx) == "截至期末，1个项目逾期未开工、1个项目逾期未完工，应督促加快实施。"


@pytest.mark.parametrize("rate,low,high,phrase", [
    (96.0, 94.0, 97.5, "达到95%的目标。"),
    (94.7, 92.8, 96.1, "略低于95%的目标，差距在抽样误差范围内。"),
    (90.0, 87.0, 92.5, "显著低于95%的目标。"),
])
def test_satisfaction_sentence_against_the_target(register, payments, rate, low, high, phrase):
    ctx = _ctx({"migrant_register": register, "migrant_payments": payments})
    sat = pd.DataFrame([{"年度": "2023年", "调查户数": 720, "满意户数": 690, "不满意户数": 30, "满意度（%）": rate,
                         "95%下限（%）": low, "95%上限（%）": high}])
    text = rm.findings(ctx, rm.headline(ctx).frame, satisfaction=sat)[-1]
    assert text.startswith(f"2023年移民群众满意度{rate:.1f}%") and text.endswith(phrase)


def test_payments_to_persons_never_verified():
    reg = frame("migrant_register", [person(1, "H1", eligible=False), person(2, "H1")])
    pay = frame("migrant_payments", [dict(payment_id=f"P{i}", id_number=pid(i), township_code="T1", year=2023,
                                          amount=600.0, paid_date="2023-03-01") for i in (1, 2, 3)])
    recon = rm.reconciliation({"migrant_register": reg, "migrant_payments": pay}, H1)
    i = rm.improper_by_area(recon, AREAS, "township").set_index("乡镇街道")
    # 1 is not eligible, 3 is not on the register (its township comes from the payment)
    assert i.loc["甲镇", ["非扶持对象发放（人）", "非扶持对象金额（元）", "核减后发放（人）"]].tolist() == [2, 1200, 0]
    s = rm.status_frame(recon).set_index("核对结果")
    assert s.loc["非扶持对象发放", "人数"] == 2 and s.loc["非扶持对象发放", "差额（元）"] == 1200


def test_schedule_chart_draws_planned_and_actual_bars(projects):
    from civmon import plots

    f = rm.schedule_frame(projects, H1)  # A, B done; C started (open at the period end); D not due
    chart = plots.schedule_chart(f, caption="图", source="示例", as_of=H1.end_ts)
    ax = chart.figure.axes[0]
    bars = [p for p in ax.patches if p.get_height() == pytest.approx(0.32)]
    assert len(bars) == 4 + 3  # four planned, three actual (C's runs to the period end)
    open_bar = [p for p in bars if p.get_hatch()]
    assert len(open_bar) == 1 and open_bar[0].get_x() + open_bar[0].get_width() == pytest.approx(
        matplotlib_date(H1.end_ts))
    texts = {t.get_text() for t in ax.texts}
    assert "延误19天" in texts and "期末" in texts and "逾期未开工" not in texts
    # first project (earliest planned start) at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A村项目", "B村项目", "C村项目", "D村项目"]
    assert list(ax.get_yticks()) == [3, 2, 1, 0]
    assert chart.png()[:4] == b"\x89PNG"


def matplotlib_date(ts) -> float:
    import matplotlib.dates as mdates

    return mdates.date2num(ts)
