"""The half-year overview in Chinese: scorecard tables by programme, the monthly chart, links to the
run's programme reports and the summary-style narrative."""

from __future__ import annotations

import pandas as pd

from civmon import plots, programmes
from civmon.evaluation.overview import OverviewEvaluation
from civmon.report.context import source_line
from civmon.report.headline import STATUS_TEXT, display_frame, notes, row_decimals
from civmon.report.tables import Group, Markup, Table, Text, findings, table

STATUS_CLASS = {"met": "status-ok", "near": "status-warn", "not_met": "status-bad"}
SCORECARD_HEADERS = {"value": "本期", "previous": "上期", "year_earlier": "去年同期", "yoy_pct": "同比（%）"}
OTHER_WORK = tuple(programmes.OTHER_WORK_ZH)


def _badge(status: str):
    """Status as a text badge (not colour alone)."""
    return Markup(f'<span class="status {STATUS_CLASS[status]}">{STATUS_TEXT[status]}</span>') \
        if status in STATUS_CLASS else "—"


def _group_table(ev: OverviewEvaluation, group: str) -> Table | None:
    h = ev.scorecard
    part = h.frame[h.frame["programme"] == group].reset_index(drop=True)
    if part.empty:
        return None
    sub = type(h)(part, h.threshold)
    df = display_frame(sub, SCORECARD_HEADERS)
    df["状态"] = [_badge(s) for s in part["status"]]
    if ev.has_reference:
        df.insert(3, "总结公布数", part["reference_value"].values)
    return table(df, caption=programmes.group_names()[group], decimals={"同比（%）": 1},
                 row_decimals=row_decimals(part), notes=notes(sub), key=f"scorecard-{group}")


def scorecard_tables(ev: OverviewEvaluation, groups=None) -> Group:
    """One table per programme the data covers (a sentence names those it does not); the summary's
    figures first; status as a text badge."""
    if groups is not None:
        return Group([_group_table(ev, g) for g in groups])
    left_out = [programmes.get(p.id).short_zh for p in programmes.report_programmes() if p.id not in ev.covered]
    note = Text([f"本次数据不含{'、'.join(left_out)}的业务记录，相应指标不在本概览中。"]) if left_out else None
    return Group([_group_table(ev, g) for g in ev.covered] + [note])


def other_work_tables(ev: OverviewEvaluation) -> Group:
    """Charity, community governance and social affairs, from the bureau's KPI table (a sentence without it)."""
    if not ev.other_work:
        return Group([Text(["本次数据不含其他工作指标台账（kpi），本节从略。"])])
    return scorecard_tables(ev, OTHER_WORK)


def series_chart(ev: OverviewEvaluation):
    """Small multiples of the key monthly series, the period shaded."""
    i = ev.inputs
    return plots.small_multiples(ev.series, facet="label", x="month", y="value", unit="unit",
                                 mark_from=i.period.start_ts, caption="主要指标月度走势（近24个月，阴影为本期）",
                                 source=source_line(i.synthetic, i.params.district))


def report_links(ev: OverviewEvaluation) -> Table:
    """Where the same run's programme reports are, relative to this report."""
    i = ev.inputs
    scope = i.township or "district"
    rows = []
    for pid in i.params.programmes:
        stem = f"{pid}-{scope}-{i.period.label}"
        rows.append({"报告": programmes.get(pid).name_zh,
                     "网页版": Markup(f'<a href="../{pid}/{stem}.html">{stem}.html</a>'),
                     "PDF": Markup(f'<a href="../{pid}/{stem}.pdf">{stem}.pdf</a>')})
    return table(pd.DataFrame(rows), caption="本次运行的专题报告")


def _fmt(v, unit: str) -> str:
    if v is None or pd.isna(v):
        return "—"
    if unit in ("万元",):
        return f"{v:,.2f}{unit}"
    if unit in ("%",):
        return f"{v:.1f}%"
    return f"{v:,.0f}{unit}"


# Sentences in the summary's own style; a template is used only when all its indicators have values.
NARRATIVE = [
    ("{scope}在册低收入对象共{lowincome_households}{lowincome_persons}，累计救助资金{lowincome_funds}；"
     "临时救助{temp_relief_households}，{temp_relief_person_times}，累计救助资金{temp_relief_funds}。"),
    "大救助一站式累计救助{one_stop_person_times}，发放资金{one_stop_funds}。",
    "助联体常态化采集困难服务需求{alliance_needs_collected}，化解{alliance_needs_resolved}。",
    "发放移民直补资金{direct_subsidy_funds}，惠及移民{direct_subsidy_persons}；安排后扶项目{projects_planned}，已完成{projects_completed}。",
    "对{institutions_inspected}养老机构进行安全检查；{care_centers}养老服务照料中心累计服务老人{care_center_service_times}，老年助餐村社区覆盖率{meal_service_coverage}。",
]


def narrative(ev: OverviewEvaluation) -> list[str]:
    """A few sentences built from the scorecard's numbers (never typed by hand)."""
    frame, i = ev.scorecard.frame, ev.inputs
    vals = {r.id: _fmt(r.value, r.unit) for r in frame.itertuples()}
    missing = {r.id for r in frame.itertuples() if r.value is None or pd.isna(r.value)}
    sentences = []
    scope = "全区" if i.is_district else i.scope_label
    for n, tpl in enumerate(NARRATIVE):
        needed = {k for k in vals if "{" + k + "}" in tpl}
        if not needed or needed & missing:
            continue
        s = tpl.format(scope=scope, **vals)
        sentences.append((f"{i.period.label_zh}，" if n == 0 else "") + s)
    c = ev.statuses
    if c.judged:
        sentences.append(f"在设定目标的{c.judged}项指标中，达标{c.met}项，接近目标{c.near}项，未达标{c.not_met}项。")
    else:
        sentences.append("本次运行未设定指标目标值（可在运行参数 targets 中按指标代码设定）。")
    return sentences


def findings_text(ev: OverviewEvaluation) -> Text:
    """主要发现: the narrative as highlighted paragraphs."""
    return findings(narrative(ev))
