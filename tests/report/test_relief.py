"""The relief report's words: sentences, Chinese tables and charts made from evaluation results of
small hand-made frames (their numbers are checked in tests/evaluation/test_relief.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from civmon.evaluation import relief as ev
from civmon.period import Period
from civmon.report import relief as rl
from civmon.report.captions import see
from civmon.report.tables import Group, Table

from evaluation import relief_data as rd
from evaluation.relief_data import H1, planted_roster


def inputs(district: bool = True, threshold: int = 5):
    """What the phrasing reads of the inputs."""
    return SimpleNamespace(is_district=district, threshold=None if district else threshold, synthetic=True,
                           scope_label="全区" if district else "甲镇", period=H1,
                           params=SimpleNamespace(disclosure_threshold=threshold, district="吴兴区"))


def evaluation(**sections):
    """An evaluation holding the sections a test needs."""
    return SimpleNamespace(inputs=sections.pop("inputs", inputs()), **sections)


def no_needs():
    return ev.needs_result(rd.needs(), rd.areas(), Period.parse("2021H1"))


def no_enrolment():
    return ev.Enrolment(pd.DataFrame(columns=["subsidy", "eligible", "paid", "unpaid", "recent", "rate"]),
                        pd.DataFrame())


def estimate(est, lo, hi):
    return pd.Series({"estimate": est, "ci_low": lo, "ci_high": hi})


# --- 保障水平 ---------------------------------------------------------------------------------------

def test_timeliness_sentences():
    pay = pd.DataFrame({
        "due_date": pd.to_datetime(["2023-01-10", "2023-02-10", "2023-03-10", "2023-04-10", "2022-12-10"]),
        "paid_date": pd.to_datetime(["2023-01-08", "2023-02-10", "2023-03-12", None, "2022-12-30"]),
    })
    text = rl.timeliness_sentences(ev.timeliness(pay, H1))[0]
    assert "应发低保、低保边缘和特困救助金4笔，按期发放2笔，按时发放率50.0%" in text
    assert "逾期发放1笔，截至数据提取仍未发放1笔。" in text
    assert rl.timeliness_sentences(ev.timeliness(pay, Period.parse("2021H1"))) == ["本期无应发救助金记录。"]


def test_standards_and_payment_level_tables_have_chinese_headers_and_labels():
    std, hh = rd.standards(), rd.households()
    pay = pd.DataFrame({"household_id": pd.array(["A"], dtype="string"), "month": pd.to_datetime(["2023-03-01"]),
                        "category": rd.cat(["dibao"], rd.CATS), "amount": [1200.0]})
    s = ev.Standards(ev.standards_history(std, H1), ev.payment_level(pay, hh, std, H1), None, None, None)
    t = rl.standards_table(evaluation(standards=s))
    assert t.frame["执行日期"].tolist() == ["2020-07-01", "2023-04-01"] and t.caption == "低保标准和特困人员基本生活标准调整情况"
    p = rl.payment_level_table(evaluation(standards=s)).frame
    assert p["类别"].tolist() == ["低保", "低保边缘", "特困", "低收入对象合计"]
    assert p.loc[0, "人均月救助金（元）"] == 600.0


def test_adequacy_only_with_a_consumption_figure():
    std = rd.standards()
    assert "不计算" in rl.adequacy_note(None)

    def shown(consumption):
        s = ev.Standards(pd.DataFrame(), pd.DataFrame(), None, ev.adequacy(std, H1, consumption), consumption)
        return rl.adequacy(evaluation(standards=s))

    with_table = shown(33000.0)
    assert isinstance(with_table, Group) and len(with_table) == 2 and len(shown(None)) == 1
    assert with_table.parts[1].frame.set_index("类别").loc["低保", "标准占人均消费支出（%）"] == 40.0
    assert "33,000元/年" in with_table.parts[0].paragraphs[0]


# --- 覆盖与动态管理 ---------------------------------------------------------------------------------

def test_coverage_sentence_and_district_only_tables():
    cov = ev.coverage(rd.households(), pd.DataFrame({"month": pd.to_datetime(["2023-01-01"])}), rd.areas(), H1, 5)
    district = evaluation(coverage=cov)
    assert rl.coverage_text(district).paragraphs == ["期末在册低保、低保边缘4户5人，每千名常住人口中有低收入对象1.67人；另有在册特困人员1人。"]
    t = rl.coverage_by_township_table(district)
    assert t.frame["乡镇街道"].tolist() == ["甲镇", "乙街道", "合计"] and t.key == "coverage_by_township"
    assert rl.caseload_by_township_table(district).frame.columns.tolist() == ["乡镇街道", "低保户数", "低保边缘户数", "低收入对象户数"]
    town = evaluation(coverage=cov, inputs=inputs(district=False))
    assert rl.caseload_by_township_table(town) is None and rl.coverage_by_township_table(town) is None
    assert rl.caseload_by_township_chart(town) is None
    e = rl.entries_exits_table(district).frame
    assert e["月份"].tolist() == ["2023年1月", "2023年2月", "2023年3月", "2023年4月", "2023年5月", "2023年6月", "本期合计"]
    r = rl.exit_reasons_table(district).frame
    assert r["退出原因"].tolist() == ["就业增收", "其他收入增加", "死亡", "迁出", "其他", "合计"]


# --- 标准调整影响 -----------------------------------------------------------------------------------

def test_its_sentences_and_table_on_a_noise_free_planted_rise():
    hh, pay, std = planted_roster()
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022H2"))
    t = rl.its_table(evaluation(rise=eff))
    row = t.frame[(t.frame["结果指标"] == "月度救助金（万元）") & (t.frame["估计项"] == "水平变化（调整当月）")].iloc[0]
    assert row["估计值"] == pytest.approx(0.03)  # 300 yuan in 万元
    assert t.notes == [eff.method_note]
    text = " ".join(rl.its_sentences(eff))
    assert "2022年5月5日起低保标准上调" in text and "调整前16个月、调整后8个月" in text
    assert "调整当月在册低收入对象户数较调整前趋势增加40户（95%置信区间40至40户），此后每月增幅较调整前提高5.0户" in text
    assert "调整当月月度救助金较调整前趋势增加0.03万元" in text and "无统计学意义" not in text
    f = rl.findings_sentences(pd.DataFrame({"id": [], "value": []}), "全区", Period.parse("2022H2"), eff,
                              ev.ExitAnalysis(pd.DataFrame()), no_enrolment(), no_needs())
    assert "2022年5月低保标准上调后，在册低收入对象户数较原趋势增加40户（95%置信区间40至40户）。" in f


def test_change_wording_follows_sign_and_interval():
    assert rl.change_text(estimate(-12.4, -20.0, -5.0), "户", ("增加", "减少")) == "减少12户（95%置信区间-20至-5户）"
    assert rl.change_text(estimate(1.26, -1.0, 2.0), "户", ("增加", "减少")) == \
        "增加1.3户（95%置信区间-1.0至2.0户），与零的差异无统计学意义"
    # 15,000 yuan (0.5 to 2.5 万元) as the evaluation reports it, in 万元
    assert rl.change_text(estimate(1.5, 0.5, 2.5), "万元", ("提高", "降低")) == "提高1.50万元（95%置信区间0.50至2.50万元）"


def test_its_says_why_when_it_cannot_run():
    hh, pay, std = planted_roster(months=18, rise_at=16)  # two months after the rise only
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022H1"))
    assert rl.its_sentences(eff) == [rl.its_reason(eff)] and "调整后2个月" in rl.its_reason(eff)
    assert rl.its_table(evaluation(rise=eff)) is None and rl.its_caseload_chart(evaluation(rise=eff)) is None
    no_rise = ev.standard_rise_its(hh, pay, std.iloc[:1], Period.parse("2022H1"))
    assert rl.its_sentences(no_rise) == ["2021年1月至本期末低保标准未调整，本期不做标准调整影响分析。"]


def test_a_short_post_period_is_said_after_the_estimates():
    hh, pay, std = planted_roster(months=20, rise_at=16)
    s = rl.its_sentences(ev.standard_rise_its(hh, pay, std, Period.parse("2022-08")))
    assert s[-1].startswith("调整后仅4个月") and s[1].startswith("调整当月在册低收入对象户数")


# --- 退出与造血 -------------------------------------------------------------------------------------

def test_km_table_and_no_cox_on_few_exits():
    ea = ev.exit_analysis(rd.households(), pd.DataFrame({"month": pd.to_datetime(["2021-01-01"])}), H1)
    e = evaluation(exits=ea)
    kt = rl.km_table(e).frame.set_index("分组")
    assert kt.loc["有劳动能力", "退出户数"] == 2 and kt.loc["无劳动能力", "在册中位数（月）"] == "未达到"
    assert kt.loc["有劳动能力", "12个月仍在册（%）"] == 50.0 and kt.loc["无劳动能力", "95%置信区间（%）"] == "100.0–100.0"
    # rows in the order of the groups' labels within each covariate, as the charts' legends
    assert kt.index.tolist() == ["无劳动能力", "有劳动能力", "参加就业帮扶", "未参加就业帮扶"]
    assert rl.cox_table(e) is None
    s = rl.exit_sentences(ea)
    assert s[0] == "2021年1月至期末新纳入低保、低保边缘5户，截至期末退出2户。"
    assert "退出少于20户" in s[1] and "不估计比例风险模型" in s[1]
    assert rl.exit_method(e).paragraphs == [ev.EXIT_METHOD_NOTE]


def test_cox_table_and_sentences_carry_the_model():
    # labour spells exit three times per month for every exit without labour capacity (t = 1..10), so the
    # hazard ratio is well above 1; the table and the sentence must carry the model's numbers unchanged
    rows = []
    for t in range(1, 11):
        rows += [(t, 1, 0, 0), (t, 1, 1, 0), (t + 0.5, 1, 1, 1), (t + 0.5, 1, 1, 0)]
    rows += [(12, 0, 0, i % 2) for i in range(20)] + [(12, 0, 1, i % 2) for i in range(10)]
    sf = pd.DataFrame(rows, columns=["months", "exited", "labour_capacity", "employment_support"])
    from civmon.stats import cox

    direct = cox(sf, "months", "exited", ["labour_capacity", "employment_support"]).table
    ea = ev.ExitAnalysis(sf, cox=SimpleNamespace(table=direct), employment=ev.share(1, 4))
    table = rl.cox_table(evaluation(exits=ea))
    t = table.frame.set_index("协变量")
    assert t.loc["有劳动能力（对照：无劳动能力）", "退出风险比"] == pytest.approx(direct["hazard_ratio"].iloc[0])
    assert t.loc["有劳动能力（对照：无劳动能力）", "退出风险比"] > 1.5
    f = rl.findings_sentences(pd.DataFrame({"id": [], "value": []}), "全区", H1, ev.RiseEffects(None), ea,
                              no_enrolment(), no_needs())
    r = direct.set_index("term")
    assert (f"本期退出的低收入对象中25.0%因就业增收退出；有劳动能力、参加就业帮扶的家庭退出救助的风险分别是对照组的"
            f"{r.loc['labour_capacity', 'hazard_ratio']:.2f}倍") in f[2]
    assert (r.loc["employment_support", "ci_low"] < 1 < r.loc["employment_support", "ci_high"]) == \
        f[2].endswith("倍（差异无统计学意义）。")
    s = rl.exit_sentences(ev.ExitAnalysis(sf, cox=SimpleNamespace(table=direct)))
    assert any("有劳动能力的家庭退出救助的风险是对照组的" in x for x in s) and s[-1] == "本期无低收入对象退出。"


def test_the_cox_note_states_the_method_that_was_run():
    data, _ = rd.sample()
    ea = ev.exit_analysis(data["relief_households"], data["relief_payments"], H1)
    notes = " ".join(rl.cox_table(evaluation(exits=ea)).notes)
    assert ev.EXIT_METHOD_NOTE in notes and "左截断" in notes
    assert "仅用数据期内新纳入的家庭" not in notes  # the old note contradicted the model
    s = rl.exit_sentences(ea)
    assert any(x.startswith("比例风险模型纳入观察期内在册的全部低保、低保边缘家庭") and "按左截断处理" in x for x in s)


# --- 应纳尽纳 -------------------------------------------------------------------------------------

def test_enrolment_sentences_and_suppression_below_the_district():
    summary = ev.enrolment_summary(*rd.registries(), H1)
    text = rl.enrolment_sentences(summary)
    assert text[2] == ("孤儿及困境儿童生活补贴：登记中符合条件3人，期末当月已领取1人，应纳尽纳率33.3%；疑似应纳未纳2人，"
                       "其中1人登记不足60天、可能仍在审核中。")
    # below the district: small counts of non-recipients are not written out, nor the rate that reveals them
    hidden = rl.enrolment_sentences(summary, threshold=5)
    assert hidden[2] == "孤儿及困境儿童生活补贴：登记中符合条件3人；疑似应纳未纳少于5人。"
    assert rl.enrolment_sentences(summary.iloc[:0]) == ["本范围登记中无符合条件人员。"]


def test_enrolment_tables():
    data = dict(zip(("disability_registry", "disability_subsidy", "children_registry", "child_subsidy"),
                    rd.registries()), areas=rd.areas())
    e = ev.enrolment(data, H1)
    t = rl.enrolment_table(evaluation(enrolment=e))
    assert t.key == "enrolment" and t.frame.columns.tolist() == [
        "补贴项目", "登记中符合条件人数", "期末当月已领取", "未领取人数", "其中登记不足60天", "应纳尽纳率（%）"]
    by = rl.unenrolled_by_township_table(evaluation(enrolment=e))
    assert by.frame["乡镇街道"].tolist() == ["甲镇", "乙街道", "合计"]
    assert rl.unenrolled_by_township_table(evaluation(enrolment=e, inputs=inputs(district=False))) is None


# --- 助联体 ----------------------------------------------------------------------------------------

def test_needs_sentences_and_tables():
    n = ev.needs_result(rd.needs(), rd.areas(), H1)
    assert rl.needs_sentences(n)[0].startswith("本期助联体采集困难群众服务需求5例，期末前化解3例，化解率60.0%")
    assert len(rl.needs_sentences(n)) == 1  # too few needs to name the commonest type
    assert rl.needs_sentences(no_needs()) == ["本期助联体未采集服务需求。"]
    many = ev.needs_result(pd.concat([rd.needs()] * 4, ignore_index=True), rd.areas(), H1)
    assert rl.needs_sentences(many)[1] == "需求以生活帮扶类最多（16例），化解率75.0%。"
    bt = rl.needs_by_type_table(evaluation(needs=n)).frame
    assert bt["需求类型"].iloc[0] == "生活帮扶" and bt["需求类型"].iloc[-1] == "合计"
    assert rl.needs_by_township_table(evaluation(needs=n, inputs=inputs(district=False))) is None


# --- 主要发现 -------------------------------------------------------------------------------------

def test_main_findings_are_built_from_the_numbers():
    hl = pd.DataFrame({"id": ["lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_households",
                              "temp_relief_person_times", "temp_relief_funds", "tekun_standard"],
                       "value": [3115.0, 4675.0, 2327.21, 127.0, 246.0, 90.95, 1731.0]})
    empty = ev.RiseEffects(None, reason="no_payments")
    ea = ev.ExitAnalysis(pd.DataFrame(), employment=ev.share(1, 4))
    data = dict(zip(("disability_registry", "disability_subsidy", "children_registry", "child_subsidy"),
                    rd.registries()), areas=rd.areas())
    es = ev.enrolment(data, H1)
    nf = ev.needs_result(rd.needs(), rd.areas(), H1)
    s = rl.findings_sentences(hl, "全区", H1, empty, ea, es, nf)
    assert s[0] == ("上半年，全区在册低收入对象3115户4675人，累计发放救助资金2327.21万元；实施临时救助127户246人次，"
                    "发放资金90.95万元；特困人员基本生活标准为每人每月1731元。")
    assert "大救助一站式累计救助—人次" in s[1]  # not in the headline given: a dash, never a typed number
    assert not any("按时发放率" in x for x in s)  # neither timeliness nor exit rate given
    assert "本期退出的低收入对象中25.0%因就业增收退出。" in s
    assert "应纳尽纳率分别为困难残疾人生活补贴66.7%、重度残疾人护理补贴66.7%、孤儿及困境儿童生活补贴33.3%，疑似应纳未纳共4人次" in s[3]
    assert s[-1] == "助联体采集困难服务需求5例，化解3例，化解率60.0%。"
    town = rl.findings_sentences(hl, "甲镇", H1, empty, ev.ExitAnalysis(pd.DataFrame()), es, nf, threshold=5)
    assert f"跨部门比对发现疑似应纳未纳人员（人数见{see('表', 'enrolment')}，小数已隐去），需逐一核查。" in town
    assert not any("应纳尽纳率" in x for x in town)
    assert rl.findings_sentences(hl, "织里镇", Period.parse("2022H2"), empty, ev.ExitAnalysis(pd.DataFrame()),
                                 no_enrolment(), no_needs())[0].startswith("下半年，织里镇在册低收入对象")


# --- charts ---------------------------------------------------------------------------------------

def test_its_chart_draws_the_counterfactual_from_the_last_pre_period():
    hh, pay, std = planted_roster()
    eff = ev.standard_rise_its(hh, pay, std, Period.parse("2022H2"))
    ch = rl.its_spending_chart(evaluation(rise=eff))
    assert ch.key == "its_spending" and ch.caption == "月度低收入对象救助金：实际、拟合与反事实"
    ax = ch.figure.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    cf = lines["反事实（调整前趋势延续）"]
    # the dashed line starts at the last pre-rise month (2022-04) and continues the pre trend: 1000 + 10 t yuan
    assert pd.Timestamp(cf.get_xdata()[0]) == pd.Timestamp("2022-04-01")
    assert np.asarray(cf.get_ydata(), float) == pytest.approx((1000 + 10 * np.arange(15, 24)) / 1e4)
    assert ax.get_ylabel() == "救助金（万元）" and ch.png()[:4] == b"\x89PNG"


def test_km_chart_one_step_curve_per_group():
    ea = ev.exit_analysis(rd.households(), pd.DataFrame({"month": pd.to_datetime(["2021-01-01"])}), H1)
    ch = rl.km_labour_chart(evaluation(exits=ea))
    ax = ch.figure.axes[0]
    assert sorted(ln.get_label() for ln in ax.get_lines()) == ["无劳动能力", "有劳动能力"]
    lab = [ln for ln in ax.get_lines() if ln.get_label() == "有劳动能力"][0]
    assert list(lab.get_ydata()) == [100.0, 50.0, 0.0]  # percent still on assistance
    assert ch.png()[:4] == b"\x89PNG"
    assert rl.km_support_chart(evaluation(exits=ev.ExitAnalysis(pd.DataFrame()))) is None


def test_captions_carry_no_number():
    hh, pay, std = planted_roster()
    t = rl.its_table(evaluation(rise=ev.standard_rise_its(hh, pay, std, Period.parse("2022H2"))))
    assert isinstance(t, Table) and not t.caption.startswith("表") and t.key == "its"


def test_below_the_district_small_counts_in_sentences_read_fewer_than_and_lose_their_rate():
    n = ev.needs_result(rd.needs(), rd.areas(), H1)  # 5 needs, 3 resolved
    s = rl.needs_sentences(n, threshold=5)[0]
    assert s.startswith("本期助联体采集困难群众服务需求5例，期末前化解少于5例（例数少，不计算化解率）")
    assert "60.0%" not in s
    assert rl.needs_sentences(n)[0].startswith("本期助联体采集困难群众服务需求5例，期末前化解3例，化解率60.0%")


def test_cox_ph_check_table_and_sentence():
    data, _ = rd.sample()
    ea = ev.exit_analysis(data["relief_households"], data["relief_payments"], H1)
    t = rl.cox_ph_check(evaluation(exits=ea))
    assert t.caption == "比例风险假设检验" and t.key == "cox_ph"
    assert t.frame.columns.tolist() == ["检验因素", "卡方", "自由度", "p值", "结论"]
    assert t.frame["检验因素"].tolist() == ["劳动能力", "参加就业帮扶", "全局检验（两个因素合并）"]
    assert t.frame["结论"].tolist() == ["符合比例风险"] * 3 and t.frame["自由度"].tolist() == [1, 1, 2]
    assert t.notes[0].startswith("比例风险检验未发现退出风险比随在册时间变化（全局检验p=0.")
    assert "cox.zph" in t.notes[1] and "延迟进入" in t.notes[1]
    t._repr_html_()


def test_cox_ph_check_states_the_caveat_when_the_test_fails():
    from civmon.stats import PhTest

    ph = PhTest(pd.DataFrame({"term": ["labour_capacity", "employment_support"], "chisq": [9.0, 0.2], "df": [1, 1],
                              "pvalue": [0.0027, 0.65]}), 9.1, 2, 0.011)
    ea = ev.ExitAnalysis(pd.DataFrame(), cox=object(), ph=ph, caveats=ev.ph_caveats(ph))
    t = rl.cox_ph_check(evaluation(exits=ea))
    assert t.frame["结论"].tolist() == ["不符合比例风险", "符合比例风险", "不符合比例风险"]
    assert t.frame["p值"].tolist() == ["0.003", "0.650", "0.011"]
    assert t.notes[0] == ev.ph_caveats(ph)[0] and "平均值" in t.notes[0]
    assert rl.cox_ph_check(evaluation(exits=ev.ExitAnalysis(pd.DataFrame()))) is None
