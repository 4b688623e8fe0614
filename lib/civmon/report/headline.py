"""Headline tables: the evaluation's headline figures (civmon.evaluation.headline) with Chinese
headers, status words and suppression marks."""

from __future__ import annotations

import pandas as pd

from civmon.disclosure import SUPPRESSED, suppression_note
from civmon.evaluation.headline import Headline
from civmon.report.tables import Table, table, unit_decimals

STATUS_TEXT = {"met": "达标", "near": "接近", "not_met": "未达标", "none": "—"}
HEADLINE_NOTE = "上期为紧邻的上一个同长度期间；同比为与去年同期相比。状态对照运行参数中的目标值。"
VALUE_HEADERS = {"value": "本期", "previous": "上期", "year_earlier": "去年同期", "yoy_pct": "同比变化（%）"}


def display_frame(h: Headline, headers: dict[str, str] = VALUE_HEADERS) -> pd.DataFrame:
    """Chinese column headers for the report table; suppressed cells show the suppression mark."""
    f = h.frame
    out = pd.DataFrame({
        "指标": f["label_zh"], "单位": f["unit"], headers["value"]: f["value"], headers["previous"]: f["previous"],
        headers["year_earlier"]: f["year_earlier"], headers["yoy_pct"]: f["yoy_pct"], "目标": f["target"],
        "状态": f["status"].map(STATUS_TEXT),
    })
    for i, hidden in zip(out.index, f.get("hidden", pd.Series([()] * len(f), index=f.index))):
        for col in hidden:
            out[headers[col]] = out[headers[col]].astype(object)
            out.loc[i, headers[col]] = SUPPRESSED
    return out


def notes(h: Headline) -> list[str]:
    """The suppression note when the headline hides cells."""
    return [suppression_note(h.threshold)] if h.n_hidden else []


def row_decimals(f: pd.DataFrame) -> list[int]:
    """Decimals per indicator row, by its unit and values."""
    return [unit_decimals(u, vals) for u, vals in
            zip(f["unit"], f[["value", "previous", "year_earlier", "target"]].itertuples(index=False))]


def headline_table(h: Headline, caption: str = "主要指标", extra_notes=(), key: str | None = "headline") -> Table:
    """The headline figures as a report table."""
    return table(display_frame(h), caption=caption, key=key, decimals={"同比变化（%）": 1},
                 row_decimals=row_decimals(h.frame), notes=[HEADLINE_NOTE, *extra_notes, *notes(h)])
