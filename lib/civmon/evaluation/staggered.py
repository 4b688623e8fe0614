"""The robustness designs and the assumptions of a staggered event study, shared by the eldercare
upgrades and the migrant projects: Sun-Abraham's ATT (the main design) beside the imputation
(two-stage) estimator and Sun-Abraham without the earliest cohort, and what each design assumes with
this run's checks (the pre-trend F-test, the cluster count).

`method`, `assumption`, `check` and `caveat` of an Assumption are the report's Chinese words, written
here next to the designs they describe (as method notes are)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.evaluation.base import Assumption
from civmon.evaluation.robustness import Robustness, check_of
from civmon.stats import (EstimationError, EventStudyResult, Result, did_imputation, event_study,
                          without_earliest_cohort)

MAIN, IMPUTATION, DROP_EARLIEST = "sun_abraham", "did2s", "drop_earliest_cohort"  # Check.design codes
PRETREND_ALPHA = 0.05  # a pre-trend test below this: parallel trends rejected
ADEQUATE_CLUSTERS = 30  # fewer clusters: cluster-robust errors tend to be too small (Cameron and Miller 2015)


def staggered_robustness(panel: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str,
                         main: EventStudyResult, *, window: tuple[int, int], quantity: str,
                         cluster: str | None = None, control: str = "never", treated_zh: str = "处理") -> Robustness:
    """The main event study's ATT (event times 0..window[1]) beside the imputation estimator's ATT over
    the same treated observations and the event study re-run without the units of the earliest
    cohort (same window and controls). A design that cannot be estimated is left out and named in
    `skipped` with the reason in Chinese (the sentence prints it). The method note (Chinese) says
    what the two alternatives do; `treated_zh` names the event (改造完工, 项目完工)."""
    rows = [check_of(MAIN, "main", main.att)]
    skipped: dict[str, str] = {}
    try:
        imp = did_imputation(panel, outcome, unit, time, first_treated, horizon=window[1], cluster=cluster)
        rows.append(check_of(IMPUTATION, "alternative", imp))
    except EstimationError:
        skipped[IMPUTATION] = "未处理观测或聚类数不足"
    try:
        rest, cohort = without_earliest_cohort(panel, unit, time, first_treated)
        es = event_study(rest, outcome, unit, time, first_treated, window=window, cluster=cluster, control=control)
        rows.append(check_of(DROP_EARLIEST, "alternative", es.att, detail=_cohort_text(cohort)))
    except EstimationError:
        skipped[DROP_EARLIEST] = "剔除后剩余批次、对照或聚类数不足"
    note = (f"两阶段插补估计（Borusyak-Jaravel-Spiess；Gardner两阶段）：以从未和尚未{treated_zh}的观测估计个体与时间"
            f"固定效应，插补{treated_zh}后各观测未处理时的结果，效应为实际值与插补值之差在主设计同一批观测上的平均。"
            f"剔除最早批次：去掉最早{treated_zh}的一批后重做 Sun-Abraham 估计，看结论是否由单一批次驱动。")
    return Robustness(quantity=quantity, rows=rows, skipped=skipped, method_note=note)


def _cohort_text(value) -> str:
    """The dropped cohort as a Check's detail: a month as 2021-06, a whole number without decimals."""
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return f"{pd.Timestamp(value):%Y-%m}"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def event_study_assumptions(es: EventStudyResult, method: str, *, units_zh: str, treated_zh: str,
                            alternative: str | None = None) -> list[Assumption]:
    """The event study's assumptions and this run's checks: parallel trends (the pre-trend F-test),
    no anticipation (partly: the leads in that test), no spillovers (not testable) and enough clusters;
    `alternative` names the imputation estimator's row (its stronger parallel-trends assumption) when
    it is shown.
    `method` names the design and outcome (e.g. 事件研究（Sun-Abraham）：月度服务人次), `units_zh` the
    units compared (照料中心, 村), `treated_zh` the event (完工)."""
    pt = es.pretrend
    out = []
    if pt is None:
        out.append(Assumption(method, f"平行趋势：若没有{treated_zh}，{units_zh}的走势与对照{units_zh}相同",
                              f"窗口内无{treated_zh}前第2期及更早的估计，未做事前趋势检验",
                              caveat="无法检验处理前走势，结论依赖设计论证。"))
        holds, stat, p = None, None, None
    else:
        holds, stat, p = bool(pt.pvalue >= PRETREND_ALPHA), float(pt.stat), float(pt.pvalue)
        lo, hi = min(pt.event_times), max(pt.event_times)
        out.append(Assumption(
            method, f"平行趋势：若没有{treated_zh}，{units_zh}的走势与对照{units_zh}相同",
            f"事前趋势检验：{treated_zh}前第{-lo}至第{-hi}期效应联合为零的F检验（F({pt.df}, {pt.df_denom:g})）",
            stat, p, holds,
            "检验不拒绝不等于平行趋势得到证明，期数少、聚类少时检验功效有限。" if holds else
            f"{treated_zh}前已与对照存在差异，效应估计可能混入原有走势的差异，应审慎解读。"))
    out.append(Assumption(
        method, f"无预期效应：{treated_zh}前的结果不受其影响",
        f"不能完全检验：{treated_zh}前第2期及更早的各期已含在事前趋势检验中；前1期为参照期，其预期效应无法识别",
        caveat=f"若{treated_zh}前结果已提前变化（如施工期间的调整），效应会被低估或高估。"))
    out.append(Assumption(
        method, f"无溢出（SUTVA）：一个{units_zh}的{treated_zh}不影响其他{units_zh}的结果",
        "不能用数据检验，依据服务范围和制度背景判断",
        caveat=f"若对照{units_zh}受到影响（如服务对象或资源在{units_zh}之间转移），估计会有偏差。"))
    g = es.n_clusters
    out.append(Assumption(
        method, "聚类数足以支持聚类稳健标准误", f"聚类数G={g}，经验要求不少于{ADEQUATE_CLUSTERS}",
        float(g), None, bool(g >= ADEQUATE_CLUSTERS),
        "" if g >= ADEQUATE_CLUSTERS else "聚类较少时聚类稳健标准误可能偏小、置信区间偏窄，显著性应审慎解读。"))
    if alternative:
        out.append(Assumption(
            alternative, f"平行趋势覆盖全部{treated_zh}前时期（以全部未处理观测估计个体和时间效应）",
            "以主设计的事前趋势检验为参照", stat, p, holds,
            f"比 Sun-Abraham 用到更多{treated_zh}前时期，处理前走势差异对它的影响更大；两者相近时结论更可信。"))
    return out


def naive_assumption(naive: Result, main: EventStudyResult, method: str) -> Assumption:
    """The naive TWFE's homogeneity assumption, checked against the event study: does the naive
    estimate fall within the event study's 95% interval?"""
    inside = bool(main.att.ci_low <= naive.estimate <= main.att.ci_high)
    return Assumption(
        method, "处理效应不随批次和处理时长变化（效应同质）",
        "朴素估计是否落在 Sun-Abraham 估计的95%置信区间内（统计量为朴素估计）", float(naive.estimate), None, inside,
        "效应随批次或时间变化时，朴素估计以先处理者为后处理者的对照而有偏，仅作对照。")
