"""The half-year overview: a scorecard of every registered indicator, monthly series, other work, links."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from civmon.indicators import all_indicators
from civmon.period import Period
from civmon.report.headline import STATUS_TEXT, headline
from civmon.publish import suppression_note
from civmon.report.tables import SUPPRESSED_MARK, Markup, table, unit_decimals

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
PROGRAMME_ZH = {"relief": "社会救助", "eldercare": "养老服务", "migrants": "水库移民后期扶持", "charity": "慈善事业",
                "community": "社区治理", "affairs": "社会事务"}
PROGRAMME_ORDER = list(PROGRAMME_ZH)
STATUS_CLASS = {"met": "status-ok", "near": "status-warn", "not_met": "status-bad"}
# Series for the small multiples: stocks at month end and monthly flows that a reviewer follows.
KEY_SERIES = ["lowincome_households", "lowincome_funds", "temp_relief_funds", "one_stop_person_times",
              "care_center_service_times", "alliance_needs_collected"]


def reference_figures() -> pd.DataFrame:
    """The published figures of the 2023 H1 summary (the calibration reference of the sample)."""
    return pd.read_csv(RESOURCES / "seed_h1_2023_figures.csv")


def scorecard_frame(ctx) -> pd.DataFrame:
    """Every registered indicator: value, previous, a year earlier, change, target, status, reference."""
    from civmon.report.headline import HEADLINE_IDS

    reg = all_indicators()
    ref_order = {i: n for n, i in enumerate(reference_figures()["indicator_id"])}
    lead = {i: n for prog in HEADLINE_IDS.values() for n, i in enumerate(prog)}

    def order(i):  # by programme; the summary's own figures first, in its order; then the rest by id
        prog = PROGRAMME_ORDER.index(reg[i].programme) if reg[i].programme in PROGRAMME_ORDER else 99
        return (prog, 0 if i in lead or i in ref_order else 1, lead.get(i, ref_order.get(i, 0)), i)

    ids = sorted(reg, key=order)
    frame = headline(ids, ctx.data, ctx.period, ctx.params.targets, suppress_below=ctx.suppression_threshold).frame
    frame["headline"] = False
    ref = reference_figures()
    if ctx.is_district and ctx.period.label == "2023H1":
        ref_map = ref.set_index("indicator_id")
        frame["reference_value"] = frame["id"].map(ref_map["value"])
        frame["bound"] = frame["id"].map(ref_map["bound"])
    return frame


def scorecard_tables(ctx, frame: pd.DataFrame, programmes=("relief", "eldercare", "migrants")) -> list:
    """One table per programme; status as a text badge (not colour alone)."""
    out = []
    has_ref = "reference_value" in frame.columns
    for prog in programmes:
        part = frame[frame["programme"] == prog]
        if part.empty:
            continue
        status = [Markup(f'<span class="status {STATUS_CLASS[s]}">{STATUS_TEXT[s]}</span>') if s in STATUS_CLASS else "—"
                  for s in part["status"]]
        df = pd.DataFrame({"指标": part["label_zh"].values, "单位": part["unit"].values, "本期": part["value"].values,
                           "上期": part["previous"].values, "去年同期": part["year_earlier"].values,
                           "同比（%）": part["yoy_pct"].values, "目标": part["target"].values, "状态": status})
        if "hidden" in part:
            names = {"value": "本期", "previous": "上期", "year_earlier": "去年同期", "yoy_pct": "同比（%）"}
            for r, cols in enumerate(part["hidden"]):
                for c in cols:
                    df[names[c]] = df[names[c]].astype(object)
                    df.loc[r, names[c]] = SUPPRESSED_MARK
        if has_ref:
            df.insert(3, "总结公布数", part["reference_value"].values)
        row_dec = [unit_decimals(u, vals) for u, vals in
                   zip(part["unit"], part[["value", "previous", "year_earlier", "target"]].itertuples(index=False))]
        notes = [suppression_note(ctx.params.disclosure_threshold)] if "hidden" in part and part["hidden"].map(len).any() else []
        out.append(table(df, caption=f"{PROGRAMME_ZH[prog]}", decimals={"同比（%）": 1}, row_decimals=row_dec, notes=notes))
    return out


def monthly_series(ctx, ids=KEY_SERIES, months: int = 24) -> pd.DataFrame:
    """Each indicator computed month by month over the `months` months ending with the period."""
    reg = all_indicators()
    end = pd.Period(ctx.period.end, freq="M")
    rows = []
    for m in pd.period_range(end - months + 1, end, freq="M"):
        p = Period.parse(f"{m.year}-{m.month:02d}")
        for i in ids:
            if i not in reg:
                continue
            try:
                v = reg[i].compute(ctx.data, p)
            except (KeyError, ValueError, ZeroDivisionError):
                v = None
            rows.append(dict(month=m.to_timestamp(), id=i, label=reg[i].label_zh, unit=reg[i].unit, value=v))
    out = pd.DataFrame(rows)
    t = ctx.suppression_threshold
    if t and len(out):  # below the district: no point of a chart may show a small count (or its amount)
        from civmon.report.headline import AMOUNT_OF, PERSON_UNITS

        small = out["unit"].isin(PERSON_UNITS) & (out["value"] > 0) & (out["value"] < t)
        hidden = set(zip(out.loc[small, "id"], out.loc[small, "month"]))
        follows = out["id"].map(AMOUNT_OF)
        small |= [(c, m) in hidden for c, m in zip(follows, out["month"])]
        out.loc[small, "value"] = None
    return out


def report_links(ctx) -> pd.DataFrame:
    """Where the same run's programme reports are, relative to this report."""
    from civmon.report.context import REPORTS

    rows = []
    scope = ctx.township or "district"
    for prog in ctx.params.programmes:
        stem = f"{prog}-{scope}-{ctx.period.label}"
        rows.append({"报告": REPORTS[prog][1],
                     "网页版": Markup(f'<a href="../{prog}/{stem}.html">{stem}.html</a>'),
                     "PDF": Markup(f'<a href="../{prog}/{stem}.pdf">{stem}.pdf</a>')})
    return pd.DataFrame(rows)


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


def narrative(ctx, frame: pd.DataFrame) -> list[str]:
    """A few sentences built from the scorecard's numbers (never typed by hand)."""
    vals = {r.id: _fmt(r.value, r.unit) for r in frame.itertuples()}
    missing = {r.id for r in frame.itertuples() if r.value is None or pd.isna(r.value)}
    sentences = []
    scope = "全区" if ctx.is_district else ctx.scope_label
    for i, tpl in enumerate(NARRATIVE):
        needed = {k for k in vals if "{" + k + "}" in tpl}
        if not needed or needed & missing:
            continue
        s = tpl.format(scope=scope, **vals)
        sentences.append((f"{ctx.period.label_zh}，" if i == 0 else "") + s)
    judged = frame[frame["status"] != "none"]
    if len(judged):
        c = judged["status"].value_counts()
        sentences.append(f"在设定目标的{len(judged)}项指标中，达标{c.get('met', 0)}项，接近目标{c.get('near', 0)}项，"
                         f"未达标{c.get('not_met', 0)}项。")
    else:
        sentences.append("本次运行未设定指标目标值（可在运行参数 targets 中按指标代码设定）。")
    return sentences
