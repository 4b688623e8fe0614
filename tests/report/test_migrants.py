"""Phrasing of the migrant post-support evaluation: Chinese tables, captions and sentences made from
the evaluation of hand-made frames and of the generated sample."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pandas as pd
import pytest

from civmon.evaluation import migrants as em
from civmon.period import Period
from civmon.plots import Chart
from civmon.report import migrants as rm
from civmon.report.tables import Table, Text

from evaluation.migrants_data import H1, evaluation, frame, sample
from evaluation.migrants_data import delayed_projects as make_delayed_projects
from evaluation.migrants_data import payments as make_payments
from evaluation.migrants_data import projects as make_projects
from evaluation.migrants_data import register as make_register

ELEMENTS = ["headline_table", "assumptions_table", "status_table", "entitled_area_table", "improper_area_table",
            "problem_village_table", "timeliness_table", "removals_reason_table", "lag_bands_table",
            "project_status_table", "project_rates_table", "schedule_chart", "income_table", "income_chart",
            "income_effect_table", "event_chart", "satisfaction_table", "visits_table", "performance_table"]


@pytest.fixture
def data():
    return {"migrant_register": make_register(), "migrant_payments": make_payments(),
            "migrant_projects": make_projects()}


def sentences(ev) -> list[str]:
    return rm.findings(ev).paragraphs


def test_scope_without_migrants_says_so(data):
    ev = evaluation(data, "丙镇")
    for name in ("status_table", "entitled_area_table", "timeliness_table", "removals_reason_table", "visits_table",
                 "income_table", "income_effect_table", "event_chart", "performance_table"):
        shown = getattr(rm, name)(ev)
        assert isinstance(shown, Text) and shown.paragraphs == [rm.NO_MIGRANTS], name
    assert sentences(ev) == ["2023年上半年，丙镇无水库移民后期扶持人口，本报告各项指标不适用。"]


def test_township_tables_are_suppressed_and_sentences_hide_small_counts(data):
    ev = evaluation(data, "甲镇")
    t = rm.status_table(ev)
    assert isinstance(t, Table) and (t.frame["人数"] == "＊").any()
    text = " ".join(sentences(ev))
    assert "应发未发少于5人" in text and "600元" not in text and "期内核减少于5人" in text
    assert "截至期末已死亡或迁出但尚未核减的人员：0人。" in rm.lag_bands_table(ev).notes
    assert "应发未发1人、少发600元" in " ".join(sentences(evaluation(data)))


def test_township_reports_list_villages_and_skip_the_problem_village_table(data):
    town, district = evaluation(data, "甲镇"), evaluation(data)
    assert rm.entitled_area_table(town).frame.columns[0] == "村（社区）"
    assert rm.entitled_area_table(district).frame.columns[0] == "乡镇街道"
    assert rm.problem_village_table(town).paragraphs == ["本乡镇街道各村（社区）的核对情况见上两表。"]
    v = rm.problem_village_table(district)
    assert isinstance(v, Table) and v.frame["村（社区）"].iloc[-1] == "合计（所列村）"
    assert v.frame["村（社区）"].iloc[0] == "一村（甲镇）"


def test_tables_carry_captions_without_numbers_and_unique_keys(data):
    ev = evaluation(data)
    shown = [getattr(rm, name)(ev) for name in ELEMENTS]
    captioned = [s for s in shown if isinstance(s, (Table, Chart))]
    assert [s.caption for s in captioned][:3] == ["主要指标", "评价口径与假设", "直补资金核对结果"]
    assert not any(s.caption[0] in "表图" and s.caption[1:2].isdigit() for s in captioned)
    keys = [s.key for s in captioned]
    assert None not in keys and len(set(keys)) == len(keys)


def test_labels_are_chinese(data):
    ev = evaluation(data)
    assert rm.status_table(ev).frame["核对结果"].tolist() == [
        "足额发放", "应发未发", "重复发放", "金额不符", "死亡或迁出后仍发放", "非扶持对象发放", "合计"]
    assert rm.removals_reason_table(ev).frame["核减原因"].tolist() == ["死亡", "迁出", "其他", "合计"]
    assert "90天内核减" in rm.removals_reason_table(ev).frame.columns
    assert rm.lag_bands_table(ev).frame["滞后时间"].tolist() == ["30天以内", "31-90天", "91-180天", "180天以上", "合计"]
    p = rm.project_status_table(ev).frame.set_index("项目名称")
    assert p.loc["C村项目", "状态"] == "在建（已逾期）" and p.loc["C村项目", "实际工期"] == "2023-05-01 至 （在建）"
    assert p.loc["C村项目", "验收"] == "—" and p.loc["B村项目", "验收"] == "不合格" and p.loc["A村项目", "类型"] == "基础设施"
    assert p.loc["D村项目", "实际工期"] == "—"
    r = rm.project_rates_table(ev).frame.set_index("指标")
    assert r.loc["项目按时完工率", "分子"] == "按时完工项目数 1" and r.loc["项目按时完工率", "分母"] == "应完工项目数 3"
    assert r.loc["项目资金执行率", "分子"] == "已支出（万元） 31.00"
    t = rm.timeliness_table(ev).frame
    assert t["发放日期（中位）"].iloc[-1] == "2023-03-16" and t["乡镇街道"].iloc[-1] == "合计"


def test_headline_note_on_the_targets(data):
    t = rm.headline_table(evaluation(data))
    assert t.caption == "主要指标" and t.key == "headline"
    assert t.notes[-1].startswith("直补惠及人数和发放金额的目标为应发人数和应发金额")


def test_assumptions_state_the_rules(data):
    f = rm.assumptions_table(evaluation(data)).frame.set_index("口径")["说明"]
    assert f["直补标准"] == "每人每年600元，一次性发放。"
    assert f["发放期限（假设）"].startswith("当年4月30日前发放为按时")
    assert f["年度口径"].endswith("项目完工、核减、走访按期末（2023年06月30日）状态统计。")


def test_projects_behind_schedule_are_named_in_the_findings(data):
    ev = evaluation({**data, "migrant_projects": make_delayed_projects()})
    assert rm.project_delays(ev) == "截至期末，1个项目逾期未开工、1个项目逾期未完工，应督促加快实施。"
    assert any(s.endswith("应督促加快实施。") and s.startswith("后扶项目：") for s in sentences(ev))


@pytest.mark.parametrize("rate,low,high,phrase", [
    (96.0, 94.0, 97.5, "达到95%的目标。"),
    (94.7, 92.8, 96.1, "略低于95%的目标，差距在抽样误差范围内。"),
    (90.0, 87.0, 92.5, "显著低于95%的目标。"),
])
def test_satisfaction_sentence_against_the_target(data, rate, low, high, phrase):
    ev = evaluation(data)
    sat = pd.DataFrame([{"year": 2023, "surveyed": 720, "satisfied": 690, "unsatisfied": 30, "rate": rate,
                         "ci_low": low, "ci_high": high, "verdict": em.satisfaction_verdict(rate, high, 95.0)}])
    ev = dataclasses.replace(ev, satisfaction=em.Satisfaction(by_year=sat, target=95.0))
    text = [s for s in sentences(ev) if "移民群众满意度" in s][0]
    assert text.startswith(f"2023年移民群众满意度{rate:.1f}%") and text.endswith(phrase)


def test_income_effect_not_estimable_says_why_in_chinese():
    _, data = sample()
    inputs = SimpleNamespace(data=data, data_all=data, period=Period.parse("2021-03"), is_district=True,
                             scope_label="全区")
    ev = SimpleNamespace(income_effect=em.scope_income_effect(inputs))  # no project completed by March 2021
    for shown in (rm.income_effect_table(ev), rm.event_chart(ev)):
        assert isinstance(shown, Text) and shown.paragraphs[0].startswith(rm.NOT_ESTIMABLE)
        assert shown.paragraphs[0].endswith(f"（{ev.income_effect.detail}）")


def test_income_effect_table_on_the_sample():
    from civmon.evaluation.inputs import inputs_for
    from civmon.params import parse_params

    _, data = sample()
    areas = frame("areas", [])
    ev = em.evaluate(inputs_for(parse_params({}), "migrants", {**data, "areas": areas}))
    t = rm.income_effect_table(ev)
    assert t.frame["估计方法"].tolist() == ["事件研究（Sun-Abraham）", "双向固定效应（仅作对照）",
                                        "2×2双重差分（2021年完工村对未完工村）"]
    assert t.notes[0].startswith("样本：全区移民户跟踪调查，720户、48个村") and "Sun-Abraham 交互加权估计" in t.notes[1]
    assert t.notes[2].startswith("平行趋势检验（完工前各期效应同时为零）：F = ")
    effect = [s for s in sentences(ev) if s.startswith("项目成效：")][0]
    assert "统计上显著；全区样本，标准误按村聚类" in effect


def test_performance_table_and_sentence(data):
    ev = evaluation(data)
    t = rm.performance_table(ev)
    total = t.frame.iloc[-1]
    assert total["一级指标"] == "合计" and total["分值"] == 100 and total["档次"].startswith("等级：")
    assert t.frame["一级指标"].tolist()[:3] == ["产出指标", "", ""]
    assert t.frame.set_index("三级指标").loc["项目资金执行率（%）", "目标依据"] == "监测评估要求"
    assert t.frame.set_index("三级指标").loc["后扶项目完工率（%）", "目标依据"] == "年度计划，按序时进度折算（年度100）"
    assert len(t.notes) == 3 and t.notes[1].startswith("合计得分：")
    assert sentences(ev)[-1].startswith("绩效评价得分")


def test_schedule_chart_draws_planned_and_actual_bars(data):
    import matplotlib.dates as mdates

    chart = rm.schedule_chart(evaluation(data))  # A, B done; C started (open at the period end); D not due
    assert chart.caption == "后扶项目计划与实际工期" and chart.key == "schedule"
    ax = chart.figure.axes[0]
    bars = [p for p in ax.patches if p.get_height() == pytest.approx(0.32)]
    assert len(bars) == 4 + 3  # four planned, three actual (C's runs to the period end)
    open_bar = [p for p in bars if p.get_hatch()]
    assert len(open_bar) == 1 and open_bar[0].get_x() + open_bar[0].get_width() == pytest.approx(
        mdates.date2num(H1.end_ts))
    texts = {t.get_text() for t in ax.texts}
    assert "延误19天" in texts and "期末" in texts and "逾期未开工" not in texts
    # first project (earliest planned start) at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A村项目", "B村项目", "C村项目", "D村项目"]
    assert list(ax.get_yticks()) == [3, 2, 1, 0]
    assert chart.png()[:4] == b"\x89PNG"


def test_income_robustness_on_the_sample_in_log_points():
    from civmon.evaluation.inputs import inputs_for
    from civmon.params import parse_params

    _, data = sample()
    ev = em.evaluate(inputs_for(parse_params({}), "migrants", {**data, "areas": frame("areas", [])}))
    t = rm.income_robustness(ev)
    assert t.caption == "后扶项目收入效应的稳健性" and t.key == "income_robustness"
    assert t.frame["设计"].tolist() == ["Sun-Abraham 交互加权估计", "两阶段插补估计（Gardner/BJS）", "剔除最早完工批次"]
    att = ev.income_effect.event.att
    assert t.frame["估计值（对数点）"].iloc[0] == att.estimate and t.decimals == {"估计值（对数点）": 4}
    assert t.frame["95%置信区间"].iloc[0] == f"{att.ci_low:.4f} ~ {att.ci_high:.4f}"
    assert t.notes[0] == "后扶项目对移民人均收入的效应：各替代设计的估计方向一致且置信区间均不含0，结论稳健。"
    assert t.notes[1].startswith("平行趋势检验（完工前各期效应同时为零）：F = ")
    assert "全区移民户跟踪调查" in t.notes[-1]
    t._repr_html_()


def test_income_robustness_is_left_out_without_an_estimate():
    _, data = sample()
    inputs = SimpleNamespace(data=data, data_all=data, period=Period.parse("2021-03"), is_district=True,
                             scope_label="全区")
    assert rm.income_robustness(SimpleNamespace(income_effect=em.scope_income_effect(inputs))) is None
