"""Phrasing of the migrant post-support evaluation (水库移民后期扶持监测评估): one function per report
element, each turning the evaluation (civmon.evaluation.migrants) into a Chinese table, chart or
sentences, or saying the section does not apply. Tables of persons or households below the
district level go through small-cell suppression; counts in sentences through `count_text`.
"""

from __future__ import annotations

import pandas as pd

from civmon import plots
from civmon.disclosure import count_text, is_small
from civmon.evaluation.migrants import TOTAL, MigrantsEvaluation
from civmon.report.context import source_line
from civmon.report.funnel import funnel_of, funnel_section
from civmon.report.headline import headline_table as _headline_table
from civmon.report.robustness import robustness_table
from civmon.report.tables import Group, Table, Text, area_table, table
from civmon.report.tables import findings as finding_box

NO_MIGRANTS = "本乡镇街道无水库移民后期扶持人口，本节不适用。"
NOT_ESTIMABLE = ("截至期末的数据不足以估计后扶项目对收入的影响：需要有完工后调查数据的项目村、未完成项目的对照村，"
                 "且调查村不少于10个（按村聚类）。技术信息")
STATUS_ZH = {"paid_in_full": "足额发放", "eligible_unpaid": "应发未发", "duplicate": "重复发放",
             "wrong_amount": "金额不符", "paid_after_removal": "死亡或迁出后仍发放",
             "paid_not_entitled": "非扶持对象发放"}
TYPE_ZH = {"infrastructure": "基础设施", "environment": "人居环境", "industry": "产业发展", "training": "技能培训"}
ACCEPTANCE_ZH = {"passed": "合格", "failed": "不合格", "pending": "待验收"}
PROJECT_STATUS_ZH = {"on_time": "按期完工", "late": "延期完工", "overdue": "在建（已逾期）", "in_progress": "在建",
                     "late_start": "逾期未开工", "not_started": "未开工"}
REASON_ZH = {"death": "死亡", "moved": "迁出", "other": "其他", TOTAL: "合计"}
LAG_BAND_ZH = {"0-30": "30天以内", "31-90": "31-90天", "91-180": "91-180天", "181+": "180天以上", TOTAL: "合计"}
AREA_HEADER = {"township": "乡镇街道", "village": "村（社区）"}
# Numerator and denominator of each project rate (the budget's in 万元).
RATE_PARTS_ZH = {"project_completion_rate": ("期末已完工项目数", "安排项目数"),
                 "on_time_start_rate": ("按时开工项目数", "应开工项目数"),
                 "on_time_finish_rate": ("按时完工项目数", "应完工项目数"),
                 "budget_execution_rate": ("已支出（万元）", "安排资金（万元）"),
                 "acceptance_pass_rate": ("验收合格项目数", "已出验收结果项目数")}
ESTIMATE_ZH = {"event_study": "事件研究（Sun-Abraham）", "twfe": "双向固定效应（仅作对照）"}
CATEGORY_ZH = {"output": "产出指标", "benefit": "效益指标", "satisfaction": "满意度指标", "budget": "预算执行率"}
SUBCATEGORY_ZH = {"quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "economic": "经济效益",
                  "social": "社会效益", "beneficiaries": "服务对象满意度", "fund_execution": "项目资金执行率"}
BASIS_ZH = {"params": "运行参数", "policy": "政策要求", "annual_plan": "年度计划", "monitoring": "监测评估要求",
            "estimate": "估计值"}
BAND_ZH = {"achieved": "达成（100%-80%）", "partly_achieved": "部分达成（80%-60%）", "not_achieved": "未达成（60%-0%）"}
GRADE_ZH = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
SATISFACTION_ZH = {"met": "达到", "within_error": "略低于", "below": "显著低于"}
HEADLINE_TARGET_NOTE = ("直补惠及人数和发放金额的目标为应发人数和应发金额（1月1日在册应发人数 × 600元），运行参数另有设定的从其设定。"
                        "年度指标按期间所在年度统计，上期、去年同期为所在年度的对应值。")


# --- helpers -------------------------------------------------------------------------------------

def _date(ts) -> str:
    return "—" if ts is None or pd.isna(ts) else f"{pd.Timestamp(ts):%Y-%m-%d}"


def _num(v, decimals: int = 0, unit: str = "") -> str:
    return "—" if v is None or pd.isna(v) else f"{v:,.{decimals}f}{unit}"


def _none() -> Text:
    return Text([NO_MIGRANTS])


def _no_projects(ev: MigrantsEvaluation) -> Text:
    return Text([f"{ev.inputs.period.year}年度本范围未安排后扶项目。"])


def _source(ev: MigrantsEvaluation) -> str:
    return source_line(ev.inputs.synthetic, ev.inputs.params.district)


def _deadline(ev: MigrantsEvaluation) -> str:
    a = ev.assumptions
    return f"{a.deadline_month}月{a.deadline_day}日"


def _labelled(frame: pd.DataFrame, column: str, labels: dict | None = None) -> pd.Series:
    """A label column in Chinese: codes through `labels`, the total row as 合计."""
    return frame[column].map(lambda v: "合计" if v == TOTAL else (labels[v] if labels else v))


def _person_table(ev: MigrantsEvaluation, frame: pd.DataFrame, *, caption: str, key: str, count_columns,
                  label_column: str, total_row=None, rate_columns=None, total_column=None, notes=(),
                  decimals=None, amount_columns=None) -> Table:
    """A table of persons or households: as is for the district, through small-cell suppression for
    a township, whose every table is below the district level."""
    if ev.inputs.is_district:
        return table(frame, caption=caption, notes=notes, decimals=decimals, total_row=total_row is not None, key=key)
    return area_table(frame, caption=caption, count_columns=count_columns, threshold=ev.inputs.threshold,
                      label_column=label_column, total_row=total_row, rate_columns=rate_columns,
                      amount_columns=amount_columns, total_column=total_column, notes=notes, decimals=decimals,
                      key=key)


def _by_area_table(ev: MigrantsEvaluation, frame: pd.DataFrame, **kw) -> Table:
    """A table by township or village, suppressed at the run's threshold at every level."""
    return area_table(frame, threshold=ev.inputs.params.disclosure_threshold, label_column=frame.columns[0],
                      total_row="合计", **kw)


def _area_frame(ev: MigrantsEvaluation, frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """A by-area frame with Chinese headers; its first column names the report's areas."""
    out = pd.DataFrame({AREA_HEADER[ev.reconciliation.level]: _labelled(frame, "area")})
    for col, zh in headers.items():
        out[zh] = frame[col]
    return out


# --- headline and assumptions --------------------------------------------------------------------

def headline_table(ev: MigrantsEvaluation) -> Table:
    """The headline table with the note on where its targets come from."""
    t = _headline_table(ev.headline)
    t.notes.append(HEADLINE_TARGET_NOTE)  # after the suppression note, as the report has always read
    return t


def assumptions_table(ev: MigrantsEvaluation) -> Table:
    """The evaluation's stated assumptions and definitions (shown next to the numbers they drive)."""
    a = ev.assumptions
    rows = [
        ("应发对象", f"以{a.year}年1月1日为准：核定扶持、已登记，且此前未死亡、迁出或核减；年内死亡或迁出者当年仍应发。"),
        ("直补标准", f"每人每年{a.subsidy_per_person:,.0f}元，一次性发放。"),
        ("发放期限（假设）", f"当年{_deadline(ev)}前发放为按时；该期限为本报告的假设，政策另有规定时应调整。"),
        ("核减及时（假设）", f"死亡或迁出后{a.max_lag_days}天内完成核减为及时。"),
        ("年度口径", f"直补、项目、收入与满意度调查均按期间所在年度（{a.year}年）统计；项目完工、核减、走访按期末"
                 f"（{a.period_end:%Y年%m月%d日}）状态统计。"),
        ("项目支出", "已支出为数据提取时的累计数，可能晚于期末。"),
    ]
    return table(pd.DataFrame(rows, columns=["口径", "说明"]), caption="评价口径与假设", key="assumptions")


# --- direct-subsidy reconciliation ---------------------------------------------------------------

def status_table(ev: MigrantsEvaluation) -> Table | Text:
    """Reconciliation results: persons and amounts by result (suppressed in a township)."""
    if not ev.has_migrants:
        return _none()
    s = ev.reconciliation.status
    f = pd.DataFrame({"核对结果": _labelled(s, "status", STATUS_ZH), "人数": s["persons"], "应发金额（元）": s["due"],
                      "实发金额（元）": s["paid"], "差额（元）": s["discrepancy"]})
    amounts = ("应发金额（元）", "实发金额（元）", "差额（元）")
    return _person_table(ev, f, caption="直补资金核对结果", key="reconciliation", count_columns=["人数"],
                         label_column="核对结果", total_row="合计", amount_columns={c: "人数" for c in amounts},
                         notes=["差额 = 实发 − 应发，负数为少发，正数为多发。重复发放的差额为多发部分；死亡或迁出后仍发放"
                                "的应发为0，差额即实发金额。"], decimals=dict.fromkeys(amounts, 0))


def entitled_area_table(ev: MigrantsEvaluation) -> Table | Text:
    """Entitled persons by township (district) or village (township report)."""
    if not ev.has_migrants:
        return _none()
    f = _area_frame(ev, ev.reconciliation.by_area, {
        "entitled": "应发人数", "eligible_unpaid": "应发未发", "duplicate": "重复发放", "wrong_amount": "金额不符",
        "unpaid_amount": "未发金额（元）", "duplicate_amount": "多发金额（元）", "wrong_amount_discrepancy": "金额差额（元）"})
    amounts = {"未发金额（元）": "应发未发", "多发金额（元）": "重复发放", "金额差额（元）": "金额不符"}
    return _by_area_table(ev, f, caption="应发对象发放情况（分区域）", key="entitled_by_area",
                          count_columns=["应发人数", "应发未发", "重复发放", "金额不符"], amount_columns=amounts,
                          notes=["应发人数中除所列问题外均为足额发放。金额差额为负数表示少发。"],
                          decimals=dict.fromkeys(amounts, 0))


def improper_area_table(ev: MigrantsEvaluation) -> Table | Text:
    """Payments to persons not entitled that year, by township or village."""
    if not ev.has_migrants:
        return _none()
    f = _area_frame(ev, ev.reconciliation.improper, {
        "paid_after_removal": "核减后发放（人）", "paid_after_removal_amount": "核减后发放金额（元）",
        "paid_not_entitled": "非扶持对象发放（人）", "paid_not_entitled_amount": "非扶持对象金额（元）"})
    amounts = {"核减后发放金额（元）": "核减后发放（人）", "非扶持对象金额（元）": "非扶持对象发放（人）"}
    return _by_area_table(ev, f, caption="不应发而发放情况（分区域）", key="improper_by_area",
                          count_columns=["核减后发放（人）", "非扶持对象发放（人）"], amount_columns=amounts,
                          notes=["核减后发放：1月1日前已死亡、迁出或核减仍获当年度发放；非扶持对象发放：未核定扶持、"
                                 "当年1月1日后才登记或不在登记名册中的人员获发。"],
                          decimals=dict.fromkeys(amounts, 0))


def problem_village_table(ev: MigrantsEvaluation) -> Table | Text:
    """District report: the villages with reconciliation problems (a township report shows every
    village in the tables before)."""
    if not ev.has_migrants:
        return _none()
    if not ev.inputs.is_district:
        return Text(["本乡镇街道各村（社区）的核对情况见上两表。"])
    v = ev.reconciliation.problem_villages
    if len(v) == 1:
        return Text(["核对未发现问题，各村（社区）均足额发放。"])
    label = [("合计（所列村）" if name == TOTAL else f"{name}（{town}）") for name, town in zip(v["village"], v["township"])]
    f = pd.DataFrame({"村（社区）": label, "应发人数": v["entitled"], "问题人数": v["with_problem"],
                      "涉及金额（元）": v["amount"]})
    return area_table(f, caption="存在问题的村（社区）", key="problem_villages", count_columns=["应发人数", "问题人数"],
                      threshold=ev.inputs.params.disclosure_threshold, amount_columns={"涉及金额（元）": "问题人数"},
                      label_column="村（社区）", total_row="合计（所列村）", decimals={"涉及金额（元）": 0},
                      notes=["问题人数包括应发未发、重复发放、金额不符、死亡迁出核减后发放和非扶持对象发放；"
                             "涉及金额为实发与应发之差的绝对值之和。括号内为所属乡镇街道。"])


def timeliness_table(ev: MigrantsEvaluation) -> Table | Text:
    """Payment timeliness by township (district) or village (township report)."""
    if not ev.has_migrants:
        return _none()
    t = ev.timeliness.by_area
    f = _area_frame(ev, t, {"paid": "获发人数", "on_time": "按时发放人数", "on_time_rate": "按时发放率（%）"})
    f["发放日期（中位）"] = [_date(d) for d in t["median_date"]]
    return _by_area_table(ev, f, caption="直补资金按时发放情况（分区域）", key="timeliness",
                          count_columns=["获发人数", "按时发放人数"], rate_columns={"按时发放率（%）": "获发人数"},
                          notes=[f"按时：首次发放日期不晚于{ev.assumptions.year}年{_deadline(ev)}（假设的发放期限）。"],
                          decimals={"按时发放率（%）": 1})


# --- register dynamics ---------------------------------------------------------------------------

def removals_reason_table(ev: MigrantsEvaluation) -> Table | Text:
    """Removals in the period by reason with the register-update lag."""
    if not ev.has_migrants:
        return _none()
    r, days = ev.removals.by_reason, ev.removals.max_lag_days
    lag = f"{days}天内核减"
    f = pd.DataFrame({"核减原因": _labelled(r, "reason", REASON_ZH), "核减人数": r["removed"], "有事件日期": r["dated"],
                      "平均滞后（天）": r["mean_lag"], "中位滞后（天）": r["median_lag"], lag: r["within_limit"],
                      "及时率（%）": r["timely_rate"]})
    follows = ("平均滞后（天）", "中位滞后（天）", "及时率（%）", "有事件日期", lag)
    return _person_table(ev, f, caption="期内核减人员（按原因）", key="removals", count_columns=["核减人数"],
                         label_column="核减原因", total_row="合计", rate_columns=dict.fromkeys(follows, "核减人数"),
                         notes=["滞后 = 核减日期 − 死亡或迁出日期；“其他”原因核减无单独事件日期，不计滞后。",
                                f"及时率 = {days}天内完成核减的人数 / 有事件日期的核减人数 × 100。"],
                         decimals={"平均滞后（天）": 1, "中位滞后（天）": 1, "及时率（%）": 1})


def lag_bands_table(ev: MigrantsEvaluation) -> Table | Text:
    """Removals with a dated event by lag band, and those still pending at the period end."""
    if not ev.has_migrants:
        return _none()
    b = ev.removals.lag_bands
    f = pd.DataFrame({"滞后时间": _labelled(b, "band", LAG_BAND_ZH), "核减人数": b["removed"]})
    pending = count_text(ev.removals.pending, ev.inputs.threshold, "人")
    return _person_table(ev, f, caption="核减滞后时间分布", key="lag_bands", count_columns=["核减人数"],
                         label_column="滞后时间", total_row="合计",
                         notes=[f"截至期末已死亡或迁出但尚未核减的人员：{pending}。"])


# --- projects ------------------------------------------------------------------------------------

def project_status_table(ev: MigrantsEvaluation) -> Table | Text:
    """The status table of the period year's projects (projects, not persons: listed in full)."""
    p = ev.projects.status
    if p.empty:
        return _no_projects(ev)
    actual = [("—" if not s else f"{_date(a)} 至 {_date(b) if done else '（在建）'}")
              for a, b, s, done in zip(p["actual_start"], p["actual_finish"], p["started"], p["completed"])]
    f = pd.DataFrame({
        "项目名称": p["name"], "类型": p["type"].map(TYPE_ZH), "乡镇街道": p["township"], "资金（万元）": p["budget"],
        "已支出": p["spent"],
        "计划工期": [f"{_date(a)} 至 {_date(b)}" for a, b in zip(p["planned_start"], p["planned_finish"])],
        "实际工期": actual, "偏差（天）": p["slip_days"], "状态": p["status"].map(PROJECT_STATUS_ZH),
        "验收": [ACCEPTANCE_ZH.get(a, "—") if a is not None else "—" for a in p["acceptance"]],
    })
    return table(f, caption="后扶项目实施情况", key="project_status", decimals={"资金（万元）": 2, "已支出": 2, "偏差（天）": 0},
                 notes=["资金为安排资金，已支出为数据提取时的累计数，单位均为万元。",
                        "状态、实际工期和验收结果为期末状态；期末之后的日期不列示。",
                        "偏差：已完工项目为实际完工日期 − 计划完工日期（负数为提前）；逾期未完工项目为截至期末已逾期的天数。"])


def project_rates_table(ev: MigrantsEvaluation) -> Table | Text:
    """Completion, on-time start and finish, budget execution and acceptance with their parts."""
    if not ev.projects.n:
        return _no_projects(ev)
    r = ev.projects.rates

    def part(i: str, side: int, value: float) -> str:
        label = RATE_PARTS_ZH[i][side]
        return f"{label} {_num(value, 2 if '万元' in label else 0)}"

    f = pd.DataFrame({"指标": r["label_zh"], "分子": [part(i, 0, v) for i, v in zip(r["id"], r["numerator"])],
                      "分母": [part(i, 1, v) for i, v in zip(r["id"], r["denominator"])], "数值（%）": r["value"],
                      "目标（%）": r["target"]})
    return table(f, caption="项目实施主要指标", key="project_rates", decimals={"数值（%）": 1, "目标（%）": 1},
                 notes=["应开工（完工）项目：计划开工（完工）日期不晚于期末的项目。目标为年度目标（见绩效评价）。"])


def schedule_chart(ev: MigrantsEvaluation):
    """Planned against actual schedule of the period year's projects, slippage marked."""
    if ev.projects.schedule.empty:
        return _no_projects(ev)
    return plots.schedule_chart(ev.projects.schedule, caption="后扶项目计划与实际工期", source=_source(ev),
                                as_of=ev.inputs.period.end_ts, key="schedule")


# --- incomes and the income DiD ------------------------------------------------------------------

def _income_frame(income: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"年度": [f"{y}年" for y in income["year"]], "调查户数": income["households"],
                         "移民人均可支配收入（元）": income["migrant_income"],
                         "农村居民人均可支配收入（元）": income["rural_income"], "收入比（倍）": income["ratio"],
                         "达到1.0": ["—" if m is None else "是" if m else "否" for m in income["meets_goal"]]})


def income_table(ev: MigrantsEvaluation) -> Table | Text:
    """Migrant income against the rural benchmark by survey year."""
    if ev.income.empty:
        return _none()
    return _person_table(ev, _income_frame(ev.income), caption="移民与当地农村居民人均可支配收入", key="income",
                         count_columns=["调查户数"], label_column="年度",
                         rate_columns={c: "调查户数" for c in ("移民人均可支配收入（元）", "收入比（倍）")},
                         decimals={"移民人均可支配收入（元）": 0, "农村居民人均可支配收入（元）": 0, "收入比（倍）": 3},
                         notes=["移民收入为移民户跟踪调查的户人均可支配收入平均值；农村居民收入为当地统计公布数（示例数据中"
                                "2021年为公布数，其余年份为估计值）。目标：收入比不低于1.0。"])


def income_chart(ev: MigrantsEvaluation):
    """Migrant and rural per-capita income by year."""
    if ev.income.empty:
        return _none()
    wide = pd.DataFrame({"年度": ev.income["year"].astype(str), "移民人均可支配收入": ev.income["migrant_income"],
                         "农村居民人均可支配收入": ev.income["rural_income"]})
    long = wide.melt(id_vars="年度", var_name="系列", value_name="元")
    return plots.line_chart(long, x="年度", y="元", group="系列", caption="移民与当地农村居民人均可支配收入",
                            ylabel="元/人", xlabel="年度", source=_source(ev), key="income_chart")


def not_estimable_text(ev: MigrantsEvaluation) -> Text:
    """Why there is no income estimate."""
    e = ev.income_effect
    return _none() if e.reason == "no_migrants" else Text([f"{NOT_ESTIMABLE}（{e.detail}）"])


def income_effect_table(ev: MigrantsEvaluation) -> Table | Text:
    """The DiD estimates, or the reason there are none."""
    e = ev.income_effect
    if not e.estimable:
        return not_estimable_text(ev)
    est = e.estimates
    labels = {**ESTIMATE_ZH, "did_2x2": f"2×2双重差分（{e.did_completion_year}年完工村对未完工村）"}
    f = pd.DataFrame({"估计方法": est["method"].map(labels), "估计值": est["estimate"], "标准误": est["se"],
                      "95%置信区间": [f"{lo:.4f} 至 {hi:.4f}" for lo, hi in zip(est["ci_low"], est["ci_high"])],
                      "p值": ["<0.001" if p < 0.001 else f"{p:.3f}" for p in est["pvalue"]], "户·年": est["n"],
                      "村数": est["clusters"], "收入差异（%）": est["income_diff_pct"]})
    notes = e.method_note.splitlines()
    pre = e.event.pretrend
    if pre is not None:
        notes.append(f"平行趋势检验（完工前各期效应同时为零）：F = {pre.stat:.2f}，p = {pre.pvalue:.3f}。")
    return table(f, caption="后扶项目对移民人均收入的影响", key="income_effect", notes=notes,
                 decimals={"估计值": 4, "标准误": 4, "收入差异（%）": 1})


def event_chart(ev: MigrantsEvaluation):
    """Event-time effects with 95% intervals."""
    from matplotlib.ticker import MaxNLocator

    if not ev.income_effect.estimable:
        return not_estimable_text(ev)
    chart = plots.estimate_chart(ev.income_effect.event_time, "event_time",
                                 caption="项目完工前后各年的收入差异（对数点，95%置信区间）", ylabel="对数收入差异（对数点）",
                                 xlabel="相对处理年份（0 = 项目完工次年，−1 为参照年）", source=_source(ev), key="event_time")
    chart.figure.axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    return chart


DESIGN_ZH = {"sun_abraham": "Sun-Abraham 交互加权估计", "did2s": "两阶段插补估计（Gardner/BJS）",
             "drop_earliest_cohort": "剔除最早完工批次"}


def income_robustness(ev: MigrantsEvaluation) -> Table | None:
    """The income effect (log points, as the estimates table) under the alternative designs, with the
    verdict sentence and the parallel-trends test; nothing without an estimate (the estimates table
    says why)."""
    e = ev.income_effect
    if not e.estimable or e.robustness is None:
        return None
    pre = e.event.pretrend
    notes = []
    if pre is not None:
        verdict = "未见完工前差异" if e.parallel_trends else "完工前两类村收入走势已有差异，各设计的估计均应审慎解读"
        notes.append(f"平行趋势检验（完工前各期效应同时为零）：F = {pre.stat:.2f}，p = {pre.pvalue:.3f}，{verdict}。")
    notes += [e.robustness.method_note,
              f"估计值为对数收入之差（对数点），收入差异约为 exp(估计值) − 1；样本与主设计相同（{e.sample_label}移民户跟踪调查），"
              "标准误按村聚类。"]
    return robustness_table(e.robustness, caption="后扶项目收入效应的稳健性", key="income_robustness",
                            design_zh=DESIGN_ZH, subject="后扶项目对移民人均收入的效应", decimals=4,
                            estimate_label="估计值（对数点）", notes=notes)


# --- satisfaction and visits ---------------------------------------------------------------------

def satisfaction_table(ev: MigrantsEvaluation) -> Table | Text:
    """Satisfaction by survey year with Wilson intervals (suppressed in a township)."""
    s = ev.satisfaction.by_year
    if s.empty:
        return _none()
    f = pd.DataFrame({"年度": [f"{y}年" for y in s["year"]], "调查户数": s["surveyed"], "满意户数": s["satisfied"],
                      "不满意户数": s["unsatisfied"], "满意度（%）": s["rate"], "95%下限（%）": s["ci_low"],
                      "95%上限（%）": s["ci_high"]})
    rates = ("满意度（%）", "95%下限（%）", "95%上限（%）")
    return _person_table(ev, f, caption="移民群众满意度", key="satisfaction",
                         count_columns=["满意户数", "不满意户数", "调查户数"], label_column="年度", total_column="调查户数",
                         rate_columns=dict.fromkeys(rates, "不满意户数"), decimals=dict.fromkeys(rates, 1),
                         notes=[f"{ev.satisfaction.method_note}目标：满意度不低于95%。"])


def visits_table(ev: MigrantsEvaluation) -> Table | Text:
    """Follow-up visit coverage (year to date) by township or village."""
    if not ev.has_migrants:
        return _none()
    f = _area_frame(ev, ev.visits, {"households": "在册户数", "visited": "已走访户数", "coverage": "覆盖率（%）"})
    return _by_area_table(ev, f, caption="入户走访覆盖情况（年度累计）", key="visits",
                          count_columns=["在册户数", "已走访户数"], rate_columns={"覆盖率（%）": "在册户数"},
                          decimals={"覆盖率（%）": 1},
                          notes=[f"覆盖率 = {ev.assumptions.year}年1月1日至期末被走访的在册户数 / 期末在册户数 × 100。"])


# --- township comparisons (funnel plots, district report) ----------------------------------------

def entitled_funnel(ev: MigrantsEvaluation) -> Group | None:
    """Entitled persons paid in full by township against the district share (district report only)."""
    return funnel_section(funnel_of(ev, "paid_in_full"), subject="直补资金足额发放人数比例",
                          caption="各乡镇（街道）直补资金足额发放人数比例", key="entitled_funnel", numerator="足额发放人数",
                          denominator="应发人数", xlabel="应发人数（人）", source=_source(ev))


def timeliness_funnel(ev: MigrantsEvaluation) -> Group | None:
    """First payments by the deadline by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "payment_timeliness"), subject="直补资金按时发放率",
                          caption="各乡镇（街道）直补资金按时发放率", key="timeliness_funnel",
                          numerator=f"首次发放不晚于{_deadline(ev)}的人数", denominator="获发人数",
                          xlabel="获发人数（人）", source=_source(ev))


def visits_funnel(ev: MigrantsEvaluation) -> Group | None:
    """Households visited (year to date) by township against the district rate (district report only)."""
    return funnel_section(funnel_of(ev, "visit_coverage"), subject="入户走访覆盖率",
                          caption="各乡镇（街道）入户走访覆盖率（年度累计）", key="visits_funnel", numerator="已走访户数",
                          denominator="期末在册户数", xlabel="在册户数（户）", source=_source(ev))


# --- performance evaluation ----------------------------------------------------------------------

def _target_basis(row) -> str:
    basis = BASIS_ZH[row["basis"]]
    return basis + (f"，按序时进度折算（年度{_num(row['annual_target'], 0)}）" if row["prorated"] else "")


def performance_table(ev: MigrantsEvaluation) -> Table | Text:
    """The sheet as a report table (a category named once, at its first row) with a total row;
    a note when no item has data (a township without migrants)."""
    perf = ev.performance
    if not perf.has_data:
        return _none()
    s = perf.sheet
    show = pd.DataFrame({"一级指标": s["category"].map(CATEGORY_ZH), "二级指标": s["subcategory"].map(SUBCATEGORY_ZH),
                         "三级指标": s["label_zh"] + "（" + s["unit"] + "）", "分值": s["weight"], "目标值": s["target"],
                         "完成值": s["value"], "完成率（%）": s["achievement"], "得分": s["score"],
                         "档次": [BAND_ZH.get(b, "无数据") for b in s["band"]],
                         "目标依据": [_target_basis(r) for _, r in s.iterrows()]})
    for col in ("一级指标", "二级指标"):
        show[col] = show[col].where(show[col] != show[col].shift(), "")
    total = dict.fromkeys(show.columns, "")
    total.update({"一级指标": "合计", "分值": perf.weight_total, "得分": perf.total, "档次": f"等级：{GRADE_ZH[perf.grade]}"})
    show = pd.concat([show, pd.DataFrame([total])], ignore_index=True)
    return table(show, caption="绩效评价评分表", key="performance", notes=perf.method_note.splitlines(),
                 decimals={"目标值": 2, "完成值": 2, "完成率（%）": 1, "得分": 2, "分值": 0}, total_row=True)


# --- findings ------------------------------------------------------------------------------------

def _overview_sentence(ev: MigrantsEvaluation, v: dict, scope: str) -> str:
    p = ev.inputs.period
    return (f"{p.label_zh}，{scope}在册扶持移民{_num(v.get('registered_migrants'))}人"
            f"（{_num(v.get('migrant_households'))}户）；发放{p.year}年度移民直补资金"
            f"{_num(v.get('direct_subsidy_funds'), 2)}万元，惠及移民{_num(v.get('direct_subsidy_persons'))}人；"
            f"安排后扶项目{_num(v.get('projects_planned'))}个、资金{_num(v.get('project_funds'), 2)}万元，"
            f"期末已完工{_num(v.get('projects_completed'))}个。")


def _reconciliation_sentence(ev: MigrantsEvaluation) -> str:
    r, k = ev.reconciliation, ev.inputs.threshold
    s = r.status.set_index("status")

    def part(code: str) -> str:
        n, diff = s.loc[code, "persons"], s.loc[code, "discrepancy"]
        if not n:
            return f"无{STATUS_ZH[code]}"
        amount = "" if is_small(n, k) else f"、{'少发' if diff < 0 else '多发'}{abs(diff):,.0f}元"
        return f"{STATUS_ZH[code]}{count_text(n, k, '人')}{amount}"

    share = "" if is_small(r.entitled_with_problem, k) else f"（{_num(r.paid_in_full_share, 1)}%）"
    return (f"直补资金核对：{ev.inputs.period.year}年度应发{r.entitled:,}人，足额发放{r.paid_in_full:,}人{share}；"
            + "；".join(part(c) for c in ("eligible_unpaid", "duplicate", "paid_after_removal", "wrong_amount"))
            + "。上述问题应逐户核实，追回多发资金、补发应发未发资金。")


def _removals_sentence(ev: MigrantsEvaluation) -> str:
    rm, k = ev.removals, ev.inputs.threshold
    tot = rm.total
    detail = ("" if is_small(tot["dated"], k) or not tot["dated"] else
              f"，死亡、迁出至核减平均滞后{_num(tot['mean_lag'], 0)}天，{rm.max_lag_days}天内完成核减的占"
              f"{_num(tot['timely_rate'], 1)}%")
    pending = (f"仍有{count_text(rm.pending, k, '人')}已死亡或迁出但未核减。" if rm.pending else
               "无已死亡或迁出但未核减的人员。")
    return f"人口动态管理：期内核减{count_text(tot['removed'], k, '人')}{detail}；截至期末" + pending


def project_delays(ev: MigrantsEvaluation) -> str:
    """A clause on the projects behind schedule at the period end (empty when none are)."""
    pr = ev.projects
    parts = [f"{n}个项目{what}" for n, what in ((pr.late_start, "逾期未开工"), (pr.overdue, "逾期未完工")) if n]
    return f"截至期末，{'、'.join(parts)}，应督促加快实施。" if parts else ""


def _projects_sentence(ev: MigrantsEvaluation) -> str:
    v = dict(zip(ev.projects.rates["id"], ev.projects.rates["value"]))
    return (f"后扶项目：完工率{_num(v['project_completion_rate'], 1)}%，按时开工率{_num(v['on_time_start_rate'], 1)}%，"
            f"按时完工率{_num(v['on_time_finish_rate'], 1)}%，资金执行率{_num(v['budget_execution_rate'], 1)}%，"
            f"验收合格率{_num(v['acceptance_pass_rate'], 1)}%。" + project_delays(ev))


def _income_sentence(ev: MigrantsEvaluation) -> str:
    income = ev.income
    last, first = income.iloc[-1], income.iloc[0]
    since = ("" if len(income) < 2 or pd.isna(first["ratio"]) else
             f"（{first['year']}年为{_num(first['ratio'], 3)}倍）")
    verdict = "达到" if last["meets_goal"] else "未达到"
    return (f"{last['year']}年移民人均可支配收入{_num(last['migrant_income'])}元，为当地农村居民"
            f"（{_num(last['rural_income'])}元）的{_num(last['ratio'], 3)}倍{since}，{verdict}不低于1.0的目标。")


def _effect_sentence(ev: MigrantsEvaluation) -> str:
    e = ev.income_effect
    a, pre = e.event.att, e.event.pretrend
    diff = e.estimates["income_diff_pct"].iloc[0]
    trend = ("" if e.parallel_trends is None else
             f"；项目完工前两类村收入走势无显著差异（平行趋势检验p = {pre.pvalue:.2f}）" if e.parallel_trends else
             f"；但项目完工前两类村收入走势已有差异（平行趋势检验p = {pre.pvalue:.3f}），估计结果应审慎解读")
    return (f"项目成效：完成后扶项目的村，移民人均收入在完工后比其他村平均高{a.estimate:.3f}个对数点"
            f"（约{diff:.1f}%，95%置信区间{a.ci_low:.3f}至{a.ci_high:.3f}，"
            f"统计上{'显著' if e.significant else '不显著'}；{e.sample_label}样本，标准误按村聚类）{trend}。")


def _satisfaction_sentence(ev: MigrantsEvaluation) -> str | None:
    s, k = ev.satisfaction.by_year.iloc[-1], ev.inputs.threshold
    if is_small(s["satisfied"], k) or is_small(s["unsatisfied"], k):
        return None
    versus = SATISFACTION_ZH[s["verdict"]]
    return (f"{s['year']}年移民群众满意度{s['rate']:.1f}%（95%置信区间{s['ci_low']:.1f}%至{s['ci_high']:.1f}%），"
            f"{versus}{_num(ev.satisfaction.target, 0)}%的目标"
            + ("，差距在抽样误差范围内。" if s["verdict"] == "within_error" else "。"))


def _performance_sentence(ev: MigrantsEvaluation) -> str:
    perf = ev.performance
    tail = ("，扣分主要在" + "、".join(f"{r['label_zh']}（扣{r['lost']:.1f}分）" for _, r in perf.deductions.iterrows())
            if len(perf.deductions) else "")
    return f"绩效评价得分{perf.total:.1f}分，等级为{GRADE_ZH[perf.grade]}{tail}。"


def findings_sentences(ev: MigrantsEvaluation) -> list[str]:
    """The report's main findings in the summary's style, from the evaluation only."""
    scope = "全区" if ev.inputs.is_district else ev.inputs.scope_label
    if not ev.has_migrants:
        return [f"{ev.inputs.period.label_zh}，{scope}无水库移民后期扶持人口，本报告各项指标不适用。"]
    h = ev.headline.frame
    v = {i: (None if pd.isna(x) else float(x)) for i, x in zip(h["id"], h["value"])}
    out = [_overview_sentence(ev, v, scope), _reconciliation_sentence(ev)]
    if ev.timeliness.late:
        out.append(f"{'、'.join(ev.timeliness.late)}晚于{_deadline(ev)}集中发放，影响按时发放率。")
    out.append(_removals_sentence(ev))
    if v.get("projects_planned"):
        out.append(_projects_sentence(ev))
    if len(ev.income):
        out.append(_income_sentence(ev))
    if ev.income_effect.estimable:
        out.append(_effect_sentence(ev))
    if len(ev.satisfaction.by_year):
        out.append(_satisfaction_sentence(ev))
    if ev.performance.has_data:
        out.append(_performance_sentence(ev))
    return [s for s in out if s]


def findings(ev: MigrantsEvaluation) -> Text:
    """The main findings, as highlighted paragraphs."""
    return finding_box(findings_sentences(ev))
