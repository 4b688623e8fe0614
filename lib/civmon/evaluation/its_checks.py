"""What a reviewer asks of an interrupted time series: does the estimate survive a placebo date and an
intervention month moved by one month, do the residuals fit the error model, what could the series
have detected, and how well do its intervals cover (the coverage study behind the default)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from civmon.evaluation.base import Assumption
from civmon.evaluation.robustness import Robustness, check_of
from civmon.stats import EstimationError, its, minimum_detectable_effect
from civmon.stats.its import DEFAULT_ERRORS, MIN_SEGMENT

TERMS = ("level_change", "slope_change")
COVERAGE_CSV = Path(__file__).resolve().parents[1] / "resources" / "its_coverage.csv"
COVERAGE_RANGE = (0.93, 0.97)
METHOD_ZH = {
    "ols-ar1-reml": "分段回归（最小二乘估计系数），误差按一阶自回归（AR(1)）以限制性极大似然（REML）估计，"
                    "置信区间用Satterthwaite自由度的t分布",
    "gls-ar1-reml": "分段回归（广义最小二乘），误差按AR(1)以REML估计，Satterthwaite自由度",
    "prais-winsten": "分段回归（Prais-Winsten可行广义最小二乘，AR(1)误差）",
    "arima": "带自回归误差的回归（SARIMAX，极大似然）",
    "newey-west": "分段回归，Newey-West异方差自相关稳健标准误",
}


def shifted(month: pd.Timestamp, months: int) -> pd.Timestamp:
    return (pd.Timestamp(month).to_period("M") + months).to_timestamp()


def its_robustness(series: pd.DataFrame, time: str, outcome: str, intervention: pd.Timestamp,
                   main) -> dict[str, Robustness]:
    """Level and slope change under the main fit, the intervention month moved one month earlier and
    later (alternatives), and a placebo: the pre-intervention months alone with a pretended
    intervention at their middle (no change should be found there). Keyed by term."""
    pre = series[series[time] < intervention]
    alternatives = {"shift_minus_1": (series, shifted(intervention, -1), "alternative"),
                    "shift_plus_1": (series, shifted(intervention, 1), "alternative"),
                    "placebo_pre": (pre, pre[time].iloc[len(pre) // 2] if len(pre) else None, "placebo")}
    rows = {t: [check_of("main", "main", getattr(main, t))] for t in TERMS}
    skipped: dict[str, str] = {}
    for design, (frame, at, kind) in alternatives.items():
        if at is None or len(frame) < 2 * MIN_SEGMENT:
            skipped[design] = "too_few_months"
            continue
        try:
            r = its(frame, time, outcome, at, errors=main.errors)
        except EstimationError as e:
            skipped[design] = str(e)
            continue
        for t in TERMS:
            rows[t].append(check_of(design, kind, getattr(r, t)))
    return {t: Robustness(quantity=f"{outcome}.{t}", rows=rows[t], skipped=dict(skipped)) for t in TERMS}


@dataclass(frozen=True)
class Detectability:
    """What the scope's series could detect: the minimum detectable effect (80% power, 5% two-sided)
    of a term, and the change expected here if the district's estimate applied in proportion to the
    scope's share of the district (`expected`; None without a district estimate)."""

    outcome: str
    term: str
    mde: float
    expected: float | None
    share: float | None

    @property
    def detectable(self) -> bool | None:
        return None if self.expected is None else abs(self.expected) >= self.mde


def detectability(results: dict, district: dict | None, share: float | None) -> list[Detectability]:
    """Per outcome and term: the scope's minimum detectable effect beside the district's estimate
    scaled by `share` (the scope's part of the district at the intervention)."""
    out = []
    for y, r in results.items():
        for t in TERMS:
            expected = None
            if district and y in district and share is not None:
                expected = getattr(district[y], t).estimate * share
            out.append(Detectability(y, t, minimum_detectable_effect(getattr(r, t)), expected, share))
    return out


def its_assumptions(outcome_zh: str, r, robustness: dict[str, Robustness]) -> list[Assumption]:
    """The assumptions of one ITS fit with this run's checks: the pre-trend's continuation (by the
    placebo), residuals the error model whitens (Ljung-Box), a stationary error process, and no
    concurrent change (argued, not tested)."""
    method = f"中断时间序列（{outcome_zh}）"
    d = r.diagnostics
    out = []
    placebo = [c for c in robustness["level_change"].rows + robustness["slope_change"].rows if c.kind == "placebo"]
    if placebo:
        ok = not any(c.excludes_zero for c in placebo)
        worst = min(placebo, key=lambda c: c.pvalue if c.pvalue is not None else 1.0)
        out.append(Assumption(method, "若无调整，调整前的线性趋势将延续（反事实）",
                              "安慰剂检验：仅用调整前月份、在其中点假设一次调整，检验水平与斜率变化是否为0",
                              None, worst.pvalue, ok,
                              "" if ok else "调整前序列在假设的调整点已有显著变化，线性趋势外推的反事实可能不可靠。"))
    else:
        out.append(Assumption(method, "若无调整，调整前的线性趋势将延续（反事实）", "调整前月份不足，未做安慰剂检验",
                              caveat="反事实无法用调整前数据检验。"))
    if d.ar_order and not math.isfinite(d.ljung_box_p):
        out.append(Assumption(method, "误差服从一阶自回归（AR(1)）", "拟合无残差（序列恰为分段直线），无需检验"))
    elif d.ar_order:
        lb_ok = d.ljung_box_p >= 0.05
        out.append(Assumption(method, "误差服从一阶自回归（AR(1)），残差白化后无剩余自相关",
                              f"Ljung-Box检验（白化残差，滞后{d.ljung_box_lags}期）；自回归系数ρ={d.rho:.2f}，"
                              f"Durbin-Watson={d.durbin_watson:.2f}",
                              d.ljung_box, d.ljung_box_p, lb_ok,
                              "" if lb_ok else "残差仍有自相关，置信区间可能偏窄。"))
        out.append(Assumption(method, "误差过程平稳（非单位根）", f"自回归系数ρ={d.rho:.2f}（上限0.99）", d.rho, None,
                              not d.rho_at_bound,
                              "" if not d.rho_at_bound else "ρ接近1，序列近似随机游走，趋势外推的不确定性大于区间所示。"))
    else:
        out.append(Assumption(method, "Newey-West标准误在该样本量下可靠", f"Durbin-Watson={d.durbin_watson:.2f}",
                              d.durbin_watson, None, None, "月度观测仅数十个时Newey-West区间偏窄。"))
    out.append(Assumption(method, "同期无其他影响该指标的变化", "无法用数据检验",
                          caveat="同期其他政策（如应保尽保专项行动）的影响也计入估计。"))
    return out


def judged(study: pd.DataFrame) -> pd.DataFrame:
    """The designs the ITS default is judged on: the sample's process and Turner's with n >= 48."""
    n = study["design"].str.extract(r"n=(\d+)")[0].astype(float)
    return study[study["design"].str.startswith("sample") | (n >= 48)]


@lru_cache(maxsize=1)
def coverage_study() -> pd.DataFrame:
    """The committed results of bench/its_coverage.py (design, method, coverage of level and slope ...)."""
    return pd.read_csv(COVERAGE_CSV)


def coverage_note(errors: str = DEFAULT_ERRORS) -> str:
    """What the coverage study found for `errors`: the range of its 95% coverage on the sample's
    process and on Turner et al.'s designs with n >= 48, and each design outside [0.93, 0.97]."""
    df = judged(coverage_study())
    df = df[df["method"] == errors]
    if df.empty:
        return ""
    sample = df[df["design"].str.startswith("sample")]
    turner = df[df["design"].str.startswith("Turner")]
    reps = int(df["series"].max())

    def span(part):
        vals = pd.concat([part["level_coverage"], part["slope_coverage"]])
        return f"{vals.min():.2f}～{vals.max():.2f}"

    lo, hi = COVERAGE_RANGE
    outside = []
    for _, r in df.iterrows():
        for term, zh in (("level", "水平"), ("slope", "斜率")):
            c = r[f"{term}_coverage"]
            if not lo <= c <= hi:
                outside.append(f"{design_zh(r['design'])}{zh}{c:.3f}")
    text = (f"覆盖率研究（bench/its_coverage.py，每种设计{reps}条模拟序列）中，该方法95%置信区间的实际覆盖率："
            f"本示例数据的生成过程{span(sample)}，Turner等（2021）的模拟设计（序列长度≥48）{span(turner)}。")
    if outside:
        text += f"覆盖率在{lo:.2f}～{hi:.2f}之外的设计：" + "；".join(outside) + "。"
    return text


def design_zh(design: str) -> str:
    """'sample spending 2023H1 (...)' -> '示例数据救助金2023H1', 'Turner n=48 rho=0.8' -> 'Turner n=48 ρ=0.8'."""
    if design.startswith("sample"):
        parts = design.split()
        return "示例" + {"caseload": "户数", "spending": "救助金"}.get(parts[1], parts[1]) + parts[2]
    return design.replace("rho", "ρ")


def its_method_note(results: dict, outcome_zh: dict[str, str]) -> str:
    """The method note of the fits that were run: model, error model, residual diagnostics and coverage."""
    e = next(iter(results.values())).errors if results else DEFAULT_ERRORS
    note = ("方法说明：分段回归 y = b0 + b1·t + b2·调整后 + b3·调整后月数 + 误差，b2为水平变化、b3为斜率变化；"
            f"{METHOD_ZH[e]}。")
    diag = []
    for y, r in results.items():
        d = r.diagnostics
        if not math.isfinite(d.ljung_box_p):
            diag.append(f"{outcome_zh[y]}拟合无残差")
        elif d.ar_order:
            diag.append(f"{outcome_zh[y]}ρ={d.rho:.2f}、Durbin-Watson={d.durbin_watson:.2f}、"
                        f"Ljung-Box（滞后{d.ljung_box_lags}期）p={d.ljung_box_p:.2f}")
        else:
            diag.append(f"{outcome_zh[y]}Durbin-Watson={d.durbin_watson:.2f}")
    if diag:
        note += "残差诊断：" + "；".join(diag) + "。"
    note += coverage_note(e)
    note += "反事实假定调整前的线性趋势延续，同期其他政策（如应保尽保专项行动）的影响也计入估计。"
    return note
