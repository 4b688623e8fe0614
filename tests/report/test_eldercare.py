"""The eldercare report's words: sentences, tables and charts phrased from evaluations of small
hand-made data (tests/evaluation/eldercare_data.py) and of a noise-free planted upgrade panel."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest

from civmon.evaluation import eldercare as ee
from civmon.evaluation.headline import Headline
from civmon.period import Period
from civmon.plots import Chart
from civmon.report import eldercare as ec
from civmon.report.tables import Table, Text

from evaluation.eldercare_data import (H1, Y2023, centres, evaluation, inspections, institutions, meals,  # noqa: F401
                                       areas, names, planted_panel)

ELEMENTS = ("headline_table", "area_text", "area_group_table", "area_chart", "area_township_table",
            "below_standard_table", "meal_text", "meal_township_table", "meal_chart", "uncovered_table",
            "safety_text", "findings_by_type_table", "open_findings_table", "effects_text", "effects_table",
            "services_chart", "satisfaction_chart", "carers_text", "carers_table", "carers_township_table",
            "main_findings")
DISTRICT_ONLY = {"area_township_table", "meal_township_table", "meal_chart", "carers_township_table"}


@pytest.fixture(scope="module")
def district():
    return evaluation()


@pytest.fixture(scope="module")
def town():
    return evaluation("甲镇")


# --- every element --------------------------------------------------------------------------------

def test_every_element_renders_and_captions_carry_no_number(district, town):
    for ev in (district, town):
        for name in ELEMENTS:
            el = getattr(ec, name)(ev)
            if el is None:
                # the hand-made data have no upgrades: no estimate, so no table or event chart
                assert (name in DISTRICT_ONLY and not ev.inputs.is_district) or (
                    not ev.effects.estimated and name in ("effects_table", "services_chart", "satisfaction_chart"))
                continue
            el._repr_html_()
            assert not re.match(r"[表图]\d", getattr(el, "caption", "")), name


def test_township_report_leaves_out_the_district_breakdowns(district, town):
    for name in DISTRICT_ONLY:
        assert getattr(ec, name)(town) is None and getattr(ec, name)(district) is not None, name


def test_headline_table_prints_whole_numbers_without_decimals():
    hl = Headline(pd.DataFrame([dict(id=i, label_zh="甲", label_en="", programme="eldercare", unit="家", value=v,
                                     previous=25.0, year_earlier=92.459, yoy_pct=None, target=None, status="none",
                                     formula="", headline=True) for i, v in (("x", 0.0), ("y", 84.26))]))
    t = ec.headline_table(SimpleNamespace(headline=hl))
    html = t.to_html()
    assert ">0<" in html and ">25<" in html and ">92.46<" in html and ">84.26<" in html and "0.00" not in html
    assert t.caption == "主要指标" and t.key == "headline"
    assert "未设定时助餐覆盖率按90%。乡镇街道报告只对照比率类目标。" in t.notes[1]


# --- area standard --------------------------------------------------------------------------------

def test_area_sentences(centres, names):
    s = ec.area_sentences(ee.area_standard(centres, H1, 20.0, names))
    assert s[0] == "按每百户20平方米的面积标准，期末已建成的4家照料中心中，2家面积未达标（占50.0%），合计缺口150平方米。"
    assert "城镇老旧小区中心2家，其中1家未达标（50.0%），缺口100平方米，占全部缺口的66.7%" in s[1]
    assert "其他中心未达标比例为50.0%" in s[1]
    assert ec.area_sentences(ee.area_standard(centres.iloc[:0], H1, 20.0, names)) == ["期末本范围内无已建成的照料中心。"]


def test_area_tables_and_chart(district):
    g = ec.area_group_table(district)
    assert g.frame["中心类别"].tolist() == ["城镇老旧小区", "其他城镇", "农村", "合计"] and g.total_row
    lst = ec.below_standard_table(district).frame
    assert lst["中心"].tolist() == ["南社区", "西村"] and lst["类别"].tolist() == ["城镇老旧小区", "农村"]
    assert lst["缺口（平方米）"].tolist() == [100.0, 50.0]
    assert ec.area_township_table(district).frame["乡镇街道"].tolist() == ["乙街道", "甲镇", "合计"]
    chart = ec.area_chart(district)
    assert isinstance(chart, Chart) and chart.caption == "照料中心建筑面积与服务户数" and len(chart.png()) > 1000


# --- meal service ---------------------------------------------------------------------------------

def test_meal_sentences(meals, names):
    m = ee.meal_service(meals, H1, names, 90.0)
    s = ec.meal_sentences(m, True)
    assert s[0] == "期末4个村（社区）中2个已开通老年助餐服务，覆盖率50.0%，未达到90%的目标。"
    assert s[1] == "1个乡镇街道覆盖率低于目标，最低为甲镇（33.3%），各自达标合计尚需开通2个村（社区）。"
    assert s[2].startswith("尚未开通的2个村（社区）分布在1个乡镇街道")
    assert len(ec.meal_sentences(m, False)) == 2
    assert ec.meal_sentences(ee.meal_service(meals, Y2023, names, 50.0), True)[1] == "各乡镇街道覆盖率均达到目标。"


def test_meal_tables(district):
    t = ec.meal_township_table(district).frame.set_index("乡镇街道")
    assert t.loc["甲镇", "状态"] == "未达标" and t.loc["乙街道", "状态"] == "达标" and t.loc["合计", "状态"] == "未达标"
    u = ec.uncovered_table(district)
    assert isinstance(u, Table) and u.frame.to_dict("records") == [{"乡镇街道": "甲镇", "未开通数": 2, "村（社区）": "北村、西村"}]
    covered = SimpleNamespace(meals=SimpleNamespace(uncovered=district.meals.uncovered.iloc[:0]))
    assert ec.uncovered_table(covered).paragraphs == ["期末各村（社区）均已开通老年助餐服务。"]


# --- safety inspections ---------------------------------------------------------------------------

def test_safety_sentences(inspections, institutions, names):
    s = ec.safety_sentences(ee.safety(inspections, institutions, H1, names))
    assert s == ["本期对3家养老机构开展安全检查（占4家机构的75.0%），发现问题4项。",
                 "按期整改1项，闭环整改率25.0%；逾期整改1项；期末尚未整改2项。",
                 "未整改问题中1项已超过整改期限，最长逾期15天。"]
    assert ec.safety_sentences(ee.safety(inspections, institutions, Period.parse("2022H2"), names)) == \
        ["本期未开展养老机构安全检查。"]


def test_findings_tables(inspections, institutions, names):
    def ev(s):
        return SimpleNamespace(safety=s)

    s = ee.safety(inspections, institutions, H1, names)
    b = ec.findings_by_type_table(ev(s))
    assert isinstance(b, Table) and b.frame["问题类型"].tolist() == ["消防", "食品", "建筑", "合计"]
    o = ec.open_findings_table(ev(s))
    assert o.frame["问题类型"].tolist() == ["建筑", "消防"] and o.frame["检查日期"].tolist() == ["2023-05-16", "2023-06-20"]
    closed = ee.safety(inspections[inspections["finding_id"].isin(["F1"])], institutions, H1, names)
    assert ec.open_findings_table(ev(closed)).paragraphs == ["本期检查发现的问题截至期末均已整改。"]
    none = ee.safety(inspections, institutions, Period.parse("2022H2"), names)
    assert ec.open_findings_table(ev(none)) is None and ec.findings_by_type_table(ev(none)) is None


# --- carers ---------------------------------------------------------------------------------------

def test_carer_sentences(district):
    assert ec.carer_sentences(district.carers) == [
        "期末在岗养老护理员3人，已持证2人，持证率66.7%（目标100%），本期新增持证2人。"
        "照料中心护理员持证率（0.0%）低于养老机构（100.0%）。"]
    assert ec.carers_table(district).frame["所在单位"].tolist() == ["养老机构", "照料中心", "合计"]


# --- upgrade effects ------------------------------------------------------------------------------

def test_effect_sentences_and_table_on_the_planted_panel():
    p, truth = planted_panel(noise=1e-6)
    eff = ee.estimate_effects(p)
    naive = eff.naive["service_person_times"].estimate
    s = ec.effect_sentences(eff)
    assert s[0] == "截至期末共有12家照料中心分2批完成提升改造，以20家从未改造的中心为对照，比较完工前6个月至完工后17个月的变化。"
    assert f"平均提高{truth['att']:.1f}人次" in s[1] and "显著" in s[1]
    assert s[2].startswith(f"朴素双向固定效应估计的月度服务人次效应为{naive:.1f}人次，比事件研究低")
    assert "增长被当作对照的变化扣除" in s[2]
    assert ec.effects_finding(eff)[0].startswith("已完成提升改造的12家照料中心，改造后月度服务人次提高")
    ev = SimpleNamespace(effects=eff, inputs=SimpleNamespace(synthetic=True, params=SimpleNamespace(district="吴兴区")))
    t = ec.effects_table(ev)
    assert t.frame["估计方法"].tolist() == ["事件研究", "朴素双向固定效应"] * 2
    es = eff.event["service_person_times"]
    assert t.frame["95%置信区间"].iloc[0] == f"{es.att.ci_low:.2f} ～ {es.att.ci_high:.2f}"
    assert t.notes == eff.method_note.splitlines() and t.notes[1].startswith("朴素双向固定效应：")
    assert ec.services_chart(ev).caption == "提升改造前后月度服务人次的变化（事件研究）"


def test_no_estimate_gives_a_sentence_and_no_table_or_chart():
    eff = ee.UpgradeEffects(reason="too_few_upgraded", n=4, needed=5)
    assert ec.effect_sentences(eff) == ["截至期末本范围内完成提升改造的照料中心为4家，少于5家，不足以可靠估计改造效果，本节从略；"
                                        "改造效果请参阅全区报告。"]
    ev = SimpleNamespace(effects=eff, inputs=SimpleNamespace(synthetic=True, params=SimpleNamespace(district="吴兴区")))
    assert ec.effects_table(ev) is None and ec.satisfaction_chart(ev) is None and ec.effects_finding(eff) == []
    other = ee.UpgradeEffects(reason="not_estimable", detail="too few clusters")
    assert ec.effect_sentences(other)[0].startswith("本范围内的改造中心和对照中心不足以支持事件研究估计")
    assert "（估计程序提示：too few clusters）" in ec.effect_sentences(other)[0]


@pytest.mark.parametrize("naive,gap,bias,words", [
    (7.0, -3.0, "growth_absorbed", ["比事件研究低3.0人次", "增长被当作对照的变化扣除"]),
    (12.0, 2.0, "decline_absorbed", ["比事件研究高2.0人次", "回落"]),
    (12.0, 2.0, "weighting", ["比事件研究高2.0人次", "按处理方差"]),
])
def test_naive_sentence(naive, gap, bias, words):
    s = ec.naive_sentence("月度服务人次", "人次", naive, gap, bias)
    assert all(w in s for w in words), s


# --- the findings ---------------------------------------------------------------------------------

def test_findings_sentences():
    rows = [("care_centers", 200.0, "家"), ("care_center_service_times", 105125.0, "人次"),
            ("institutions_inspected", 0.0, "家"), ("dementia_beds_new", 100.0, "张"),
            ("certified_carers_new", 149.0, "人"), ("meal_service_coverage", 92.459, "%"),
            ("centers_upgrade_planned", 25.0, "家"), ("upgrades_started", 6.0, "家"), ("upgrades_completed", 0.0, "家")]
    f = pd.DataFrame([dict(id=i, label_zh=i, unit=u, value=v, status="none") for i, v, u in rows])
    f.loc[f["id"] == "meal_service_coverage", "status"] = "met"
    f.loc[f["id"] == "dementia_beds_new", "status"] = "not_met"
    hl = Headline(f)
    s = ec.findings_sentences(hl, ee.target_check(hl), ["A1", "A2", "A3"], ["M1", "M2"], ["S1", "S2"], ["E1"], ["C1"],
                              "全区", "2023年上半年")
    assert s[0] == ("2023年上半年，全区200家居家养老服务照料中心累计服务老人105,125人次；新建认知障碍照护专区床位100张，"
                    "新增持证护理人员149人；老年助餐村社区覆盖率92.5%；完成25家照料中心提升改造方案设计，开工6家。")
    assert s[1] == "设定目标的2项主要指标中1项达标，dementia_beds_new未达标。"
    assert s[2:] == ["A1", "A2", "M1", "S2", "E1", "C1"]


def test_main_findings_box(district):
    box = ec.main_findings(district)
    assert isinstance(box, Text) and box.css_class == "finding"
    assert box.paragraphs[0].startswith("2023年上半年，全区")


def test_effects_robustness_tables_per_outcome_with_the_verdict():
    p, truth = planted_panel(noise=1e-6, n_never=30)
    eff = ee.estimate_effects(p)
    ev = SimpleNamespace(effects=eff)
    g = ec.effects_robustness(ev)
    assert [t.key for t in g] == ["effects_robustness_service_person_times", "effects_robustness_satisfaction"]
    t = g.parts[0]
    assert t.caption == "提升改造效果的稳健性：月度服务人次" and not re.match(r"[表图]\d", t.caption)
    assert t.frame.columns.tolist() == ["设计", "用途", "效应（人次）", "95%置信区间"]
    assert t.frame["设计"].tolist() == ["Sun-Abraham 交互加权估计", "两阶段插补估计（Gardner/BJS）", "剔除最早完工批次"]
    assert t.frame["用途"].tolist() == ["主设计", "替代设计", "替代设计"]
    assert t.frame["效应（人次）"].iloc[0] == pytest.approx(truth["att"], abs=1e-4)
    assert t.notes[0] == "改造对月度服务人次的效应：各替代设计的估计方向一致且置信区间均不含0，结论稳健。"
    assert t.notes[1].startswith("事前趋势检验（完工前各月效应联合为零）：F = ") and t.notes[1].endswith("未见完工前差异。")
    assert t.notes[2].startswith("两阶段插补估计（Borusyak-Jaravel-Spiess；Gardner两阶段）")
    assert g.parts[1].frame.columns[2] == "效应（分）"
    g._repr_html_()


def test_effects_robustness_is_left_out_without_an_estimate_and_names_a_skipped_design():
    none = SimpleNamespace(effects=ee.UpgradeEffects(reason="too_few_upgraded", n=4, needed=5))
    assert ec.effects_robustness(none) is None
    p, _ = planted_panel(noise=0.5, n_never=4, sizes=(6, 2))
    t = ec.effects_robustness(SimpleNamespace(effects=ee.estimate_effects(p, outcomes=("service_person_times",))))
    assert len(t) == 1 and len(t.parts[0].frame) == 2
    assert t.parts[0].notes[0].endswith("未能估计的设计：剔除最早完工批次（剔除后剩余批次、对照或聚类数不足）。")
