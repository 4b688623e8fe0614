"""Funnel plots by township, in one wording for every programme: the chart, the table of townships
outside the control limits and the sentence naming them (civmon.evaluation.funnel computes them;
nothing is computed here). A township inside the limits is never called high or low: its difference
from the district is what chance alone produces at its size.
"""

from __future__ import annotations

import pandas as pd

from civmon import plots
from civmon.disclosure import SUPPRESSED, suppression_note
from civmon.evaluation.funnel import FunnelResult
from civmon.report.captions import see
from civmon.report.tables import Group, Table, Text, table

TOWN = "乡镇（街道）"
POSITION_ZH = {"above_998": "高于99.8%控制限", "above_95": "高于95%控制限", "below_95": "低于95%控制限",
               "below_998": "低于99.8%控制限"}
LIMIT_LABELS = ("95%控制限", "99.8%控制限")
ADJUSTED_LABELS = ("95%控制限（已按过度离散调整）", "99.8%控制限（已按过度离散调整）")


def funnel_of(ev, rate: str) -> FunnelResult | None:
    """A programme evaluation's funnel of `rate` (None in a township report or when it was not made)."""
    funnels = getattr(ev, "funnels", None)
    return None if not funnels else funnels.get(rate)


def funnel_chart(f: FunnelResult, *, caption: str, key: str, xlabel: str, ylabel: str, source: str) -> plots.Chart:
    """The funnel plot: shown townships, the district rate, the 95% and 99.8% limits; townships outside
    the 95% limits labelled."""
    return plots.funnel_chart(f.shown, f.limits, f.district_rate, caption=caption, xlabel=xlabel, ylabel=ylabel,
                              source=source, outliers=f.names(*POSITION_ZH), key=key,
                              level_labels=ADJUSTED_LABELS if f.adjusted else LIMIT_LABELS)


def outlier_frame(f: FunnelResult) -> pd.DataFrame:
    """乡镇（街道）, 分子, 分母, 比率（%）, 区平均（%）, 位置: the townships outside the 95% limits; the
    counts and rate of a hidden township as ＊."""
    o = f.outside
    frame = pd.DataFrame({TOWN: o["township"].to_numpy(), "分子": o["k"].to_numpy(), "分母": o["n"].to_numpy(),
                          "比率（%）": o["rate_pct"].to_numpy(), "区平均（%）": f.district_pct,
                          "位置": o["position"].map(POSITION_ZH).to_numpy()})
    hide = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    for col in ("分子", "分母", "比率（%）"):
        hide[col] = o["hidden"].to_numpy()
    return frame.astype(object).mask(hide, SUPPRESSED)


def outlier_table(f: FunnelResult, *, caption: str, key: str, numerator: str, denominator: str) -> Table | None:
    """The townships outside the 95% control limits (None when there are none)."""
    if f.outside.empty:
        return None
    notes = [f"分子为{numerator}，分母为{denominator}；区平均为全区合计的比率。",
             ("“高于（低于）99.8%控制限”：在其分母下出现这样或更极端的比率，若与区平均水平并无实际差异，概率不足0.1%；"
              "“95%控制限”对应2.5%。")]
    if f.outside["hidden"].any():
        notes.append(suppression_note(f.threshold))
    return table(outlier_frame(f), caption=caption, key=key, decimals={"比率（%）": 1, "区平均（%）": 1}, notes=notes)


def _names(names: list[str]) -> str:
    return "、".join(names)


def funnel_sentences(f: FunnelResult, subject: str, key: str | None = None) -> list[str]:
    """Which townships lie outside the 99.8% and 95% limits of `subject` around the district rate,
    or that all lie within them; the over-dispersion adjustment when applied."""
    s = f"与区平均水平（{f.district_pct:.1f}%）相比，"
    parts = []
    for pos in ("above_998", "below_998"):
        if f.names(pos):
            parts.append(f"{_names(f.names(pos))}{subject}{POSITION_ZH[pos]}，差异难以用随机波动解释")
    for pos in ("above_95", "below_95"):
        if f.names(pos):
            parts.append(f"{_names(f.names(pos))}{subject}{POSITION_ZH[pos]}（未超出99.8%控制限，宜结合下期数据观察）")
    if parts:
        ref = f"（见{see('表', key)}）" if key else ""
        s += "；".join(parts) + ref + "；其余乡镇（街道）均在95%控制限以内，与区平均水平的差异可由随机波动解释。"
    else:
        s += f"各乡镇（街道）{subject}均在95%控制限以内，与区平均水平的差异可由随机波动解释，不据此判断高低。"
    out = [s]
    if f.adjusted:
        out.append(f"各乡镇（街道）间的差异大于二项分布的随机波动（过度离散，φ={f.phi:.2f}），控制限已按φ放宽（乘法调整）。")
    if f.excluded:
        out.append(f"{_names(list(f.excluded))}本期无{subject}的统计基数，未列入漏斗图。")
    return out


def funnel_section(f: FunnelResult | None, *, subject: str, caption: str, key: str, numerator: str,
                   denominator: str, xlabel: str, source: str) -> Group | None:
    """Chart, sentence and outlier table of one funnel (None when there is no funnel at this scope).
    `subject` names the rate in the sentence (e.g. 救助金按时发放率)."""
    if f is None:
        return None
    t = outlier_table(f, caption=f"{caption}：超出控制限的乡镇（街道）", key=key, numerator=numerator,
                      denominator=denominator)
    chart = funnel_chart(f, caption=f"{caption}漏斗图", key=key, xlabel=xlabel, ylabel=f"{subject}（%）", source=source)
    return Group([chart, Text([f.note]) if f.note else None,
                  Text([*funnel_sentences(f, subject, key if t is not None else None), f"方法说明：{f.method_note}"]), t])
