"""After a batch: the run's indicators table (CSV and Excel) and its offline index page."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import pandas as pd

import civmon
from civmon import programmes
from civmon.report.info import SAMPLE_BANNER
from civmon.xlsx import write_frame_xlsx

STATUS_ZH = {"ok": "已发布", "skipped": "已发布（未变化）", "failed": "失败", "withheld": "已拦截"}
INDICATOR_COLUMNS = ["indicator_id", "label_zh", "label_en", "programme", "period", "scope", "value", "unit",
                     "target", "status", "reference_value", "bound"]


def indicators_frame(results) -> pd.DataFrame:
    """One row per indicator, period and scope, from every published report of the run."""
    rows = []
    seen = set()
    for r in results:
        if r.status not in ("ok", "skipped"):
            continue
        for rec in r.indicators:
            key = (rec.get("indicator_id"), rec.get("period"), rec.get("scope"))
            if key in seen:  # the overview repeats the programme reports' headline figures
                continue
            seen.add(key)
            rows.append(rec)
    df = pd.DataFrame(rows)
    for col in INDICATOR_COLUMNS:
        if col not in df.columns:
            df[col] = None
    return df[INDICATOR_COLUMNS + [c for c in df.columns if c not in INDICATOR_COLUMNS]]


def write_collections(batch) -> None:
    """indicators.csv, indicators.xlsx and index.html in the run folder."""
    df = indicators_frame(batch.results)
    run_dir = Path(batch.run_dir)
    df.to_csv(run_dir / "indicators.csv", index=False, encoding="utf-8-sig")
    write_frame_xlsx(df, run_dir / "indicators.xlsx", sheet_name="indicators")  # text never a formula
    (run_dir / "index.html").write_text(index_html(batch, df), encoding="utf-8")


def _link(r, kind: str) -> str:
    name = r.outputs.get(kind)
    if not name or r.status not in ("ok", "skipped"):
        return "—"
    return f'<a href="{html.escape(str(Path(r.rel_dir) / name))}">{kind.upper()}</a>'


def _key_figures(r) -> str:
    """Three headline figures of a report, or for the overview how its targets stand."""
    from civmon.report.tables import format_number

    if r.programme == "overview":
        judged = [rec.get("status") for rec in r.indicators if rec.get("status") not in (None, "none")]
        if not judged:
            return ""
        return (f"目标 {len(judged)} 项：达标 {judged.count('met')}，接近 {judged.count('near')}，"
                f"未达标 {judged.count('not_met')}")
    key = [rec for rec in r.indicators if rec.get("headline") and rec.get("value") is not None][:3]
    return "；".join(html.escape(f'{rec.get("label_zh", rec["indicator_id"])} {format_number(rec["value"])} {rec.get("unit", "")}')
                    for rec in key)


def index_html(batch, indicators: pd.DataFrame) -> str:
    """The run's index: every report with links, status, key figures and warnings; readable offline."""
    synthetic = any(r.info.get("synthetic") for r in batch.results)
    rows = []
    order = {p: i for i, p in enumerate(programmes.CATALOGUE)}
    for r in sorted(batch.results, key=lambda r: (r.period, r.scope != "district", r.scope, order.get(r.programme, 9))):
        figs = _key_figures(r)
        warn = r.info.get("warnings", 0)
        status = STATUS_ZH.get(r.status, r.status)
        detail = html.escape(r.error or "；".join(r.findings) or "")
        rows.append(
            f"<tr class=\"st-{r.status}\"><td>{html.escape(r.info.get('scope_label', r.scope))}</td>"
            f"<td>{html.escape(_title(r.programme))}</td><td>{html.escape(r.period)}</td>"
            f"<td>{_link(r, 'html')}</td><td>{_link(r, 'pdf')}</td>"
            f"<td><span class=\"status\">{status}</span>{'<br><small>' + detail + '</small>' if detail else ''}</td>"
            f"<td>{figs or '—'}</td><td class=\"num\">{warn}</td></tr>")
    banner = f'<div class="banner">{SAMPLE_BANNER}</div>' if synthetic else ""
    counts = "，".join(f"{STATUS_ZH.get(k, k)} {v} 份" for k, v in batch.counts.items())
    extra = ""
    if (Path(batch.run_dir) / "indicators.csv").exists() or not indicators.empty:
        extra = '<p>指标汇总表：<a href="indicators.xlsx">indicators.xlsx</a>（Excel）· <a href="indicators.csv">indicators.csv</a></p>'
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>报告索引 · {html.escape(batch.run_dir.name)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 20px; color: #1d2430; }}
h1 {{ color: #1f4e79; }} table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #c9d0da; padding: 6px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f3f5f8; white-space: nowrap; }} td.num {{ text-align: right; }}
td:nth-child(1), td:nth-child(3), td:nth-child(4), td:nth-child(5), td:nth-child(6) {{ white-space: nowrap; }}
.banner {{ background: #fff4ce; border: 1px solid #e0b400; color: #5c4500; font-weight: 700; text-align: center; padding: 6px; }}
.st-failed .status, .st-withheld .status {{ color: #b42318; font-weight: 700; }}
.st-ok .status, .st-skipped .status {{ color: #1b7a3d; }}
small {{ color: #5b6575; }} .note {{ color: #7a5a00; }}
</style></head><body>
{banner}
<h1>报告索引</h1>
<p>运行：{html.escape(batch.run_dir.name)} · 生成于 {datetime.now():%Y-%m-%d %H:%M} · civmon {civmon.__version__} · {counts}</p>
{extra}{''.join(f'<p class="note">{html.escape(n)}</p>' for n in batch.notes)}
<table><thead><tr><th>范围</th><th>报告</th><th>期间</th><th>网页版</th><th>PDF</th><th>状态</th><th>主要指标</th><th>数据质量提示</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody></table>
<p><small>仅网页版和 PDF 为可发布材料；同目录下的 .ipynb 为研究人员工作文件，不对外发布。</small></p>
</body></html>
"""


def _title(pid: str) -> str:
    """A report's Chinese title (its id where the catalogue does not know it)."""
    entry = programmes.CATALOGUE.get(pid)
    return entry.name_zh if entry else pid
