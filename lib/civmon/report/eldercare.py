"""The eldercare report's words: Chinese tables, captions, charts and sentences made from one
`civmon.evaluation.eldercare` result, one function per section element (computes nothing).

Each element function takes the evaluation (`ev`) and returns a Table, Chart or Text, or None where
the element is not shown at this scope (the district-only breakdowns by township). The sentence
functions take one section's result, so tests can phrase hand-made results.
"""

from __future__ import annotations

import pandas as pd

from civmon import plots
from civmon.data.spec import DATASETS
from civmon.evaluation.eldercare import (DEFAULT_TARGETS, GROUPS, TOTAL, AreaStandard, Carers,
                                         EldercareEvaluation, MealCoverage, Safety, TargetCheck, UpgradeEffects)
from civmon.evaluation.headline import Headline
from civmon.report.context import source_line
from civmon.report.funnel import funnel_of, funnel_section
from civmon.report.headline import display_frame, notes as headline_notes
from civmon.report.robustness import robustness_table
from civmon.report.tables import Group, Table, Text, area_table, findings, table

TOTAL_ZH = "合计"
GROUP_ZH = {"old_neighbourhood": "城镇老旧小区", "other_urban": "其他城镇", "rural": "农村", TOTAL: TOTAL_ZH}
EMPLOYER_ZH = {"institution": "养老机构", "centre": "照料中心", TOTAL: TOTAL_ZH}
FINDING_ZH = {**dict(zip(DATASETS["safety_inspections"].column("finding_type").values,
                         DATASETS["safety_inspections"].column("finding_type").value_zh)), TOTAL: TOTAL_ZH}
OUTCOME_ZH = {"service_person_times": ("月度服务人次", "人次"), "satisfaction": ("月均满意度评分", "分")}
METHOD_ZH = {"event_study": "事件研究", "naive_twfe": "朴素双向固定效应"}
NAIVE_WHY = {
    "growth_absorbed": "改造效果随完工月数增大，而它把先完工的中心当作后完工中心的对照，这部分增长被当作对照的变化扣除，估计因此偏低",
    "decline_absorbed": "改造效果随完工月数减弱，而它把先完工的中心当作后完工中心的对照，效果的回落被当作对照的变化，估计因此偏高",
    "weighting": "它把先完工的中心当作后完工中心的对照，并按处理方差而非中心-月数加权各批次，效果因批次和时间而异时即有偏",
}
CENTRE_SUFFIXES = ("居家养老服务照料中心", "居家养老服务中心")
TOWN = "乡镇街道"


def _zh(frame: pd.DataFrame, headers: dict[str, str], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The frame's columns under Chinese headers (in the order of `headers`); the first column's
    codes as Chinese labels (`labels`; by default only the total row's)."""
    first = next(iter(headers))
    out = frame[list(headers)].copy()
    out[first] = out[first].map(lambda v: (labels or {TOTAL: TOTAL_ZH}).get(v, v))
    return out.rename(columns=headers)


def _rows(frame: pd.DataFrame, column: str) -> dict:
    """A frame's rows as dicts by their label in `column` (each value keeps its column's type)."""
    return {r[column]: r for r in frame.to_dict("records")}


def _whole(v):
    """Whole-number floats as ints, so 0.0 prints as 0 and 25.0 as 25."""
    return int(v) if isinstance(v, float) and v == v and v.is_integer() else v


def _source(ev: EldercareEvaluation) -> str:
    return source_line(ev.inputs.synthetic, ev.inputs.params.district)


# --- headline ------------------------------------------------------------------------------------

def headline_frame(h: Headline) -> pd.DataFrame:
    """The headline's display frame with whole numbers printed without decimals."""
    df = display_frame(h)
    for col in ("本期", "上期", "去年同期", "目标"):
        df[col] = pd.Series([_whole(v) for v in df[col]], index=df.index, dtype=object)
    return df


def headline_table(ev: EldercareEvaluation) -> Table:
    """The headline as a report table, with where its targets come from."""
    return table(headline_frame(ev.headline), caption="主要指标", key="headline", decimals={"同比变化（%）": 1},
                 notes=["上期为紧邻的上一个同长度期间；同比为与去年同期相比。新建认知障碍照护床位按所在自然年度累计。",
                        f"目标取自运行参数 targets；未设定时助餐覆盖率按{DEFAULT_TARGETS['meal_service_coverage']:g}%。"
                        "乡镇街道报告只对照比率类目标。", *headline_notes(ev.headline)])


# --- facilities and the area standard -----------------------------------------------------------

def area_sentences(a: AreaStandard) -> list[str]:
    """What the area check found, in the summary's style."""
    g = _rows(a.by_group, "group")
    t, old = g[TOTAL], g[GROUPS[0]]
    if not t["centres"]:
        return ["期末本范围内无已建成的照料中心。"]
    s = [f"按每百户{a.standard:g}平方米的面积标准，期末已建成的{t['centres']}家照料中心中，{t['below']}家面积未达标"
         f"（占{t['below_pct']:.1f}%），合计缺口{t['gap_m2']:,.0f}平方米。"]
    if old["centres"]:
        rest = f"，其他中心未达标比例为{a.other_below_pct:.1f}%" if a.other_below_pct is not None else ""
        s.append(f"城镇老旧小区中心{old['centres']}家，其中{old['below']}家未达标（{old['below_pct']:.1f}%），"
                 f"缺口{old['gap_m2']:,.0f}平方米，占全部缺口的{a.old_gap_share:.1f}%{rest}。")
    return s


def area_text(ev: EldercareEvaluation) -> Text:
    return Text(area_sentences(ev.area))


def area_group_table(ev: EldercareEvaluation) -> Table:
    """Centres below the standard by centre group."""
    f = _zh(ev.area.by_group, {"group": "中心类别", "centres": "中心数", "below": "未达标中心数",
                               "below_pct": "未达标比例（%）", "median_m2_per_100hh": "每百户面积中位数（平方米）",
                               "gap_m2": "面积缺口（平方米）"}, GROUP_ZH)
    return table(f, caption="照料中心面积达标情况（按中心类别）", key="area_groups", total_row=True,
                 decimals={"未达标比例（%）": 1, "每百户面积中位数（平方米）": 1, "面积缺口（平方米）": 1})


def area_chart(ev: EldercareEvaluation) -> plots.Chart:
    """Floor area against households served (log scales), one marker per centre group, the standard as a line."""
    c, standard = ev.area.centres, ev.area.standard
    d = c.assign(hh=c["households_served"].astype(float),
                 group=pd.Categorical(c["group"].map(GROUP_ZH), [GROUP_ZH[g] for g in GROUPS]))
    d = d[d["hh"] > 0].sort_values("group")
    return plots.scatter_chart(d, "hh", "floor_area_m2", "group", caption="照料中心建筑面积与服务户数",
                               key="area_scatter", xlabel="服务户数（户，对数刻度）", ylabel="建筑面积（平方米，对数刻度）",
                               source=_source(ev), log=True, lines={f"面积标准（每百户{standard:g}平方米）": standard / 100})


def area_township_table(ev: EldercareEvaluation) -> Table | None:
    """The area check by township (district report only; households served suppressed when small)."""
    if not ev.inputs.is_district:
        return None
    f = _zh(ev.area.by_township, {"township": TOWN, "centres": "中心数", "households": "服务户数", "below": "未达标中心数",
                                  "old_below": "其中老旧小区", "gap_m2": "面积缺口（平方米）"})
    return area_table(f, caption="各乡镇街道照料中心面积达标情况", key="area_townships", count_columns=["服务户数"],
                      label_column=TOWN, total_row=TOTAL_ZH, decimals={"面积缺口（平方米）": 1},
                      threshold=ev.inputs.params.disclosure_threshold,
                      notes=["照料中心为公开设施，中心数不作小数抑制；面积缺口为各未达标中心缺口之和。"])


def short_centre_name(name: pd.Series) -> pd.Series:
    """A centre's name without the common suffix (居家养老服务照料中心 etc.), for narrow tables."""
    out = name.astype(str)
    for suffix in CENTRE_SUFFIXES:
        out = out.str.replace(suffix, "", regex=False)
    return out


def below_standard_table(ev: EldercareEvaluation) -> Table:
    """The centres below the standard, old-neighbourhood centres first."""
    b = ev.area.below
    f = pd.DataFrame({TOWN: b["township"], "中心": short_centre_name(b["centre_name"]), "类别": b["group"].map(GROUP_ZH),
                      "建筑面积（平方米）": b["floor_area_m2"], "按标准应有面积（平方米）": b["required_m2"],
                      "缺口（平方米）": b["gap_m2"]})
    return table(f, caption="面积未达标的照料中心", key="below_standard",
                 decimals={"建筑面积（平方米）": 1, "按标准应有面积（平方米）": 1, "缺口（平方米）": 1},
                 notes=["城镇老旧小区中心在前，其余按乡镇街道排列，同一乡镇街道内缺口大者在前；"
                        "中心名称省略“居家养老服务照料中心”“居家养老服务中心”。"])


# --- meal service --------------------------------------------------------------------------------

def meal_sentences(m: MealCoverage, is_district: bool) -> list[str]:
    """Coverage against the target, townships below it (district), places still without service."""
    total = _rows(m.by_township, "township")[TOTAL]
    s = [f"期末{total['places']}个村（社区）中{total['covered']}个已开通老年助餐服务，覆盖率{total['coverage_pct']:.1f}%，"
         f"{'达到' if total['met'] else '未达到'}{m.target:g}%的目标。"]
    if is_district and len(m.by_township) > 1:
        if m.lowest is not None:
            s.append(f"{m.towns_below}个乡镇街道覆盖率低于目标，最低为{m.lowest['township']}"
                     f"（{m.lowest['coverage_pct']:.1f}%），各自达标合计尚需开通{m.still_needed_below}个村（社区）。")
        else:
            s.append("各乡镇街道覆盖率均达到目标。")
    if len(m.uncovered):
        s.append(f"尚未开通的{m.uncovered_places}个村（社区）分布在{len(m.uncovered)}个乡镇街道（名单见下表）。")
    return s


def meal_text(ev: EldercareEvaluation) -> Text:
    return Text(meal_sentences(ev.meals, ev.inputs.is_district))


def meal_township_table(ev: EldercareEvaluation) -> Table | None:
    """Coverage by township against the target (district report only)."""
    if not ev.inputs.is_district:
        return None
    f = _zh(ev.meals.by_township, {"township": TOWN, "places": "村社区数", "covered": "已开通助餐",
                                   "coverage_pct": "覆盖率（%）", "target_pct": "目标（%）", "met": "状态",
                                   "still_needed": "达标尚需开通"})
    f["状态"] = f["状态"].map({True: "达标", False: "未达标"})
    return table(f, caption="各乡镇街道老年助餐村社区覆盖率", key="meal_townships", total_row=True,
                 decimals={"覆盖率（%）": 1, "目标（%）": 0},
                 notes=["达标尚需开通：覆盖率达到目标还需开通助餐服务的村（社区）数。"])


def meal_chart(ev: EldercareEvaluation) -> plots.Chart | None:
    """Coverage by township (bars) against the target (line); district report only."""
    if not ev.inputs.is_district:
        return None
    m = ev.meals
    return plots.bar_chart(m.by_township.iloc[:-1], "township", "coverage_pct", caption="各乡镇街道老年助餐村社区覆盖率",
                           key="meal_chart", xlabel="覆盖率（%）", source=_source(ev), reference=m.target,
                           reference_label=f"目标{m.target:g}%", value_format="{:.1f}")


def uncovered_table(ev: EldercareEvaluation) -> Table | Text:
    """The places without meal service, or a sentence when there are none."""
    u = ev.meals.uncovered
    if u.empty:
        return Text(["期末各村（社区）均已开通老年助餐服务。"])
    f = _zh(u, {"township": TOWN, "uncovered": "未开通数", "places": "村（社区）"})
    return table(f, caption="期末尚未开通老年助餐服务的村（社区）", key="meal_uncovered")


# --- safety inspections --------------------------------------------------------------------------

def safety_sentences(s: Safety) -> list[str]:
    """Inspections, findings, the closed-loop rate and what is still open."""
    if s.inspected == 0:
        return ["本期未开展养老机构安全检查。"]
    t = _rows(s.by_type, "type")[TOTAL]
    out = [f"本期对{s.inspected}家养老机构开展安全检查（占{s.institutions}家机构的{s.coverage_pct:.1f}%），"
           f"发现问题{t['found']}项。" if s.institutions else f"本期对{s.inspected}家养老机构开展安全检查，发现问题{t['found']}项。"]
    if t["found"]:
        out.append(f"按期整改{t['on_time']}项，闭环整改率{t['closed_loop_pct']:.1f}%；逾期整改{t['late']}项；"
                   f"期末尚未整改{t['open']}项。")
        if s.max_days_overdue is not None:
            out.append(f"未整改问题中{t['overdue']}项已超过整改期限，最长逾期{s.max_days_overdue}天。")
    return out


def safety_text(ev: EldercareEvaluation) -> Text:
    return Text(safety_sentences(ev.safety))


def findings_by_type_table(ev: EldercareEvaluation) -> Table | None:
    """Findings by type (nothing when there are none: the section's sentences say so)."""
    s = ev.safety
    if s.findings.empty:
        return None
    f = _zh(s.by_type, {"type": "问题类型", "found": "发现问题", "on_time": "按期整改", "late": "逾期整改",
                        "open": "未整改", "overdue": "其中已过期限", "closed_loop_pct": "闭环整改率（%）"}, FINDING_ZH)
    return table(f, caption="安全检查发现问题及整改情况（按问题类型，单位：项）", key="findings_by_type",
                 decimals={"闭环整改率（%）": 1}, total_row=True,
                 notes=["整改状态截至期末；“其中已过期限”为期末仍未整改且已超过整改期限的问题。"])


def open_findings_table(ev: EldercareEvaluation) -> Table | Text | None:
    """The findings still open, or a sentence when every finding is closed (nothing without findings)."""
    s = ev.safety
    o = s.open_findings
    if o.empty:
        return Text(["本期检查发现的问题截至期末均已整改。"]) if len(s.findings) else None
    f = pd.DataFrame({"机构名称": o["institution"], TOWN: o["township"], "问题类型": o["type"].map(FINDING_ZH),
                      "检查日期": o["inspection_date"].dt.strftime("%Y-%m-%d"),
                      "整改期限": o["deadline"].dt.strftime("%Y-%m-%d"), "期末逾期天数": o["days_overdue"]})
    return table(f, caption="期末尚未整改的问题", key="open_findings", notes=["期末逾期天数为0表示尚在整改期限内。"])


# --- upgrade effects -----------------------------------------------------------------------------

def unavailable_sentence(eff: UpgradeEffects) -> str:
    """Why the event study is not shown (e.g. a township with too few upgraded centres)."""
    if eff.reason == "too_few_upgraded":
        return (f"截至期末本范围内完成提升改造的照料中心为{eff.n}家，少于{eff.needed}家，"
                "不足以可靠估计改造效果，本节从略；改造效果请参阅全区报告。")
    return ("本范围内的改造中心和对照中心不足以支持事件研究估计，本节从略；改造效果请参阅全区报告"
            f"（估计程序提示：{eff.detail}）。")


def _decimals(unit: str) -> int:
    return 2 if unit == "分" else 1


def naive_sentence(label: str, unit: str, naive: float, gap: float, bias: str, d: int = 1) -> str:
    """One sentence on why the naive TWFE (`naive`, `gap` = naive - ATT) differs from the event study."""
    return (f"朴素双向固定效应估计的{label}效应为{naive:.{d}f}{unit}，比事件研究{'低' if gap < 0 else '高'}"
            f"{abs(gap):.{d}f}{unit}：{NAIVE_WHY[bias]}；事件研究只以从未改造的中心为对照，不受此影响。")


def effect_sentences(eff: UpgradeEffects) -> list[str]:
    """The design, the ATTs, the pre-trend verdict and why the naive estimate differs."""
    if not eff.estimated:
        return [unavailable_sentence(eff)]
    lo, hi = eff.window
    s = [f"截至期末共有{eff.treated_centres}家照料中心分{eff.cohorts}批完成提升改造，以{eff.control_centres}家"
         f"从未改造的中心为对照，比较完工前{-lo}个月至完工后{hi}个月的变化。"]
    for r in eff.summary.itertuples():
        label, unit = OUTCOME_ZH[r.outcome]
        d = _decimals(unit)
        pre = ""
        if not pd.isna(r.pretrend_pvalue):
            pre = ("完工前各月与对照中心无显著差异" if r.pretrend_flat else
                   "但完工前已与对照中心存在差异，结论需谨慎") + f"（事前趋势检验p={r.pretrend_pvalue:.2f}）"
        s.append(f"改造使{label}平均{'提高' if r.att >= 0 else '降低'}{abs(r.att):.{d}f}{unit}"
                 f"（95%置信区间{r.ci_low:.{d}f}～{r.ci_high:.{d}f}，{'显著' if r.significant else '不显著'}）"
                 + (f"，{pre}" if pre else "") + "。")
        s.append(naive_sentence(label, unit, r.naive, r.naive_gap, r.naive_bias, d))
    return s


def effects_text(ev: EldercareEvaluation) -> Text:
    return Text(effect_sentences(ev.effects))


def effects_frame(eff: UpgradeEffects) -> pd.DataFrame:
    """The estimates table under Chinese headers: two rows per outcome."""
    t = eff.table
    return pd.DataFrame({
        "结果指标": [f"{OUTCOME_ZH[y][0]}（{OUTCOME_ZH[y][1]}）" for y in t["outcome"]],
        "估计方法": t["method"].map(METHOD_ZH), "效应": t["estimate"],
        "95%置信区间": [f"{lo:.2f} ～ {hi:.2f}" for lo, hi in zip(t["ci_low"], t["ci_high"])],
        "标准误": t["se"], "事前趋势检验p值": t["pretrend_pvalue"]})


def effects_table(ev: EldercareEvaluation) -> Table | None:
    """The estimates with the method note (nothing when there is no estimate: the sentences say why)."""
    eff = ev.effects
    if not eff.estimated:
        return None
    return table(effects_frame(eff), caption="提升改造效果估计", key="effects",
                 decimals={"效应": 2, "标准误": 2, "事前趋势检验p值": 3}, notes=eff.method_note.splitlines())


def event_chart(eff: UpgradeEffects, outcome: str, caption: str, source: str, key: str) -> plots.Chart | None:
    """Event-study chart of one outcome with 95% CIs (None when there is no estimate)."""
    if not eff.estimated:
        return None
    label, unit = OUTCOME_ZH[outcome]
    return plots.estimate_chart(eff.event[outcome].by_event_time, "event_time", caption=caption, key=key,
                                ylabel=f"{label}变化（{unit}）", xlabel="距完工月份（月，0为完工当月，-1为参照月）",
                                source=source)


def services_chart(ev: EldercareEvaluation) -> plots.Chart | None:
    return event_chart(ev.effects, "service_person_times", "提升改造前后月度服务人次的变化（事件研究）", _source(ev),
                       "event_services")


def satisfaction_chart(ev: EldercareEvaluation) -> plots.Chart | None:
    return event_chart(ev.effects, "satisfaction", "提升改造前后月均满意度评分的变化（事件研究）", _source(ev),
                       "event_satisfaction")


DESIGN_ZH = {"sun_abraham": "Sun-Abraham 交互加权估计", "did2s": "两阶段插补估计（Gardner/BJS）",
             "drop_earliest_cohort": "剔除最早完工批次"}


def pretrend_note(eff: UpgradeEffects, outcome: str) -> str | None:
    """The pre-trend test behind the parallel-trends assumption, in one sentence (None without leads)."""
    pt = eff.event[outcome].pretrend
    if pt is None:
        return None
    flat = _rows(eff.summary, "outcome")[outcome]["pretrend_flat"]
    verdict = "未见完工前差异" if flat else "完工前已存在差异，各设计的估计均应审慎解读"
    return f"事前趋势检验（完工前各月效应联合为零）：F = {pt.stat:.2f}，p = {pt.pvalue:.3f}，{verdict}。"


def robustness_of(eff: UpgradeEffects, outcome: str) -> Table | None:
    """One outcome's ATT under the three designs, with the verdict sentence and the pre-trend test."""
    r = eff.robustness.get(outcome)
    if r is None:
        return None
    label, unit = OUTCOME_ZH[outcome]
    notes = [n for n in (pretrend_note(eff, outcome), r.method_note) if n]
    return robustness_table(r, caption=f"提升改造效果的稳健性：{label}", key=f"effects_robustness_{outcome}",
                            design_zh=DESIGN_ZH, subject=f"改造对{label}的效应", decimals=2,
                            estimate_label=f"效应（{unit}）", notes=notes)


def effects_robustness(ev: EldercareEvaluation) -> Group | None:
    """The upgrade effects under the alternative designs, one small table per outcome (nothing when
    there is no estimate: the section's sentences say why)."""
    eff = ev.effects
    if not eff.estimated or not eff.robustness:
        return None
    return Group([robustness_of(eff, y) for y in OUTCOME_ZH])


# --- carers --------------------------------------------------------------------------------------

def carer_sentences(c: Carers) -> list[str]:
    """Carers, certification rate against the target, new certificates."""
    rows = _rows(c.by_employer, "employer")
    t = rows[TOTAL]
    if not t["employed"]:
        return ["期末本范围内无在岗养老护理员记录。"]
    s = (f"期末在岗养老护理员{t['employed']}人，已持证{t['certified']}人，持证率{t['certified_pct']:.1f}%"
         f"（目标{c.target:g}%），本期新增持证{t['newly_certified']}人。")
    if c.gap is not None:
        lo, hi = rows[c.gap[0]], rows[c.gap[1]]
        s += (f"{EMPLOYER_ZH[c.gap[0]]}护理员持证率（{lo['certified_pct']:.1f}%）低于{EMPLOYER_ZH[c.gap[1]]}"
              f"（{hi['certified_pct']:.1f}%）。")
    return [s]


def carers_text(ev: EldercareEvaluation) -> Text:
    return Text(carer_sentences(ev.carers))


def carers_table(ev: EldercareEvaluation) -> Table:
    """Carers and certification by employer type."""
    f = _zh(ev.carers.by_employer, {"employer": "所在单位", "employed": "在岗护理员（人）", "certified": "已持证（人）",
                                    "certified_pct": "持证率（%）", "newly_certified": "本期新增持证（人）"}, EMPLOYER_ZH)
    return table(f, caption="养老护理员及持证情况（按所在单位）", key="carers_employer", decimals={"持证率（%）": 1},
                 total_row=True, notes=["在岗：期末已入职且未离职；已持证：取证日期不晚于期末；本期新增持证含期内已离职人员。"])


def carers_township_table(ev: EldercareEvaluation) -> Table | None:
    """Certification by township (district report only; small counts suppressed)."""
    if not ev.inputs.is_district:
        return None
    f = _zh(ev.carers.by_township, {"township": TOWN, "certified": "已持证", "uncertified": "未持证",
                                    "employed": "在岗护理员", "certified_pct": "持证率（%）"})
    return area_table(f, caption="各乡镇街道养老护理员持证情况", key="carers_townships",
                      count_columns=["已持证", "未持证", "在岗护理员"], total_column="在岗护理员",
                      rate_columns={"持证率（%）": "未持证"}, label_column=TOWN, total_row=TOTAL_ZH,
                      decimals={"持证率（%）": 1}, threshold=ev.inputs.params.disclosure_threshold)


# --- township comparisons (funnel plots, district report) ----------------------------------------

def meal_funnel(ev: EldercareEvaluation) -> Group | None:
    """Meal-service coverage by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "meal_coverage"), subject="老年助餐村社区覆盖率",
                          caption="各乡镇（街道）老年助餐村社区覆盖率", key="meal_funnel", numerator="已开通助餐的村（社区）数",
                          denominator="村（社区）数", xlabel="村（社区）数（个）", source=_source(ev))


def area_funnel(ev: EldercareEvaluation) -> Group | None:
    """Centres meeting the area standard by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "area_compliance"), subject="照料中心面积达标率",
                          caption="各乡镇（街道）照料中心面积达标率", key="area_funnel", numerator="面积达标的照料中心数",
                          denominator="已建成照料中心数", xlabel="照料中心数（家）", source=_source(ev))


def rectification_funnel(ev: EldercareEvaluation) -> Group | None:
    """Findings rectified on time by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "rectification"), subject="隐患闭环整改率",
                          caption="各乡镇（街道）隐患闭环整改率", key="rectification_funnel",
                          numerator="在整改期限内完成整改的问题数", denominator="本期检查发现的问题数",
                          xlabel="发现问题数（项）", source=_source(ev))


def carers_funnel(ev: EldercareEvaluation) -> Group | None:
    """Carer certification by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "carer_certification"), subject="护理员持证率",
                          caption="各乡镇（街道）养老护理员持证率", key="carers_funnel", numerator="已持证护理员数",
                          denominator="在岗护理员数", xlabel="在岗护理员数（人）", source=_source(ev))


# --- the findings --------------------------------------------------------------------------------

def effects_finding(eff: UpgradeEffects) -> list[str]:
    """The upgrade evaluation in one sentence for 主要发现 (nothing when there is no estimate)."""
    if not eff.estimated:
        return []
    parts, naive = [], []
    for r in eff.summary.itertuples():
        label, unit = OUTCOME_ZH[r.outcome]
        d = _decimals(unit)
        parts.append(f"{label}{'提高' if r.att >= 0 else '降低'}{abs(r.att):.{d}f}{unit}"
                     f"（95%置信区间{r.ci_low:.{d}f}～{r.ci_high:.{d}f}）")
        naive.append(f"{r.naive:.{d}f}{unit}")
    return [f"已完成提升改造的{eff.treated_centres}家照料中心，改造后{'，'.join(parts)}；"
            f"朴素双向固定效应估计（{'、'.join(naive)}）因以先完工中心作对照而有偏，不宜采用。"]


def findings_sentences(hl: Headline, check: TargetCheck, area: list[str], meal: list[str], safety: list[str],
                       effects: list[str], carers: list[str], scope: str, period_zh: str) -> list[str]:
    """主要发现: the headline in one sentence, whether targets are met, then the key sentence of each
    section (area, meal, safety, effects as from effects_finding, carers)."""
    v = {r.id: r.value for r in hl.frame.itertuples()}

    def n(i):
        x = v.get(i)
        return 0 if x is None or pd.isna(x) else x

    first = [f"{scope}{n('care_centers'):,.0f}家居家养老服务照料中心累计服务老人{n('care_center_service_times'):,.0f}人次"]
    if n("institutions_inspected"):
        first.append(f"对{n('institutions_inspected'):,.0f}家养老机构开展安全检查")
    built = [f"新建认知障碍照护专区床位{n('dementia_beds_new'):,.0f}张" if n("dementia_beds_new") else "",
             f"新增持证护理人员{n('certified_carers_new'):,.0f}人" if n("certified_carers_new") else ""]
    if any(built):
        first.append("，".join(b for b in built if b))
    if v.get("meal_service_coverage") is not None and not pd.isna(v["meal_service_coverage"]):
        first.append(f"老年助餐村社区覆盖率{v['meal_service_coverage']:.1f}%")
    up = [f"完成{n('centers_upgrade_planned'):,.0f}家照料中心提升改造方案设计" if n("centers_upgrade_planned") else "",
          f"开工{n('upgrades_started'):,.0f}家" if n("upgrades_started") else "",
          f"完工{n('upgrades_completed'):,.0f}家" if n("upgrades_completed") else ""]
    if any(up):
        first.append("提升改造" * (not up[0]) + "，".join(u for u in up if u))
    s = [f"{period_zh}，" + "；".join(first) + "。"]
    if any(i != "meal_service_coverage" for i in check.ids):  # meal coverage has its own sentence
        s.append(f"设定目标的{len(check.ids)}项主要指标中{check.met}项达标"
                 + (f"，{'、'.join(check.missed)}未达标。" if check.missed else "。"))
    return s + [x for x in (area[:2] + meal[:1] + safety[1:2] + effects + carers[:1]) if x]


def main_findings(ev: EldercareEvaluation) -> Text:
    """The 主要发现 box."""
    i = ev.inputs
    return findings(findings_sentences(ev.headline, ev.targets, area_sentences(ev.area),
                                       meal_sentences(ev.meals, i.is_district), safety_sentences(ev.safety),
                                       effects_finding(ev.effects), carer_sentences(ev.carers), i.scope_label,
                                       i.period.label_zh))
