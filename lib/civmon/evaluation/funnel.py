"""Funnel plots of a rate by township against the district rate (Spiegelhalter 2005): the townships'
counts from a programme's existing by-township frame, exact binomial 95% and 99.8% control limits
(civmon.stats.funnel), the over-dispersion check, and which townships may be shown.

District reports only (a township report has one township). Disclosure follows the by-township
tables: with a threshold (the run's, which those tables apply in the district report too), a
township whose numerator, denominator or their difference is a small count, and any township whose
counts would reveal one from the district totals, is not drawn and its counts are not listed
(`hidden`); its position against the limits, which reveals no count, is still reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from civmon.disclosure import chart_note, suppress_counts
from civmon.evaluation.base import Assumption, Result
from civmon.stats import FunnelStats, funnel
from civmon.stats.funnel import WINSOR

TOTAL = "total"  # the label of the by-township frames' total row (every programme's)
POSITIONS = ("above_998", "above_95", "below_95", "below_998", "within")
MIN_TOWNSHIPS = 3  # fewer townships with a denominator: no funnel
METHOD = "漏斗图（精确二项控制限）"
FUNNEL_METHOD_NOTE = (
    "漏斗图以各乡镇（街道）的分母为横轴、比率为纵轴，以区平均水平为中心线，按二项分布的精确分位数（Spiegelhalter 2005，"
    "插值法）画出95%和99.8%控制限；分母越小，随机波动越大，控制限越宽。某乡镇（街道）在其分母下出现该比率或更极端比率的"
    "精确二项概率低于2.5%（0.1%）时判为高于或低于95%（99.8%）控制限；落在控制限以内的差异可由随机波动解释，不据此判断高低。"
    "过度离散检验：各乡镇（街道）z值经10%缩尾后平方的均值φ，I·φ与自由度I−1的χ²分布比较，P<0.05且φ>1时按φ放宽控制限"
    "（乘法调整）。")


def position(row) -> str:
    """The outermost limit a township lies beyond (POSITIONS), or "within"."""
    for code, col in (("above_998", "above998"), ("below_998", "below998"), ("above_95", "above95"),
                      ("below_95", "below95")):
        if row[col]:
            return code
    return "within"


@dataclass
class FunnelResult(Result):
    """One rate's funnel plot by township.

    `rate` is the rate's code (the phrasing labels it); `units` has township, k, n, rate, rate_pct,
    z, p_low, p_high, the limits at the township's n, the flags, `position` (POSITIONS) and `hidden`
    (not drawn, counts not listed); `limits` the limit curves over n; `district_rate` the centre line
    (the total row's rate, a fraction). `excluded` names the townships with no denominator. `note`
    is the chart's suppression note ("" when nothing is hidden)."""

    rate: str
    stats: FunnelStats
    units: pd.DataFrame
    district_rate: float
    threshold: int | None
    excluded: tuple[str, ...] = ()
    note: str = ""

    @property
    def limits(self) -> pd.DataFrame:
        return self.stats.limits

    @property
    def district_pct(self) -> float:
        return 100 * self.district_rate

    @property
    def adjusted(self) -> bool:
        """Limits widened for over-dispersion."""
        return self.stats.adjusted

    @property
    def phi(self) -> float:
        return self.stats.phi

    @property
    def shown(self) -> pd.DataFrame:
        """The townships that may be drawn."""
        return self.units[~self.units["hidden"]]

    @property
    def outside(self) -> pd.DataFrame:
        """Townships beyond the 95% limits: above 99.8%, above 95%, below 95%, below 99.8%, each the most
        extreme first."""
        out = self.units[self.units["position"] != "within"]
        order = out["position"].map({p: i for i, p in enumerate(POSITIONS)})
        return out.assign(_o=order, _z=-out["z"].abs()).sort_values(["_o", "_z"]).drop(columns=["_o", "_z"])

    def names(self, *positions: str) -> list[str]:
        """Townships at the given positions, in the order of `outside`."""
        o = self.outside
        return o.loc[o["position"].isin(positions), "township"].tolist()

    @property
    def hidden(self) -> int:
        return int(self.units["hidden"].sum())


PROTECT_ALL = ("k", "rest", "n")


def _hidden(frame: pd.DataFrame, threshold: int | None, protect=PROTECT_ALL) -> np.ndarray:
    """Townships with a small count among `protect` (numerator k, denominator n, their difference
    rest), or whose counts would reveal one from the district totals: the suppression of the
    by-township table that shows these counts (the same count columns, primary and secondary)."""
    if not threshold:
        return np.zeros(len(frame), dtype=bool)
    t = pd.DataFrame({"township": frame["township"].to_numpy(), "k": frame["k"].to_numpy(),
                      "rest": (frame["n"] - frame["k"]).to_numpy(), "n": frame["n"].to_numpy()})
    cols = [c for c in PROTECT_ALL if c in protect]
    total = "n" if {"k", "rest", "n"} <= set(cols) else None  # k + rest = n is then a public row relation
    s = suppress_counts(t, cols, threshold, total_column=total, label_column="township")
    if s.exposed:
        return np.ones(len(frame), dtype=bool)
    return s.mask[cols].any(axis=1).to_numpy()


def assumptions(f: FunnelStats, label_zh: str) -> list[Assumption]:
    """Binomial variation within townships (argued, not testable from the counts) and no extra variation
    between them (the over-dispersion check)."""
    method = f"{METHOD}：{label_zh}"
    out = [Assumption(method, "同一乡镇（街道）内各记录相互独立、比率相同，分子服从二项分布",
                      "无法由汇总数据直接检验；记录在家庭、村（社区）或经办人员内聚集时，表现为下一条的过度离散")]
    if math.isnan(f.phi):
        out.append(Assumption(method, "各乡镇（街道）之间除随机波动外无额外差异（无过度离散）",
                              "乡镇（街道）过少或区平均为0或100%，不做过度离散检验"))
        return out
    check = (f"各乡镇（街道）z值经{WINSOR:g}%缩尾后平方的均值φ={f.phi:.2f}，"
             f"I·φ={f.statistic:.1f}与自由度{f.df}的χ²分布比较")
    caveat = ""
    if f.adjusted:
        caveat = "各乡镇（街道）间差异大于二项分布的随机波动，控制限已按φ放宽（乘法调整），超出控制限的判定据此作出"
    elif f.overdispersed:
        caveat = ("各乡镇（街道）间差异大于二项分布的随机波动，但乡镇（街道）不足10个，缩尾不能排除个别异常乡镇（街道）"
                  "对φ的影响，控制限未放宽；超出控制限的乡镇（街道）中可能有部分差异源于未计入的共同因素")
    out.append(Assumption(method, "各乡镇（街道）之间除随机波动外无额外差异（无过度离散）", check, statistic=f.phi,
                          pvalue=f.pvalue, holds=not f.overdispersed, caveat=caveat))
    return out


def funnel_result(frame: pd.DataFrame, *, rate: str, label_zh: str, district_rate: float,
                  threshold: int | None, protect=PROTECT_ALL) -> FunnelResult | None:
    """The funnel of one rate from a frame of townships (columns township, k, n; no total row) around
    `district_rate` (a fraction); None with fewer than MIN_TOWNSHIPS townships that have a denominator.
    `threshold` is the disclosure threshold of the by-township table of these counts (None: counts of
    places or facilities, nothing to hide) and `protect` the counts that table suppresses (see
    `_hidden`; by default all three)."""
    f = frame[["township", "k", "n"]].copy()
    f["k"], f["n"] = f["k"].astype(int), f["n"].astype(int)
    hidden = _hidden(f, threshold, protect)
    empty = (f["n"] <= 0).to_numpy()
    hidden = hidden[~empty]
    f = f[~empty].reset_index(drop=True)
    if len(f) < MIN_TOWNSHIPS or math.isnan(district_rate):
        return None
    st = funnel(f["k"].to_numpy(), f["n"].to_numpy(), target=float(district_rate), units=f["township"].tolist(),
                target_from_data=True)
    units = st.units.rename(columns={"unit": "township"})
    units["rate_pct"] = 100 * units["rate"]
    units["position"] = [position(r) for r in units.to_dict("records")]
    units["hidden"] = hidden
    excluded = tuple(frame.loc[frame["n"].astype(int) <= 0, "township"].astype(str))
    return FunnelResult(rate=rate, stats=st, units=units, district_rate=float(district_rate), threshold=threshold,
                        excluded=excluded, note=chart_note(threshold) if units["hidden"].any() else "",
                        method_note=FUNNEL_METHOD_NOTE, assumptions=assumptions(st, label_zh))


def township_funnel(by_township: pd.DataFrame, *, k: str, n: str, rate: str, label_zh: str,
                    threshold: int | None, protect=PROTECT_ALL, label: str = "township",
                    total: str = TOTAL) -> FunnelResult | None:
    """The funnel of a rate from a programme's by-township frame with its total row: numerator column
    `k`, denominator `n`; the centre line is the total row's k / n (the district rate the frame's table
    shows), or the pooled rate when the frame has no total row."""
    is_total = by_township[label] == total
    towns = by_township.loc[~is_total, [label, k, n]].set_axis(["township", "k", "n"], axis=1)
    tot = by_township.loc[is_total, [k, n]]
    kt, nt = (tot.iloc[0][k], tot.iloc[0][n]) if len(tot) else (towns["k"].sum(), towns["n"].sum())
    return funnel_result(towns, rate=rate, label_zh=label_zh, district_rate=float(kt) / float(nt) if nt else float("nan"),
                         threshold=threshold, protect=protect)
