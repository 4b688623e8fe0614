"""The relief report's words (社会救助成效评估): Chinese tables, charts and sentences made from the
evaluation (civmon.evaluation.relief), one function per section element, in report order.

Each element function takes the evaluation `ev` and returns a Table, Chart, Text or Group, or None
when the element is not shown at this scope (the by-township tables and chart are district-only).
Nothing is computed here: the numbers come from the evaluation, the words and labels from here.
"""

from __future__ import annotations

import pandas as pd

from civmon import plots
from civmon.data.spec import DATASETS
from civmon.disclosure import count_text, is_small
from civmon.evaluation.relief import (ITS_OUTCOMES, ITS_SCALE, KM_AT_MONTHS, LOWINCOME, MIN_EXITS_COX, RECENT_DAYS,
                                      TOTAL, UNRECORDED, Enrolment, ExitAnalysis, Needs, ReliefEvaluation,
                                      RiseEffects, Timeliness, hr_significant, significant)
from civmon.period import Period
from civmon.report.captions import see
from civmon.report.context import source_line
from civmon.report.funnel import funnel_of, funnel_section
from civmon.report.headline import headline_table as _headline_table
from civmon.report.robustness import robustness_frame, robustness_sentence
from civmon.report.tables import Group, Table, Text, area_table, findings, table


def _labels(dataset: str, column: str) -> dict[str, str]:
    c = DATASETS[dataset].column(column)
    return dict(zip(c.values, c.value_zh))


CATEGORY_ZH = {**_labels("relief_households", "category"), LOWINCOME: "低收入对象合计"}
EXIT_REASON_ZH = {**_labels("relief_households", "exit_reason"), UNRECORDED: "未登记", TOTAL: "合计"}
NEED_TYPE_ZH = {**_labels("alliance_needs", "need_type"), TOTAL: "合计"}
SUBSIDY_ZH = {"living": "困难残疾人生活补贴", "nursing": "重度残疾人护理补贴", "child": "孤儿及困境儿童生活补贴"}
ITS_LABEL = {"caseload": ("月末在册户数", "户"), "spending": ("月度救助金", "万元")}
ITS_SUBJECT = {"caseload": "在册低收入对象户数", "spending": "月度救助金"}
ITS_TERM_ZH = {"pre_slope": "调整前月度趋势", "level_change": "水平变化（调整当月）", "slope_change": "斜率变化（每月）"}
GROUP_ZH = {"labour_capacity": {1: "有劳动能力", 0: "无劳动能力"},
            "employment_support": {1: "参加就业帮扶", 0: "未参加就业帮扶"}}
COVARIATE_ZH = {"labour_capacity": "有劳动能力（对照：无劳动能力）",
                "employment_support": "参加就业帮扶（对照：未参加）"}
RECENT_COLUMN = f"其中登记不足{RECENT_DAYS}天"


def zh_date(d) -> str:
    """2023年4月1日 (no zero padding, as Chinese reports write dates)."""
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月{d.day}日"


def zh_month(d) -> str:
    """2023年4月."""
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月"


def p_text(p: float | None) -> str:
    """P-values as reports print them: three decimals, <0.001 below that."""
    if p is None or p != p:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def half_label(period: Period) -> str:
    """上半年 / 下半年 / the period's own label for other lengths."""
    zh = period.label_zh
    for h in ("上半年", "下半年"):
        if zh.endswith(h):
            return h
    return zh


def _source(ev: ReliefEvaluation) -> str:
    return source_line(ev.inputs.synthetic, ev.inputs.params.district)


def _area_threshold(ev: ReliefEvaluation) -> int:
    """Tables of persons or households are suppressed at the run's threshold (the district's too)."""
    return ev.inputs.params.disclosure_threshold


def _townships(frame: pd.DataFrame) -> pd.Series:
    """A by-township frame's township names, its TOTAL row as 合计."""
    return frame["township"].replace({TOTAL: "合计"})


# --- 一、主要指标 -----------------------------------------------------------------------------------

def headline_table(ev: ReliefEvaluation) -> Table:
    """The headline figures (the enrolment rates only in the district report)."""
    return _headline_table(ev.headline)


# --- 二、保障水平 -----------------------------------------------------------------------------------

def standards_table(ev: ReliefEvaluation) -> Table:
    """The standards' changes up to the period end."""
    h = ev.standards.history
    frame = pd.DataFrame({"执行日期": h["effective_date"].dt.strftime("%Y-%m-%d"), "低保标准（元/人/月）": h["dibao"],
                          "特困人员基本生活标准（元/人/月）": h["tekun"], "特困标准÷低保标准（倍）": h["ratio"]})
    return table(frame, caption="低保标准和特困人员基本生活标准调整情况", key="standards",
                 decimals={"特困标准÷低保标准（倍）": 2},
                 notes=["低保边缘认定标准与特困人员基本生活标准相同，为低保标准的1.5倍。"])


def payment_level_table(ev: ReliefEvaluation) -> Table:
    """Average monthly payment per person against the standard, by category."""
    f = ev.standards.payment_level
    frame = pd.DataFrame({"类别": f["category"].map(CATEGORY_ZH), "发放人月数": f["person_months"],
                          "人均月救助金（元）": f["avg_payment"], "期内执行标准（元/人/月）": f["standard"],
                          "人均救助金占标准（%）": f["pct_of_standard"]})
    return table(frame, caption="本期人均月救助金与保障标准（按类别）", key="payment_level",
                 decimals={"人均月救助金（元）": 2, "期内执行标准（元/人/月）": 2, "人均救助金占标准（%）": 1},
                 notes=["人均月救助金 = 本期发放金额 ÷ 发放人月数（各笔发放对应户的保障人数之和）；低保为补差发放、低保边缘为补差额的一半，"
                        "故人均救助金低于标准；特困人员按标准全额发放。期内执行标准按发放月份的标准和人数加权平均。"])


def timeliness_sentences(t: Timeliness | None) -> list[str]:
    """Payments due, paid on time (with the Wilson interval), late and still unpaid."""
    if t is None:
        return ["本期无应发救助金记录。"]
    s = (f"本期应发低保、低保边缘和特困救助金{t.n:,}笔，按期发放{t.k:,}笔，按时发放率{t.pct:.1f}%"
         f"（95%置信区间{t.ci_low:.1f}%至{t.ci_high:.1f}%）；逾期发放{t.late:,}笔")
    return [s + (f"，截至数据提取仍未发放{t.unpaid:,}笔。" if t.unpaid else "。")]


def timeliness_text(ev: ReliefEvaluation) -> Text:
    return Text(timeliness_sentences(ev.standards.timeliness))


def adequacy_note(per_capita_consumption: float | None) -> str:
    """What the adequacy comparison uses, or the sentence that it is not computed."""
    if per_capita_consumption:
        return (f"以运行参数给定的居民人均消费支出{per_capita_consumption:,.0f}元/年为基准，"
                "计算期末低保标准和特困人员基本生活标准（折合全年）所占比例。")
    return "运行参数未给出居民人均消费支出（per_capita_consumption），本期不计算保障标准相对消费水平的比例。"


def adequacy(ev: ReliefEvaluation) -> Group:
    """The adequacy note, and the table when a consumption figure is given."""
    st = ev.standards
    shown = None
    if st.adequacy is not None:
        a = st.adequacy
        frame = pd.DataFrame({"类别": a["category"].map(CATEGORY_ZH), "期末标准（元/人/月）": a["standard"],
                              "折合全年（元/人）": a["annual"], "居民人均消费支出（元/年）": a["consumption"],
                              "标准占人均消费支出（%）": a["pct_of_consumption"]})
        shown = table(frame, caption="保障标准与居民人均消费支出", key="adequacy", decimals={"标准占人均消费支出（%）": 1})
    return Group([Text([adequacy_note(st.per_capita_consumption)]), shown])


# --- 三、覆盖与动态管理 -----------------------------------------------------------------------------

def coverage_text(ev: ReliefEvaluation) -> Text:
    """Persons covered at the period end and per 1,000 residents of the scope (below the district,
    small counts as 少于N and no rate that would reveal them)."""
    c, t = ev.coverage, ev.inputs.threshold
    s = f"期末在册低保、低保边缘{count_text(c.households, t, '户')}{count_text(c.persons, t, '人')}"
    if c.per_1000 != c.per_1000:
        s += "（未提供常住人口，不计算覆盖率）"
    elif not is_small(c.persons, t):
        s += f"，每千名常住人口中有低收入对象{c.per_1000:.2f}人"
    return Text([s + f"；另有在册特困人员{count_text(c.tekun_persons, t, '人')}。"])


def caseload_chart(ev: ReliefEvaluation) -> plots.Chart:
    """Households on the roster at each month's end, by category."""
    mc = ev.coverage.monthly.assign(category=lambda f: f["category"].map(CATEGORY_ZH))
    return plots.line_chart(mc, "month", "households", "category", caption="月末在册低保、低保边缘户数和特困人员数",
                            ylabel="户数（特困为人数）", source=_source(ev), key="caseload")


def caseload_by_township_table(ev: ReliefEvaluation) -> Table | None:
    """Households on the roster at the period end by township (district only)."""
    if not ev.inputs.is_district:
        return None
    f = ev.coverage.by_township
    frame = pd.DataFrame({"乡镇街道": _townships(f), "低保户数": f["dibao"],
                          "低保边缘户数": f["dibian"], "低收入对象户数": f["lowincome"]})
    return area_table(frame, caption="各乡镇街道期末在册低保、低保边缘户数（单位：户）", key="caseload_by_township",
                      threshold=_area_threshold(ev), count_columns=["低保户数", "低保边缘户数", "低收入对象户数"],
                      total_column="低收入对象户数", label_column="乡镇街道", total_row="合计")


def caseload_by_township_chart(ev: ReliefEvaluation) -> Group | None:
    """Small multiples of the monthly caseload by township, with the suppression note (district only)."""
    if not ev.inputs.is_district:
        return None
    tm = ev.coverage.township_months
    frame = tm.frame.rename(columns={"township": "乡镇街道"}).assign(unit="户")
    chart = plots.small_multiples(frame, facet="乡镇街道", x="month", y="households", unit="unit", ncols=3,
                                  caption="各乡镇街道月末在册低保、低保边缘户数（各图纵轴刻度不同）", source=_source(ev),
                                  key="caseload_by_township")
    return Group([chart, Text([tm.note]) if tm.note else None])


def coverage_by_township_table(ev: ReliefEvaluation) -> Table | None:
    """Low-income persons and 特困 persons by township, per 1,000 residents (district only)."""
    if not ev.inputs.is_district:
        return None
    f = ev.coverage.coverage_by_township
    frame = pd.DataFrame({"乡镇街道": _townships(f), "低收入对象人数": f["lowincome_persons"],
                          "特困人员数": f["tekun_persons"], "常住人口": f["population"],
                          "每千常住人口低收入对象人数": f["per_1000"]})
    return area_table(frame, caption="各乡镇街道低收入对象覆盖情况", key="coverage_by_township",
                      threshold=_area_threshold(ev), count_columns=["低收入对象人数", "特困人员数"],
                      rate_columns={"每千常住人口低收入对象人数": "低收入对象人数"}, label_column="乡镇街道",
                      total_row="合计", decimals={"每千常住人口低收入对象人数": 2},
                      notes=["常住人口取自区划表；每千常住人口低收入对象人数 = 低收入对象人数 ÷ 常住人口 × 1000。"])


def entries_exits_table(ev: ReliefEvaluation) -> Table:
    """The low-income roster's monthly changes, with the period's total row."""
    f = ev.coverage.entries_exits
    frame = pd.DataFrame({"月份": [zh_month(m) if pd.notna(m) else "本期合计" for m in f["month"]],
                          "期初在册户数": f["start"], "新纳入户数": f["entered"], "退出户数": f["exited"],
                          "期末在册户数": f["end"]})
    return table(frame, caption="低保、低保边缘户数月度变动（单位：户）", key="entries_exits", total_row=True,
                 notes=["期初在册为上月末在册户数；期末在册 = 期初在册 + 新纳入 − 退出。"])


def exit_reasons_table(ev: ReliefEvaluation) -> Table:
    """Exits in the period by reason."""
    f = ev.coverage.exit_reasons
    frame = pd.DataFrame({"退出原因": f["reason"].map(EXIT_REASON_ZH), "退出户数": f["households"], "占比（%）": f["pct"]})
    return area_table(frame, caption="本期低保、低保边缘退出原因", key="exit_reasons", threshold=_area_threshold(ev),
                      count_columns=["退出户数"], rate_columns={"占比（%）": "退出户数"}, label_column="退出原因",
                      total_row="合计", decimals={"占比（%）": 1})


# --- 四、标准调整影响 -------------------------------------------------------------------------------

def _effect(eff: RiseEffects, outcome: str, term: str) -> pd.Series:
    """One estimate of the ITS table (report units)."""
    t = eff.table
    return t[(t["outcome"] == outcome) & (t["term"] == term)].iloc[0]


def change_text(est: pd.Series, unit: str, words: tuple[str, str]) -> str:
    """'增加96户（95%置信区间76至116户）', worded by sign, with a note when the interval covers zero."""
    d = 1 if unit == "户" else 2
    if unit == "户" and abs(est["estimate"]) >= 10:
        d = 0
    text = (f"{words[0] if est['estimate'] >= 0 else words[1]}{abs(est['estimate']):,.{d}f}{unit}"
            f"（95%置信区间{est['ci_low']:,.{d}f}至{est['ci_high']:,.{d}f}{unit}）")
    return text if significant(est) else text + "，与零的差异无统计学意义"


def its_reason(eff: RiseEffects) -> str:
    """Why the ITS was not (fully) estimated."""
    if eff.reason == "no_payments":
        return "本范围本期无救助金发放记录，不做标准调整影响分析。"
    if eff.reason == "no_rise":
        return f"{zh_month(eff.first_month)}至本期末低保标准未调整，本期不做标准调整影响分析。"
    return (f"标准调整（{zh_date(eff.rise)}）前后的月度数据不足（调整前{eff.n_pre}个月、调整后{eff.n_post}个月，"
            "每段至少需要3个月且数据须足以估计），本范围本期不做中断时间序列估计。")


def its_sentences(eff: RiseEffects) -> list[str]:
    """What the ITS says, with intervals, or why it was not estimated."""
    if not eff.results:
        return [its_reason(eff)]
    months = eff.series["month"]
    out = [f"{zh_date(eff.rise)}起低保标准上调。以{zh_month(months.iloc[0])}至{zh_month(months.iloc[-1])}共{len(months)}个月"
           f"（调整前{eff.n_pre}个月、调整后{eff.n_post}个月）的月度数据作分段回归，以调整前趋势外推为反事实。"]
    for y in ITS_OUTCOMES:
        if y in eff.results:
            unit = ITS_LABEL[y][1]
            out.append(f"调整当月{ITS_SUBJECT[y]}较调整前趋势{change_text(_effect(eff, y, 'level_change'), unit, ('增加', '减少'))}，"
                       f"此后每月增幅较调整前{change_text(_effect(eff, y, 'slope_change'), unit, ('提高', '降低'))}。")
    out.extend(eff.caveats)
    if eff.reason:
        out.append(its_reason(eff))
    return out


def its_text(ev: ReliefEvaluation) -> Text:
    return Text(its_sentences(ev.rise))


def its_table(ev: ReliefEvaluation) -> Table | None:
    """Level and slope changes with 95% CIs and the method note (when estimated)."""
    eff = ev.rise
    if not eff.results:
        return None
    t = eff.table
    frame = pd.DataFrame({"结果指标": [f"{ITS_LABEL[y][0]}（{ITS_LABEL[y][1]}）" for y in t["outcome"]],
                          "估计项": t["term"].map(ITS_TERM_ZH), "估计值": t["estimate"], "95%置信区间下限": t["ci_low"],
                          "95%置信区间上限": t["ci_high"], "P值": [p_text(p) for p in t["pvalue"]]})
    return table(frame, caption="低保标准上调的中断时间序列估计", key="its",
                 decimals={"估计值": 2, "95%置信区间下限": 2, "95%置信区间上限": 2}, notes=[eff.method_note])


def its_caseload_chart(ev: ReliefEvaluation) -> plots.Chart | None:
    """Observed, fitted and counterfactual caseload (when estimated)."""
    eff = ev.rise
    if "caseload" not in eff.results:
        return None
    return plots.its_chart(eff.results["caseload"].fitted, caption="月末在册低收入对象户数：实际、拟合与反事实",
                           ylabel="户数（户）", source=_source(ev), intervention=eff.rise,
                           intervention_label="低保标准上调", key="its_caseload")


def its_spending_chart(ev: ReliefEvaluation) -> plots.Chart | None:
    """Observed, fitted and counterfactual spending in 万元 (when estimated)."""
    eff = ev.rise
    if "spending" not in eff.results:
        return None
    return plots.its_chart(eff.results["spending"].fitted, caption="月度低收入对象救助金：实际、拟合与反事实",
                           ylabel="救助金（万元）", source=_source(ev), intervention=eff.rise,
                           intervention_label="低保标准上调", scale=ITS_SCALE["spending"], key="its_spending")


ITS_DESIGN_ZH = {"main": "主设计（以实际调整月为界）", "shift_minus_1": "调整月提前1个月", "shift_plus_1": "调整月推后1个月",
                 "placebo_pre": "安慰剂：仅用调整前月份，在其中点假设调整"}


def its_robustness_table(ev: ReliefEvaluation) -> Table | None:
    """Each ITS estimate beside the intervention month moved by one month and a pre-period placebo,
    with one sentence per estimate on whether its conclusion holds."""
    eff = ev.rise
    if not eff.robustness:
        return None
    rows, notes = [], []
    for y, by_term in eff.robustness.items():
        label, unit = ITS_LABEL[y]
        for term, r in by_term.items():
            part = robustness_frame(r, ITS_DESIGN_ZH, ITS_SCALE[y])
            for rec in part.to_dict("records"):
                rows.append({"结果指标": f"{label}（{unit}）", "估计项": ITS_TERM_ZH[term], **rec})
            notes.append(robustness_sentence(r, f"{ITS_SUBJECT[y]}的{ITS_TERM_ZH[term]}", skipped=False))
    skipped = next((r.skipped for by_term in eff.robustness.values() for r in by_term.values() if r.skipped), {})
    if skipped:
        notes.append("未能估计的检验：" + "、".join(ITS_DESIGN_ZH.get(k, k) for k in skipped) + "（调整前后月份不足）。")
    return table(pd.DataFrame(rows), caption="标准调整影响的稳健性检验", key="its_robustness",
                 decimals={"估计值": 2}, notes=notes)


def its_detectability_text(ev: ReliefEvaluation) -> Text | None:
    """Township reports: where the township's own series is too short or noisy to detect a change of
    the size the district's estimate implies here, say so instead of reading the interval as a finding."""
    eff = ev.rise
    if not eff.detectability:
        return None
    out = []
    for d in eff.detectability:
        if d.term != "level_change" or d.detectable is not False:
            continue
        label, unit = ITS_LABEL[d.outcome]
        k = ITS_SCALE[d.outcome]
        dec = 0 if unit == "户" else 2
        out.append(f"按全区估计折算，本范围{ITS_SUBJECT[d.outcome]}的调整当月变化约为{d.expected / k:,.{dec}f}{unit}，"
                   f"而本范围月度序列在80%把握度下只能检出不小于{d.mde / k:,.{dec}f}{unit}的变化（最小可检出效应），"
                   "故本范围的估计区间较宽、不能据此判断调整在本范围有无影响，应以全区估计为准。")
    return Text(out) if out else None


# --- 五、退出与造血 ---------------------------------------------------------------------------------

def exit_method(ev: ReliefEvaluation) -> Text:
    """The section's account of the method (the exit analysis's method note)."""
    return Text([ev.exits.method_note])


def _share_hidden(share, threshold: int | None) -> bool:
    """A share k/n below the district says nothing when k, n or n - k is a small count."""
    return any(is_small(x, threshold) for x in (share.k, share.n, share.n - share.k))


def exit_sentences(ea: ExitAnalysis, threshold: int | None = None) -> list[str]:
    """The cohort, the hazard ratios (flagged when not significant) and the employment-exit share;
    with `threshold` (below the district) small counts read 少于N and a share that would reveal one is left out."""
    out = []
    if ea.start is not None and ea.spells:
        out.append(f"{zh_month(ea.start)}至期末新纳入低保、低保边缘{count_text(ea.spells, threshold, '户')}，截至期末退出"
                   f"{count_text(ea.spell_exits, threshold, '户')}。")
    if ea.cox is not None and ea.cox_frame is not None:
        out.append(f"比例风险模型纳入观察期内在册的全部低保、低保边缘家庭{count_text(ea.cox_households, threshold, '户')}"
                   f"（其中{count_text(ea.cox_left_truncated, threshold, '户')}在{zh_month(ea.start)}前已纳入，按左截断处理），"
                   f"观察期内退出{count_text(ea.cox_exits, threshold, '户')}。")
    if ea.cox is not None:
        t = ea.cox.table.set_index("term")
        for cov, zh in (("labour_capacity", "有劳动能力的家庭"), ("employment_support", "参加就业帮扶的家庭")):
            r = t.loc[cov]
            sig = "，差异有统计学意义" if hr_significant(r) else "，差异无统计学意义"
            out.append(f"控制另一因素后，{zh}退出救助的风险是对照组的{r['hazard_ratio']:.2f}倍"
                       f"（95%置信区间{r['ci_low']:.2f}至{r['ci_high']:.2f}）{sig}。")
    if ea.reason == "no_data":
        out.append("本范围本期无救助数据，不做退出分析。")
    if ea.cox_reason == "too_few_exits":
        out.append(f"观察期内退出少于{MIN_EXITS_COX}户或分组单一，风险比不可靠，本范围不估计比例风险模型。")
    emp = ea.employment
    if emp is not None and _share_hidden(emp, threshold):
        out.append(f"本期退出的{count_text(emp.n, threshold, '户')}低收入对象中，因就业增收退出"
                   f"{count_text(emp.k, threshold, '户')}。")
    elif emp is not None:
        out.append(f"本期退出的{emp.n:,}户低收入对象中，因就业增收退出{emp.k:,}户，占{emp.pct:.1f}%"
                   f"（95%置信区间{emp.ci_low:.1f}%至{emp.ci_high:.1f}%）。")
    else:
        out.append("本期无低收入对象退出。")
    return out


def exit_text(ev: ReliefEvaluation) -> Text:
    return Text(exit_sentences(ev.exits, ev.inputs.threshold))


def _km_chart(ev: ReliefEvaluation, cov: str, caption: str, key: str) -> plots.Chart | None:
    curves = ev.exits.km_curves
    if cov not in curves:
        return None
    frame = curves[cov].assign(group=lambda f: f["group"].map(GROUP_ZH[cov]))
    return plots.km_chart(frame, caption=caption, xlabel="纳入后月数（月）", source=_source(ev), key=key)


def km_labour_chart(ev: ReliefEvaluation) -> plots.Chart | None:
    """Share of new entrants still on assistance, by labour capacity (when estimated)."""
    return _km_chart(ev, "labour_capacity", "新纳入家庭仍在册比例（按劳动能力）", "km_labour")


def km_support_chart(ev: ReliefEvaluation) -> plots.Chart | None:
    """Share of new entrants still on assistance, by employment support (when estimated)."""
    return _km_chart(ev, "employment_support", "新纳入家庭仍在册比例（按是否参加就业帮扶）", "km_support")


def km_frame(ea: ExitAnalysis) -> pd.DataFrame:
    """The KM summary with Chinese headers; within a covariate the groups in the order of their labels
    (the charts' legend order)."""
    summary, rows = ea.km_summary, []
    for cov in ea.km:
        part = summary[summary["covariate"] == cov]
        labelled = [{"分组": GROUP_ZH[cov][r.group], "新纳入户数": r.n, "退出户数": r.events,
                     f"{KM_AT_MONTHS}个月仍在册（%）": round(r.survival, 1),
                     "95%置信区间（%）": f"{r.ci_low:.1f}–{r.ci_high:.1f}",
                     "在册中位数（月）": "未达到" if pd.isna(r.median) else round(r.median, 1)} for r in part.itertuples()]
        rows += sorted(labelled, key=lambda r: r["分组"])
    return pd.DataFrame(rows)


def km_table(ev: ReliefEvaluation) -> Table | None:
    """New entrants' time on assistance by group (when estimated)."""
    if not ev.exits.km:
        return None
    return table(km_frame(ev.exits), caption="新纳入家庭在册时间（Kaplan-Meier）", key="km",
                 decimals={f"{KM_AT_MONTHS}个月仍在册（%）": 1},
                 notes=["阴影和置信区间为逐点95%置信区间（对数变换）；中位数“未达到”表示随访期内仍在册比例未降至一半。"])


def cox_frame(ea: ExitAnalysis) -> pd.DataFrame:
    """Hazard ratios of exit with 95% CIs, with Chinese headers."""
    t = ea.cox.table
    return pd.DataFrame({"协变量": t["term"].map(COVARIATE_ZH), "退出风险比": t["hazard_ratio"],
                         "95%置信区间下限": t["ci_low"], "95%置信区间上限": t["ci_high"],
                         "P值": [p_text(p) for p in t["pvalue"]]})


def cox_table(ev: ReliefEvaluation) -> Table | None:
    """The Cox model of exit (when estimated), with the exit analysis's method note."""
    if ev.exits.cox is None:
        return None
    return table(cox_frame(ev.exits), caption="退出救助的比例风险模型（Cox）", key="cox",
                 decimals={"退出风险比": 2, "95%置信区间下限": 2, "95%置信区间上限": 2},
                 notes=["退出风险比大于1表示该组家庭退出救助更快；退出含各种原因。", f"方法说明：{ev.exits.method_note}"])


PH_TERM_ZH = {"labour_capacity": "劳动能力", "employment_support": "参加就业帮扶", "global": "全局检验（两个因素合并）"}
PH_NOTE = ("方法：对每个因素检验其风险比是否随在册时间线性变化（Grambsch-Therneau 缩放Schoenfeld残差检验，"
           "与R survival包cox.zph相同的得分检验，时间按Kaplan-Meier尺度），数据起始前已纳入的家庭按延迟进入计入风险集；"
           "p值小于0.05视为不符合比例风险。")


def ph_frame(ea: ExitAnalysis) -> pd.DataFrame:
    """The proportional-hazards test with Chinese headers: factor, chi-square, df, p and the verdict."""
    f = ea.ph_frame
    return pd.DataFrame({"检验因素": f["term"].map(PH_TERM_ZH), "卡方": f["chisq"], "自由度": f["df"],
                         "p值": [p_text(p) for p in f["pvalue"]],
                         "结论": ["符合比例风险" if h else "不符合比例风险" for h in f["holds"]]})


def ph_sentence(ea: ExitAnalysis) -> str:
    """Whether the hazard ratios may be read as constant over time: the caveat when the test fails."""
    if ea.caveats:
        return "".join(ea.caveats)
    return (f"比例风险检验未发现退出风险比随在册时间变化（全局检验p={p_text(ea.ph.global_pvalue)}），"
            "比例风险假设与数据相符，表中风险比可理解为随访期内各时点共同的风险比。")


def cox_ph_check(ev: ReliefEvaluation) -> Table | None:
    """The Cox model's proportional-hazards check (when the model was estimated), with its verdict sentence."""
    ea = ev.exits
    if ea.ph is None:
        return None
    return table(ph_frame(ea), caption="比例风险假设检验", key="cox_ph", decimals={"卡方": 2},
                 notes=[ph_sentence(ea), PH_NOTE])


# --- 六、应纳尽纳 -----------------------------------------------------------------------------------

def enrolment_sentences(summary: pd.DataFrame, threshold: int | None = None) -> list[str]:
    """One sentence per subsidy; with `threshold` (below the district) counts of non-recipients under
    it are written as "少于N人" and the enrolment rate, which would reveal them, is left out."""
    out = []
    for r in summary.to_dict("records"):
        if not r["eligible"]:
            continue
        miss, recent = r["unpaid"], r["recent"]
        hide = is_small(miss, threshold)
        s = f"{SUBSIDY_ZH[r['subsidy']]}：登记中符合条件{r['eligible']:,}人"
        s += "" if hide else f"，期末当月已领取{r['paid']:,}人，应纳尽纳率{r['rate']:.1f}%"
        s += f"；疑似应纳未纳{count_text(miss, threshold, '人')}"
        out.append(s + (f"，其中{count_text(recent, threshold, '人')}登记不足{RECENT_DAYS}天、可能仍在审核中。"
                        if recent and not hide else "。"))
    return out or ["本范围登记中无符合条件人员。"]


def enrolment_text(ev: ReliefEvaluation) -> Text:
    return Text(enrolment_sentences(ev.enrolment.summary, ev.inputs.threshold))


def enrolment_table(ev: ReliefEvaluation) -> Table:
    """The matching result per subsidy (suppressed below the district)."""
    f = ev.enrolment.summary
    frame = pd.DataFrame({"补贴项目": f["subsidy"].map(SUBSIDY_ZH), "登记中符合条件人数": f["eligible"],
                          "期末当月已领取": f["paid"], "未领取人数": f["unpaid"], RECENT_COLUMN: f["recent"],
                          "应纳尽纳率（%）": f["rate"]})
    return area_table(frame, caption="补贴应纳尽纳比对结果（单位：人）", key="enrolment", threshold=_area_threshold(ev),
                      label_column="补贴项目", count_columns=["期末当月已领取", "未领取人数", "登记中符合条件人数"],
                      total_column="登记中符合条件人数", rate_columns={"应纳尽纳率（%）": "未领取人数"},
                      amount_columns={RECENT_COLUMN: "未领取人数"}, decimals={"应纳尽纳率（%）": 1},
                      notes=["符合条件：生活补贴为低收入家庭的登记残疾人，护理补贴为一、二级残疾人，儿童补贴为登记的孤儿和困境儿童；"
                             "登记名单为数据提取时的在册名单，期内死亡或年满18周岁者可能已不在名单中。"])


def unenrolled_by_township_table(ev: ReliefEvaluation) -> Table | None:
    """Apparently eligible non-recipients by township (district only)."""
    if not ev.inputs.is_district:
        return None
    f = ev.enrolment.by_township
    frame = pd.DataFrame({"乡镇街道": _townships(f),
                          **{f"{zh}未领取": f[k] for k, zh in SUBSIDY_ZH.items()}})
    return area_table(frame, caption="各乡镇街道疑似应纳未纳人数（单位：人）", key="unenrolled_by_township",
                      threshold=_area_threshold(ev), count_columns=[f"{zh}未领取" for zh in SUBSIDY_ZH.values()],
                      label_column="乡镇街道", total_row="合计")


# --- 七、助联体 -------------------------------------------------------------------------------------

def needs_sentences(needs: Needs, threshold: int | None = None) -> list[str]:
    """Collected, resolved, the rate with its Wilson interval, median days; the commonest need type.
    With `threshold` (below the district) small counts read 少于N and a rate that would reveal one is left out."""
    rate, med = needs.rate, needs.median_days
    if rate is None:
        return ["本期助联体未采集服务需求。"]
    if _share_hidden(rate, threshold):
        s = (f"本期助联体采集困难群众服务需求{count_text(rate.n, threshold, '例')}，期末前化解"
             f"{count_text(rate.k, threshold, '例')}（例数少，不计算化解率）")
    else:
        s = (f"本期助联体采集困难群众服务需求{rate.n:,}例，期末前化解{rate.k:,}例，化解率{rate.pct:.1f}%"
             f"（95%置信区间{rate.ci_low:.1f}%至{rate.ci_high:.1f}%）")
    s += f"，已化解需求从采集到化解的天数中位数为{med:.0f}天。" if med == med else "。"
    top = needs.commonest
    if top is None:
        return [s]
    if any(is_small(x, threshold) for x in (top["collected"], top["resolved"], top["collected"] - top["resolved"])):
        return [s, f"需求以{NEED_TYPE_ZH[top['need_type']]}类最多（{count_text(top['collected'], threshold, '例')}）。"]
    return [s, f"需求以{NEED_TYPE_ZH[top['need_type']]}类最多（{top['collected']}例），化解率{top['rate']:.1f}%。"]


def needs_text(ev: ReliefEvaluation) -> Text:
    return Text(needs_sentences(ev.needs, ev.inputs.threshold))


def needs_by_type_table(ev: ReliefEvaluation) -> Table:
    """Needs collected and resolved by type."""
    f = ev.needs.by_type
    frame = pd.DataFrame({"需求类型": f["need_type"].map(NEED_TYPE_ZH), "采集需求数": f["collected"],
                          "已化解数": f["resolved"], "化解率（%）": f["rate"], "化解天数中位数": f["median_days"]})
    return table(frame, caption="助联体需求采集与化解（按需求类型）", key="needs_by_type", total_row=True,
                 decimals={"化解率（%）": 1, "化解天数中位数": 1},
                 notes=["化解天数中位数只计期末前已化解的需求，未化解需求的等待时间不在其中，会低估实际所需时间。"])


def needs_by_township_table(ev: ReliefEvaluation) -> Table | None:
    """Needs collected and resolved by township (district only)."""
    if not ev.inputs.is_district:
        return None
    f = ev.needs.by_township
    frame = pd.DataFrame({"乡镇街道": _townships(f), "采集需求数": f["collected"],
                          "已化解数": f["resolved"], "化解率（%）": f["rate"]})
    return area_table(frame, caption="各乡镇街道助联体需求采集与化解", key="needs_by_township",
                      threshold=_area_threshold(ev), count_columns=["采集需求数", "已化解数"],
                      rate_columns={"化解率（%）": "已化解数"}, label_column="乡镇街道", total_row="合计",
                      decimals={"化解率（%）": 1})


# --- 各乡镇街道比较（漏斗图，全区报告） ------------------------------------------------------------

def timeliness_funnel(ev: ReliefEvaluation) -> Group | None:
    """Payment timeliness by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "payment_timeliness"), subject="救助金按时发放率",
                          caption="各乡镇（街道）救助金按时发放率", key="timeliness_funnel", numerator="按时发放笔数",
                          denominator="应发日期在本期内的救助金笔数", xlabel="应发笔数（笔）", source=_source(ev))


def needs_funnel(ev: ReliefEvaluation) -> Group | None:
    """Need resolution by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "need_resolution"), subject="助联体需求化解率",
                          caption="各乡镇（街道）助联体需求化解率", key="needs_funnel", numerator="期末前已化解的需求数",
                          denominator="本期采集的需求数", xlabel="采集需求数（例）", source=_source(ev))


# --- 八、主要发现 -----------------------------------------------------------------------------------

def findings_sentences(hl_frame: pd.DataFrame, scope_label: str, period: Period, rise: RiseEffects,
                       exits: ExitAnalysis, enrolment: Enrolment, needs: Needs,
                       threshold: int | None = None) -> list[str]:
    """Summary-style sentences built from the headline and the analyses; with `threshold` (below the
    district) the 应纳尽纳 sentence gives no rates or counts when a count of non-recipients is small."""
    v = dict(zip(hl_frame["id"], hl_frame["value"]))

    def num(i, fmt="{:,.0f}"):
        x = v.get(i)
        return "—" if x is None or x != x else fmt.format(x)

    out = [f"{half_label(period)}，{scope_label}在册低收入对象{num('lowincome_households', '{:.0f}')}户"
           f"{num('lowincome_persons', '{:.0f}')}人，累计发放救助资金{num('lowincome_funds', '{:.2f}')}万元；"
           f"实施临时救助{num('temp_relief_households', '{:.0f}')}户{num('temp_relief_person_times', '{:.0f}')}人次，"
           f"发放资金{num('temp_relief_funds', '{:.2f}')}万元；特困人员基本生活标准为每人每月"
           f"{num('tekun_standard', '{:.0f}')}元。"]
    out.append(f"发放孤儿及困境儿童生活补贴{num('child_subsidy_funds', '{:.2f}')}万元、困难残疾人生活补贴"
               f"{num('disability_living_funds', '{:.2f}')}万元、重度残疾人护理补贴{num('disability_nursing_funds', '{:.2f}')}万元；"
               f"大救助一站式累计救助{num('one_stop_person_times', '{:.0f}')}人次、发放资金{num('one_stop_funds', '{:.2f}')}万元。")
    if v.get("payment_timeliness") is not None and v.get("exit_rate") is not None:
        out.append(f"救助金按时发放率{num('payment_timeliness', '{:.1f}')}%；本期低收入对象退出率"
                   f"{num('exit_rate', '{:.1f}')}%。")
    if "caseload" in rise.results:
        r = _effect(rise, "caseload", "level_change")
        if significant(r):
            out.append(f"{zh_month(rise.rise)}低保标准上调后，在册低收入对象户数较原趋势"
                       f"{change_text(r, '户', ('增加', '减少'))}。")
        else:
            out.append(f"{zh_month(rise.rise)}低保标准上调后，在册低收入对象户数估计较原趋势"
                       f"{change_text(r, '户', ('增加', '减少'))}，尚不能确认偏离了原趋势。")
    emp = exits.employment
    if emp is not None:
        s = f"本期退出的低收入对象中{emp.pct:.1f}%因就业增收退出"
        if exits.cox is not None:
            t = exits.cox.table.set_index("term")

            def hr(cov):
                r = t.loc[cov]
                return f"{r['hazard_ratio']:.2f}倍" + ("" if hr_significant(r) else "（差异无统计学意义）")

            s += f"；有劳动能力、参加就业帮扶的家庭退出救助的风险分别是对照组的{hr('labour_capacity')}和{hr('employment_support')}"
        out.append(s + "。")
    gap = enrolment.summary[enrolment.summary["eligible"] > 0]
    if len(gap) and any(is_small(n, threshold) for n in gap["unpaid"]):
        out.append(f"跨部门比对发现疑似应纳未纳人员（人数见{see('表', 'enrolment')}，小数已隐去），需逐一核查。")
    elif len(gap):
        parts = "、".join(f"{SUBSIDY_ZH[r['subsidy']]}{r['rate']:.1f}%" for r in gap.to_dict("records"))
        out.append(f"跨部门比对显示，应纳尽纳率分别为{parts}，疑似应纳未纳共{enrolment.unpaid_total:,}人次，需逐一核查。")
    if needs.rate is not None and _share_hidden(needs.rate, threshold):
        out.append(f"助联体采集困难服务需求{count_text(needs.rate.n, threshold, '例')}，"
                   f"化解{count_text(needs.rate.k, threshold, '例')}。")
    elif needs.rate is not None:
        out.append(f"助联体采集困难服务需求{needs.rate.n}例，化解{needs.rate.k}例，化解率{needs.rate.pct:.1f}%。")
    return out


def main_findings(ev: ReliefEvaluation) -> Text:
    """The findings box."""
    i = ev.inputs
    return findings(findings_sentences(ev.headline.frame, i.scope_label, i.period, ev.rise, ev.exits, ev.enrolment,
                                       ev.needs, i.threshold))

