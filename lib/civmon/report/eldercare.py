"""The eldercare facility-upgrade report: headline with targets, the area standard, meal coverage,
safety inspections, the upgrade event study beside the naive TWFE estimate, carers and findings.

Frame functions take DataFrames (already scoped) and return DataFrames or small result objects;
the few functions taking `ctx` only pick the frames and parameters and wrap the result for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civmon.data.spec import DATASETS
from civmon.indicators import eldercare as ie
from civmon.period import Period
from civmon.report.headline import Headline, headline as headline_of
from civmon.report.tables import Table, Text, table
from civmon.report.headline import HEADLINE_IDS as _HEADLINES
from civmon.stats import EstimationError, event_study, twfe
from civmon.report.context import area_names, label_areas

# The report's headline: the summary's seven figures, then the upgrade pipeline (one list for all reports).
HEADLINE_IDS = _HEADLINES["eldercare"]
# Rate targets the bureau's own documents state, used where the run's params give none: meal
# service in >= 90% of villages/communities ([S]); closed-loop rectification and carer
# certification at 100% (domain notes). Rates, so they hold for a township as for the district.
DEFAULT_TARGETS = {"meal_service_coverage": 90.0, "rectification_rate": 100.0, "carer_certification_rate": 100.0}
PRE_PERIODS = 6  # leads shown and tested before completion
MIN_TREATED_CENTRES = 5  # fewer upgraded centres than this: no event study (clustered errors unreliable)
NOTABLE_GAP_PP = 5.0  # percentage points: a gap between groups worth a sentence
OUTCOMES = {"service_person_times": ("月度服务人次", "人次"), "satisfaction": ("月均满意度评分", "分")}
GROUPS = ("城镇老旧小区", "其他城镇", "农村")
CENTRE_SUFFIXES = ("居家养老服务照料中心", "居家养老服务中心")
FINDING_ZH = dict(zip(DATASETS["safety_inspections"].column("finding_type").values,
                      DATASETS["safety_inspections"].column("finding_type").value_zh))


def targets(params_targets: dict | None, is_district: bool = True) -> dict[str, float]:
    """The run's targets over the programme defaults (params win); for a township only the rate
    (%) targets, since a district's count target (e.g. beds to build) cannot be judged there."""
    from civmon.indicators import all_indicators

    out = {**DEFAULT_TARGETS, **(params_targets or {})}
    if not is_district:
        reg = all_indicators()
        out = {k: v for k, v in out.items() if k in reg and reg[k].unit == "%"}
    return out


def headline(ctx, ids=HEADLINE_IDS) -> Headline:
    """The headline figures with previous period, a year earlier and the targets of `targets`."""
    return headline_of(ids, ctx.data, ctx.period, targets(ctx.params.targets, ctx.is_district),
                       suppress_below=ctx.suppression_threshold)


def _whole(v):
    """Whole-number floats as ints, so 0.0 prints as 0 and 25.0 as 25."""
    return int(v) if isinstance(v, float) and v == v and v.is_integer() else v


def headline_table(hl: Headline, caption: str = "表1 主要指标") -> Table:
    """The headline as a report table, with where its targets come from."""
    df = hl.display_frame()
    for col in ("本期", "上期", "去年同期", "目标"):
        df[col] = pd.Series([_whole(v) for v in df[col]], index=df.index, dtype=object)
    return table(df, caption=caption, decimals={"同比变化（%）": 1},
                 notes=["上期为紧邻的上一个同长度期间；同比为与去年同期相比。新建认知障碍照护床位按所在自然年度累计。",
                        "目标取自运行参数 targets；未设定时助餐覆盖率按90%。乡镇街道报告只对照比率类目标。", *hl.notes])


findings_table = ie.findings_table


def target(params_targets: dict | None, indicator_id: str) -> float:
    """One indicator's target (params over the programme default)."""
    return targets(params_targets)[indicator_id]


township_names = area_names  # code -> name for every area


# --- facilities and the area standard -----------------------------------------------------------

def centre_group(centres: pd.DataFrame) -> pd.Series:
    """城镇老旧小区 / 其他城镇 / 农村."""
    old = centres["old_neighbourhood"].astype("boolean").fillna(False).astype(bool)
    urban = centres["urban_rural"].astype(str) == "urban"
    return pd.Series(np.where(old, GROUPS[0], np.where(urban, GROUPS[1], GROUPS[2])), index=centres.index)


def area_table(care_centres: pd.DataFrame, period: Period, standard: float) -> pd.DataFrame:
    """Open centres at the period end with required area, gap and group (see ie.area_standard_table)."""
    t = ie.area_standard_table(care_centres, period, standard)
    return t.assign(group=centre_group(t))


def area_by_group(t: pd.DataFrame) -> pd.DataFrame:
    """Centres, centres below the standard, their share and the m2 gap by centre group, with a total."""
    rows = []
    for name, g in [*((grp, t[t["group"] == grp]) for grp in GROUPS), ("合计", t)]:
        n, below = len(g), int(g["below_standard"].sum())
        per100 = (g["floor_area_m2"] / g["households_served"].astype(float) * 100).replace(np.inf, np.nan)
        rows.append({"中心类别": name, "中心数": n, "未达标中心数": below,
                     "未达标比例（%）": 100 * below / n if n else np.nan,
                     "每百户面积中位数（平方米）": per100.median() if n else np.nan,
                     "面积缺口（平方米）": float(g["gap_m2"].sum())})
    return pd.DataFrame(rows)


def area_by_township(t: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """By township: centres, households served, centres below the standard (old-neighbourhood ones
    apart) and the m2 gap, with a 合计 row."""
    g = t.assign(town=label_areas(t["township_code"], names), old_below=t["below_standard"] & (t["group"] == GROUPS[0]))
    out = g.groupby("town", sort=True).agg(centres=("centre_id", "size"), households=("households_served", "sum"),
                                           below=("below_standard", "sum"), old_below=("old_below", "sum"),
                                           gap=("gap_m2", "sum")).reset_index()
    total = pd.DataFrame([{"town": "合计", "centres": len(g), "households": g["households_served"].sum(),
                           "below": g["below_standard"].sum(), "old_below": g["old_below"].sum(),
                           "gap": g["gap_m2"].sum()}])
    out = pd.concat([out, total], ignore_index=True)
    return pd.DataFrame({"乡镇街道": out["town"], "中心数": out["centres"].astype(int),
                         "服务户数": out["households"].astype(int), "未达标中心数": out["below"].astype(int),
                         "其中老旧小区": out["old_below"].astype(int),
                         "面积缺口（平方米）": out["gap"].astype(float)})


def short_centre_name(name: pd.Series) -> pd.Series:
    """A centre's name without the common suffix (居家养老服务照料中心 etc.), for narrow tables."""
    out = name.astype(str)
    for suffix in CENTRE_SUFFIXES:
        out = out.str.replace(suffix, "", regex=False)
    return out


def below_standard_list(t: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The centres below the standard (facilities, no person counts): old-neighbourhood centres
    first, then by township, largest gap first."""
    b = t[t["below_standard"]]
    b = b.assign(town=label_areas(b["township_code"], names), rank=pd.Categorical(b["group"], GROUPS).codes)
    b = b.sort_values(["rank", "town", "gap_m2"], ascending=[True, True, False])
    return pd.DataFrame({"乡镇街道": b["town"].to_numpy(), "中心": short_centre_name(b["centre_name"]).to_numpy(),
                         "类别": b["group"].to_numpy(), "建筑面积（平方米）": b["floor_area_m2"].to_numpy(float),
                         "按标准应有面积（平方米）": b["required_m2"].to_numpy(float),
                         "缺口（平方米）": b["gap_m2"].to_numpy(float)})


def area_chart(t: pd.DataFrame, standard: float, caption: str, source: str):
    """Floor area against households served (log scales), one marker per centre group, the standard as a line."""
    from civmon import plots

    d = t.assign(hh=t["households_served"].astype(float), group=pd.Categorical(t["group"], GROUPS))
    d = d[d["hh"] > 0].sort_values("group")
    return plots.scatter_chart(d, "hh", "floor_area_m2", "group", caption=caption, xlabel="服务户数（户，对数刻度）",
                               ylabel="建筑面积（平方米，对数刻度）", source=source, log=True,
                               lines={f"面积标准（每百户{standard:g}平方米）": standard / 100})


def area_sentences(t: pd.DataFrame, standard: float) -> list[str]:
    """What the area check found, in the summary's style."""
    n, below = len(t), int(t["below_standard"].sum())
    if n == 0:
        return ["期末本范围内无已建成的照料中心。"]
    s = [f"按每百户{standard:g}平方米的面积标准，期末已建成的{n}家照料中心中，{below}家面积未达标"
         f"（占{100 * below / n:.1f}%），合计缺口{t['gap_m2'].sum():,.0f}平方米。"]
    old = t[t["group"] == GROUPS[0]]
    if len(old):
        ob = int(old["below_standard"].sum())
        other = t[t["group"] != GROUPS[0]]
        rest = (f"，其他中心未达标比例为{100 * other['below_standard'].mean():.1f}%" if len(other) else "")
        s.append(f"城镇老旧小区中心{len(old)}家，其中{ob}家未达标（{100 * ob / len(old):.1f}%），"
                 f"缺口{old['gap_m2'].sum():,.0f}平方米，占全部缺口的"
                 f"{100 * old['gap_m2'].sum() / t['gap_m2'].sum() if t['gap_m2'].sum() else 0:.1f}%{rest}。")
    return s


# --- meal service --------------------------------------------------------------------------------

def meal_status(meal_coverage: pd.DataFrame, period: Period) -> pd.Series:
    """True where a village/community has meal service at the period end."""
    since = meal_coverage["meal_service_since"]
    return (since <= period.end_ts).astype("boolean").fillna(False).astype(bool)


def meal_by_township(meal_coverage: pd.DataFrame, period: Period, names: pd.Series, target: float) -> pd.DataFrame:
    """By township: villages and communities, those with meal service, coverage (%) against the
    target, and the number still to open to reach it; with a 合计 row."""
    m = meal_coverage.assign(town=label_areas(meal_coverage["township_code"], names), covered=meal_status(meal_coverage, period))
    out = m.groupby("town", sort=True).agg(n=("village_code", "size"), covered=("covered", "sum")).reset_index()
    out = pd.concat([out, pd.DataFrame([{"town": "合计", "n": len(m), "covered": m["covered"].sum()}])],
                    ignore_index=True)
    rate = 100 * out["covered"] / out["n"]
    need = np.maximum(0, np.ceil(out["n"] * target / 100 - 1e-9) - out["covered"]).astype(int)
    return pd.DataFrame({"乡镇街道": out["town"], "村社区数": out["n"].astype(int), "已开通助餐": out["covered"].astype(int),
                         "覆盖率（%）": rate, "目标（%）": float(target),
                         "状态": np.where(rate >= target, "达标", "未达标"), "达标尚需开通": need})


def meal_uncovered(meal_coverage: pd.DataFrame, period: Period, areas: pd.DataFrame) -> pd.DataFrame:
    """Villages and communities without meal service at the period end (places, not persons):
    one row per township with their count and names."""
    names = township_names(areas)
    u = meal_coverage[~meal_status(meal_coverage, period)]
    u = pd.DataFrame({"town": label_areas(u["township_code"], names).to_numpy(),
                      "place": u["village_code"].astype(str).map(names).to_numpy()}).sort_values(["town", "place"])
    out = u.groupby("town", sort=True)["place"].agg(["size", "、".join]).reset_index()
    return pd.DataFrame({"乡镇街道": out["town"], "未开通数": out["size"].astype(int), "村（社区）": out["join"]})


def meal_chart(by_town: pd.DataFrame, target: float, caption: str, source: str):
    """Coverage by township (bars) against the target (line)."""
    from civmon import plots

    return plots.bar_chart(by_town.iloc[:-1], "乡镇街道", "覆盖率（%）", caption=caption, xlabel="覆盖率（%）",
                           source=source, reference=target, reference_label=f"目标{target:g}%", value_format="{:.1f}")


def uncovered_table(uncovered: pd.DataFrame, caption: str) -> Table | Text:
    """The places without meal service, or a sentence when there are none."""
    if uncovered.empty:
        return Text(["期末各村（社区）均已开通老年助餐服务。"])
    return table(uncovered, caption=caption)


def meal_sentences(by_town: pd.DataFrame, uncovered: pd.DataFrame, target: float, is_district: bool) -> list[str]:
    """Coverage against the target, townships below it, places still without service."""
    total = by_town.iloc[-1]
    s = [f"期末{total['村社区数']}个村（社区）中{total['已开通助餐']}个已开通老年助餐服务，覆盖率{total['覆盖率（%）']:.1f}%，"
         f"{'达到' if total['覆盖率（%）'] >= target else '未达到'}{target:g}%的目标。"]
    towns = by_town.iloc[:-1]
    low = towns[towns["覆盖率（%）"] < target]
    if is_district and len(towns):
        if len(low):
            worst = low.sort_values("覆盖率（%）").iloc[0]
            s.append(f"{len(low)}个乡镇街道覆盖率低于目标，最低为{worst['乡镇街道']}（{worst['覆盖率（%）']:.1f}%），"
                     f"各自达标合计尚需开通{int(low['达标尚需开通'].sum())}个村（社区）。")
        else:
            s.append("各乡镇街道覆盖率均达到目标。")
    if len(uncovered):
        s.append(f"尚未开通的{int(uncovered['未开通数'].sum())}个村（社区）分布在{len(uncovered)}个乡镇街道"
                 f"（名单见下表）。")
    return s


# --- safety inspections --------------------------------------------------------------------------

def findings_by_type(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings by type: found, rectified on time, late, open, open past the deadline, and the
    closed-loop rate (on time / found, %); with a 合计 row."""
    f = findings.assign(type_zh=findings["finding_type"].astype(str).map(FINDING_ZH).fillna("其他"),
                        late=findings["status"] == "rectified_late", overdue=findings["days_overdue"] > 0)
    order = [FINDING_ZH[k] for k in FINDING_ZH]
    rows = []
    for name, g in [*((k, f[f["type_zh"] == k]) for k in order if (f["type_zh"] == k).any()), ("合计", f)]:
        n = len(g)
        rows.append({"问题类型": name, "发现问题": n, "按期整改": int(g["on_time"].sum()),
                     "逾期整改": int(g["late"].sum()), "未整改": int(g["open"].sum()),
                     "其中已过期限": int(g["overdue"].sum()),
                     "闭环整改率（%）": 100 * g["on_time"].sum() / n if n else np.nan})
    return pd.DataFrame(rows)


def open_findings(findings: pd.DataFrame, institutions: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Findings still open at the period end, most overdue first (institutions, no persons)."""
    o = findings[findings["open"]].sort_values(["days_overdue", "inspection_date"], ascending=[False, True])
    inst = institutions.assign(institution_id=institutions["institution_id"].astype(str)) \
        .set_index("institution_id")["institution_name"].astype(str)
    return pd.DataFrame({
        "机构名称": o["institution_id"].astype(str).map(inst).to_numpy(),
        "乡镇街道": label_areas(o["township_code"], names).to_numpy(),
        "问题类型": o["finding_type"].astype(str).map(FINDING_ZH).to_numpy(),
        "检查日期": o["inspection_date"].dt.strftime("%Y-%m-%d").to_numpy(),
        "整改期限": o["deadline"].dt.strftime("%Y-%m-%d").to_numpy(),
        "期末逾期天数": o["days_overdue"].astype(int).to_numpy()})


def findings_by_type_table(findings: pd.DataFrame, caption: str) -> Table | Text:
    """Findings by type as a table (nothing when there are none: safety_sentences says so)."""
    if findings.empty:
        return Text([])
    return table(findings_by_type(findings), caption=caption, decimals={"闭环整改率（%）": 1}, total_row=True,
                 notes=["整改状态截至期末；“其中已过期限”为期末仍未整改且已超过整改期限的问题。"])


def open_findings_table(findings: pd.DataFrame, institutions: pd.DataFrame, names: pd.Series, caption: str) -> Table | Text:
    """The open findings list, or a sentence when every finding is closed."""
    o = open_findings(findings, institutions, names)
    if o.empty:
        return Text(["本期检查发现的问题截至期末均已整改。"] if len(findings) else [])
    return table(o, caption=caption, notes=["期末逾期天数为0表示尚在整改期限内。"])


def safety_sentences(findings: pd.DataFrame, safety_inspections: pd.DataFrame, institutions: pd.DataFrame,
                     period: Period) -> list[str]:
    """Inspections, findings, the closed-loop rate and what is still open."""
    inspected, institutions = int(ie.institutions_inspected(safety_inspections, period)), len(institutions)
    if inspected == 0:
        return ["本期未开展养老机构安全检查。"]
    n = len(findings)
    s = [f"本期对{inspected}家养老机构开展安全检查（占{institutions}家机构的{100 * inspected / institutions:.1f}%），"
         f"发现问题{n}项。" if institutions else f"本期对{inspected}家养老机构开展安全检查，发现问题{n}项。"]
    if n:
        on_time, late, open_ = int(findings["on_time"].sum()), int((findings["status"] == "rectified_late").sum()), \
            int(findings["open"].sum())
        s.append(f"按期整改{on_time}项，闭环整改率{100 * on_time / n:.1f}%；逾期整改{late}项；期末尚未整改{open_}项。")
        over = findings[findings["days_overdue"] > 0]
        if len(over):
            s.append(f"未整改问题中{len(over)}项已超过整改期限，最长逾期{int(over['days_overdue'].max())}天。")
    return s


# --- upgrade effects -----------------------------------------------------------------------------

def effect_panel(data: dict[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """The centre x month panel up to the period end, with `treated` (1 from the completion month)
    and `event_time` (months since completion)."""
    p = ie.upgrade_panel(data["care_centres"], data["centre_upgrades"], data["centre_services"],
                         data["satisfaction_survey"])
    p = p[p["month"] <= period.end_ts].copy()
    p = p.assign(satisfaction=p["satisfaction"].astype(float))
    month = p["month"].dt.year * 12 + p["month"].dt.month
    first = p["first_treated"].dt.year * 12 + p["first_treated"].dt.month
    p["event_time"] = month - first
    p["treated"] = (p["event_time"] >= 0).astype(int)
    return p.reset_index(drop=True)


class TooFewUpgraded(EstimationError):
    """Fewer upgraded centres in the panel than the evaluation needs."""

    def __init__(self, n: int, needed: int):
        super().__init__(f"only {n} upgraded centres completed by the period end (at least {needed} needed)")
        self.n, self.needed = n, needed


@dataclass
class UpgradeEffects:
    """Event-study and naive TWFE estimates per outcome on one panel."""

    event: dict  # outcome -> EventStudyResult
    naive: dict  # outcome -> Result
    window: tuple[int, int]
    treated_centres: int
    control_centres: int
    cohorts: int


def estimate_effects(panel: pd.DataFrame, outcomes=tuple(OUTCOMES), pre: int = PRE_PERIODS,
                     min_treated: int = MIN_TREATED_CENTRES) -> UpgradeEffects:
    """Sun-Abraham event study over event times -pre..(the last observed), so its ATT averages every
    post-completion month as the static TWFE does, and the naive TWFE beside it; raises
    EstimationError when the panel cannot support them (e.g. too few upgraded centres)."""
    treated = panel.loc[panel["treated"] == 1, "centre_id"]
    n_treated = treated.nunique()
    if n_treated < min_treated:
        raise TooFewUpgraded(int(n_treated), min_treated)
    last = int(panel["event_time"].max())
    ever = panel.loc[panel["first_treated"].notna() & (panel["first_treated"] <= panel["month"].max()), "centre_id"]
    event, naive = {}, {}
    for y in outcomes:
        event[y] = event_study(panel, y, "centre_id", "month", "first_treated", window=(-pre, last))
        naive[y] = twfe(panel, y, "treated", "centre_id", "month")
    return UpgradeEffects(event=event, naive=naive, window=(-pre, last), treated_centres=int(n_treated),
                          control_centres=int(panel["centre_id"].nunique() - ever.nunique()),
                          cohorts=int(panel.loc[panel["treated"] == 1, "first_treated"].nunique()))


def upgrade_effects(ctx) -> UpgradeEffects | Text:
    """The upgrade evaluation of the report's scope and period, or a sentence saying why there is none."""
    try:
        return estimate_effects(effect_panel(ctx.data, ctx.period))
    except EstimationError as e:
        return unavailable_text(e)


def unavailable_text(error: EstimationError) -> Text:
    """Why the event study is not shown (e.g. a township with too few upgraded centres)."""
    if isinstance(error, TooFewUpgraded):
        return Text([f"截至期末本范围内完成提升改造的照料中心为{error.n}家，少于{error.needed}家，"
                     "不足以可靠估计改造效果，本节从略；改造效果请参阅全区报告。"])
    return Text(["本范围内的改造中心和对照中心不足以支持事件研究估计，本节从略；改造效果请参阅全区报告"
                 f"（估计程序提示：{error}）。"])


def effects_frame(eff: UpgradeEffects) -> pd.DataFrame:
    """Two rows per outcome (event-study ATT, naive TWFE): estimate, 95% CI; the pre-trend test's p."""
    rows = []
    for y, (label, unit) in OUTCOMES.items():
        if y not in eff.event:
            continue
        es, nv = eff.event[y], eff.naive[y]
        pt = es.pretrend
        for method, r, p in (("事件研究", es.att, pt.pvalue if pt else np.nan), ("朴素双向固定效应", nv, np.nan)):
            rows.append({"结果指标": f"{label}（{unit}）", "估计方法": method, "效应": r.estimate,
                         "95%置信区间": f"{r.ci_low:.2f} ～ {r.ci_high:.2f}", "标准误": r.se, "事前趋势检验p值": p})
    return pd.DataFrame(rows)


def effects_table(eff: UpgradeEffects | Text, caption: str) -> Table | Text:
    """The estimates table (nothing when there is no estimate: effect_sentences says why)."""
    if isinstance(eff, Text):
        return Text([])  # effect_sentences says why
    lo, hi = eff.window
    return table(effects_frame(eff), caption=caption,
                 decimals={"效应": 2, "标准误": 2, "事前趋势检验p值": 3},
                 notes=[f"事件研究：Sun-Abraham 交互加权估计，对照为从未改造的中心；总体效应为完工当月至完工后第{hi}个月"
                        f"全部改造中心-月的平均效应；标准误按中心聚类。事前趋势检验为完工前第{-lo}至第2个月效应联合为零的F检验。",
                        "朴素双向固定效应：中心与月份双向固定效应回归中“已完工”虚拟变量的系数。"])


def _growth(es) -> float | None:
    """Mean estimated effect in the later half of post months minus the earlier half (None if < 2 months)."""
    post = es.by_event_time[es.by_event_time["event_time"] >= 0]
    if len(post) < 2:
        return None
    half = len(post) // 2
    return float(post["estimate"].iloc[half:].mean() - post["estimate"].iloc[:half].mean())


def effect_sentences(eff: UpgradeEffects | Text) -> list[str]:
    """The design, the ATTs, the pre-trend verdict and why the naive estimate differs."""
    if isinstance(eff, Text):
        return list(eff.paragraphs)
    lo, hi = eff.window
    s = [f"截至期末共有{eff.treated_centres}家照料中心分{eff.cohorts}批完成提升改造，以{eff.control_centres}家"
         f"从未改造的中心为对照，比较完工前{-lo}个月至完工后{hi}个月的变化。"]
    for y, (label, unit) in OUTCOMES.items():
        es, nv = eff.event[y], eff.naive[y]
        a = es.att
        sig = "显著" if a.ci_low > 0 or a.ci_high < 0 else "不显著"
        d = 2 if unit == "分" else 1
        pre = ""
        if es.pretrend is not None:
            pre = ("完工前各月与对照中心无显著差异" if es.pretrend.pvalue >= 0.05 else
                   "但完工前已与对照中心存在差异，结论需谨慎") + f"（事前趋势检验p={es.pretrend.pvalue:.2f}）"
        s.append(f"改造使{label}平均{'提高' if a.estimate >= 0 else '降低'}{abs(a.estimate):.{d}f}{unit}"
                 f"（95%置信区间{a.ci_low:.{d}f}～{a.ci_high:.{d}f}，{sig}）" + (f"，{pre}" if pre else "") + "。")
        s.append(naive_sentence(label, unit, a.estimate, nv.estimate, _growth(es), d))
    return s


def naive_sentence(label: str, unit: str, att: float, naive: float, growth: float | None, d: int = 1) -> str:
    """One sentence on why the naive TWFE differs from the event-study ATT."""
    gap = f"{'低' if naive < att else '高'}{abs(att - naive):.{d}f}{unit}"
    if growth is not None and growth > 0 and naive < att:
        why = "改造效果随完工月数增大，而它把先完工的中心当作后完工中心的对照，这部分增长被当作对照的变化扣除，估计因此偏低"
    elif growth is not None and growth < 0 and naive > att:
        why = "改造效果随完工月数减弱，而它把先完工的中心当作后完工中心的对照，效果的回落被当作对照的变化，估计因此偏高"
    else:
        why = "它把先完工的中心当作后完工中心的对照，并按处理方差而非中心-月数加权各批次，效果因批次和时间而异时即有偏"
    return (f"朴素双向固定效应估计的{label}效应为{naive:.{d}f}{unit}，比事件研究{gap}：{why}；"
            "事件研究只以从未改造的中心为对照，不受此影响。")


def event_chart_frame(eff: UpgradeEffects, outcome: str) -> pd.DataFrame:
    """The event-time estimates of one outcome (what the chart shows)."""
    return eff.event[outcome].by_event_time


def event_chart(eff: UpgradeEffects | Text, outcome: str, caption: str, source: str):
    """Event-study chart of one outcome with 95% CIs (an empty Text when there is no estimate)."""
    from civmon import plots

    if isinstance(eff, Text):
        return Text([])
    label, unit = OUTCOMES[outcome]
    return plots.estimate_chart(event_chart_frame(eff, outcome), "event_time", caption=caption,
                                ylabel=f"{label}变化（{unit}）", xlabel="距完工月份（月，0为完工当月，-1为参照月）",
                                source=source)


# --- carers --------------------------------------------------------------------------------------

def carers_frame(carers: pd.DataFrame, period: Period, institutions: pd.DataFrame) -> pd.DataFrame:
    """Employed carers at the period end with `certified` and `employer` (养老机构 / 照料中心)."""
    e = ie.employed_carers(carers, period)
    cert = (e["certified_date"] <= period.end_ts).astype("boolean").fillna(False).astype(bool)
    inst = set(institutions["institution_id"].astype(str))
    return e.assign(certified=cert, employer=np.where(e["employer_id"].astype(str).isin(inst), "养老机构", "照料中心"))


def carers_by_employer(c: pd.DataFrame, carers: pd.DataFrame, period: Period,
                       institutions: pd.DataFrame) -> pd.DataFrame:
    """By employer type: employed, certified, rate (%) at the period end (from `c`, see carers_frame),
    and carers newly certified in the period (all carers, as the headline); with 合计."""
    inst = set(institutions["institution_id"].astype(str))
    new = carers[period.contains(carers["certified_date"]).to_numpy(dtype=bool)]
    new_emp = np.where(new["employer_id"].astype(str).isin(inst), "养老机构", "照料中心")
    rows = []
    for name in ("养老机构", "照料中心", "合计"):
        g = c if name == "合计" else c[c["employer"] == name]
        n = len(g)
        rows.append({"所在单位": name, "在岗护理员（人）": n, "已持证（人）": int(g["certified"].sum()),
                     "持证率（%）": 100 * g["certified"].sum() / n if n else np.nan,
                     "本期新增持证（人）": int(len(new) if name == "合计" else (new_emp == name).sum())})
    return pd.DataFrame(rows)


def carers_by_township(c: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """By township: certified, not certified, employed (their sum) and the rate; with 合计."""
    g = c.assign(town=label_areas(c["township_code"], names))
    out = g.groupby("town", sort=True).agg(n=("certified", "size"), cert=("certified", "sum")).reset_index()
    out = pd.concat([out, pd.DataFrame([{"town": "合计", "n": len(g), "cert": g["certified"].sum()}])],
                    ignore_index=True)
    return pd.DataFrame({"乡镇街道": out["town"], "已持证": out["cert"].astype(int),
                         "未持证": (out["n"] - out["cert"]).astype(int), "在岗护理员": out["n"].astype(int),
                         "持证率（%）": 100 * out["cert"] / out["n"]})


def carer_sentences(by_employer: pd.DataFrame, target: float) -> list[str]:
    """Carers, certification rate against the target, new certificates."""
    t = by_employer.iloc[-1]
    if not t["在岗护理员（人）"]:
        return ["期末本范围内无在岗养老护理员记录。"]
    s = (f"期末在岗养老护理员{t['在岗护理员（人）']}人，已持证{t['已持证（人）']}人，持证率{t['持证率（%）']:.1f}%"
         f"（目标{target:g}%），本期新增持证{t['本期新增持证（人）']}人。")
    rates = by_employer.iloc[:-1].dropna(subset=["持证率（%）"]).sort_values("持证率（%）")
    if len(rates) == 2 and rates["持证率（%）"].iloc[1] - rates["持证率（%）"].iloc[0] >= NOTABLE_GAP_PP:
        lo, hi = rates.iloc[0], rates.iloc[1]
        s += (f"{lo['所在单位']}护理员持证率（{lo['持证率（%）']:.1f}%）低于{hi['所在单位']}"
              f"（{hi['持证率（%）']:.1f}%）。")
    return [s]


# --- the findings --------------------------------------------------------------------------------

def _fmt(v, unit: str) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{v:.1f}{unit}" if unit == "%" else f"{v:,.0f}{unit}"


def effects_finding(eff: UpgradeEffects | Text) -> list[str]:
    """The upgrade evaluation in one sentence for 主要发现 (nothing when there is no estimate)."""
    if isinstance(eff, Text):
        return []
    parts, naive = [], []
    for y, (label, unit) in OUTCOMES.items():
        a, d = eff.event[y].att, 2 if unit == "分" else 1
        parts.append(f"{label}{'提高' if a.estimate >= 0 else '降低'}{abs(a.estimate):.{d}f}{unit}"
                     f"（95%置信区间{a.ci_low:.{d}f}～{a.ci_high:.{d}f}）")
        naive.append(f"{eff.naive[y].estimate:.{d}f}{unit}")
    return [f"已完成提升改造的{eff.treated_centres}家照料中心，改造后{'，'.join(parts)}；"
            f"朴素双向固定效应估计（{'、'.join(naive)}）因以先完工中心作对照而有偏，不宜采用。"]


def main_findings(hl: Headline, area: list[str], meal: list[str], safety: list[str], effects: list[str],
                  carers: list[str], scope: str, period_zh: str) -> list[str]:
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
    judged = hl.frame[hl.frame["status"] != "none"]
    if set(judged["id"]) - {"meal_service_coverage"}:  # meal coverage has its own sentence
        miss = judged[judged["status"] != "met"]
        s.append(f"设定目标的{len(judged)}项主要指标中{len(judged) - len(miss)}项达标"
                 + (f"，{'、'.join(miss['label_zh'])}未达标。" if len(miss) else "。"))
    return s + [x for x in (area[:2] + meal[:1] + safety[1:2] + effects + carers[:1]) if x]
