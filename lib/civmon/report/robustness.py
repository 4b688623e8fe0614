"""Robustness tables and their one-sentence verdicts, and the assumptions log appendix: the same
wording in every programme's report (the designs' names come from each programme's phrasing)."""

from __future__ import annotations

import math

import pandas as pd

from civmon.evaluation.base import Assumption, assumptions_of
from civmon.evaluation.robustness import Robustness
from civmon.report.tables import Table, Text, table

KIND_ZH = {"main": "主设计", "alternative": "替代设计", "placebo": "安慰剂检验"}

VERDICT_ZH = {
    "holds": "各替代设计的估计方向一致且置信区间均不含0，结论稳健",
    "direction_holds": "各替代设计的估计方向一致，但部分置信区间包含0，结论方向稳健而幅度的确定性较弱",
    "does_not_hold": "替代设计给出方向相反或显著性不同的结果，结论不稳健，解读时应审慎",
    "placebo_fails": "安慰剂检验在不应有效应处也得出了显著效应，说明模型可能未充分刻画原有趋势，结论应审慎解读",
    "no_effect_holds": "主设计与各替代设计的置信区间均包含0，“未见明显效应”的结论稳健",
}


def robustness_frame(r: Robustness, design_zh: dict[str, str], scale: float = 1.0,
                     estimate_label: str = "估计值", decimals: int = 2) -> pd.DataFrame:
    """Design, its role, the estimate and its 95% CI (divided by `scale`, e.g. 1e4 for 万元)."""
    rows = []
    for c in r.rows:
        rows.append({"设计": design_zh.get(c.design, c.design), "用途": KIND_ZH[c.kind],
                     estimate_label: c.estimate / scale,
                     "95%置信区间": f"{c.ci_low / scale:,.{decimals}f} ~ {c.ci_high / scale:,.{decimals}f}"})
    return pd.DataFrame(rows)


def robustness_sentence(r: Robustness, subject: str, skipped: bool = True,
                        design_zh: dict[str, str] | None = None) -> str:
    """One sentence: whether `subject`'s conclusion holds across the designs (and, with `skipped`,
    which designs could not be estimated, named through `design_zh` where it has them)."""
    s = f"{subject}：{VERDICT_ZH[r.verdict]}。"
    if skipped and r.skipped:
        names = design_zh or {}
        s += "未能估计的设计：" + "；".join(f"{names.get(k, k)}（{v}）" for k, v in r.skipped.items()) + "。"
    return s


def robustness_table(r: Robustness | None, *, caption: str, key: str, design_zh: dict[str, str],
                     subject: str, scale: float = 1.0, decimals: int = 2, estimate_label: str = "估计值",
                     notes=()) -> Table | None:
    """The compact "design, estimate, 95% CI" table with the verdict sentence as its first note."""
    if r is None or not r.rows:
        return None
    frame = robustness_frame(r, design_zh, scale, estimate_label, decimals)
    return table(frame, caption=caption, key=key, decimals={estimate_label: decimals},
                 notes=[robustness_sentence(r, subject, design_zh=design_zh), *notes])


# --- the assumptions log --------------------------------------------------------------------------

HOLDS_ZH = {True: "成立", False: "不成立", None: "无法用数据检验"}


def _stat_text(a: Assumption) -> str:
    parts = []
    if a.statistic is not None and not (isinstance(a.statistic, float) and math.isnan(a.statistic)):
        parts.append(f"{a.statistic:.3g}")
    if a.pvalue is not None and not math.isnan(a.pvalue):
        parts.append("p<0.001" if a.pvalue < 0.001 else f"p={a.pvalue:.3f}")
    return "，".join(parts) or "—"


def assumptions_frame(assumptions: list[Assumption]) -> pd.DataFrame:
    """方法, 假设, 本次检验, 统计量, 结果, 说明: one row per assumption."""
    return pd.DataFrame([{"方法": a.method, "假设": a.assumption, "本次检验": a.check, "统计量": _stat_text(a),
                          "结果": HOLDS_ZH[a.holds], "说明": a.caveat or "—"} for a in assumptions],
                        columns=["方法", "假设", "本次检验", "统计量", "结果", "说明"])


def assumptions_log(ev) -> Table | Text:
    """The assumptions appendix of a report: each method's assumptions and how this run checked them."""
    log = assumptions_of(ev)
    if not log:
        return Text(["本报告未运行需要检验假设的估计方法。"])
    return table(assumptions_frame(log), caption="附表 估计方法的假设及本次检验", numbered=False,
                 notes=["“无法用数据检验”的假设依赖制度背景和设计论证，列出以便审阅者判断；"
                        "“不成立”时相应结论以说明为限。"])
