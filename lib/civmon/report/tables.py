"""Published tables: one renderer for every report table (thousands separators, units, right-aligned numbers)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon.disclosure import SUPPRESSED as SUPPRESSED_MARK
from civmon.disclosure import suppress_counts
from civmon.errors import DisclosureError
from civmon.report.captions import caption_html, plain, text_html


def format_number(value, decimals: int | None = None) -> str:
    """Thousands separators; integers without decimals, other numbers with `decimals` (default 2)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if decimals is None:
            decimals = 0 if float(value).is_integer() and abs(value) >= 1 else 2
        value = round(float(value), decimals) + 0.0  # no "-0.0"
        return f"{value:,.{decimals}f}"
    return str(value)


@dataclass
class Table:
    """A report table: a DataFrame plus caption, notes and per-column decimals; renders as HTML."""

    frame: pd.DataFrame
    caption: str = ""
    notes: list[str] = field(default_factory=list)
    decimals: dict[str, int] = field(default_factory=dict)
    total_row: bool = False
    index: bool = False
    row_decimals: list | None = None  # per-row decimals where a column has none (mixed-unit tables)
    key: str | None = None  # what sentences refer to (see civmon.report.captions.see)
    numbered: bool = True  # 表N, numbered at export (appendix tables are not)

    def _cell(self, col, value, row: int = 0) -> str:
        if isinstance(value, Markup):
            return f'<td class="text">{value}</td>'
        numeric = (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))) \
            or value == SUPPRESSED_MARK
        dec = self.decimals.get(col)
        if dec is None and self.row_decimals is not None:
            dec = self.row_decimals[row]
        text = html.escape(format_number(value, dec))
        return f'<td class="{"num" if numeric else "text"}">{text}</td>'

    def to_html(self) -> str:
        df = self.frame.reset_index() if self.index else self.frame
        numeric_cols = {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
        head = "".join(f'<th class="{"num" if c in numeric_cols else "text"}" scope="col">{html.escape(str(c))}</th>'
                       for c in df.columns)
        rows = []
        n = len(df)
        for i, rec in enumerate(df.itertuples(index=False, name=None)):
            cls = ' class="total"' if self.total_row and i == n - 1 else ""
            rows.append(f"<tr{cls}>" + "".join(self._cell(c, v, i) for c, v in zip(df.columns, rec)) + "</tr>")
        cap = f"<caption>{caption_html('表', self.caption, self.key, self.numbered)}</caption>" if self.caption else ""
        notes = "".join(f'<p class="table-note">{text_html(t)}</p>' for t in self.notes)
        return (f'<table class="civmon-table">{cap}<thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table>{notes}')

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"{'表 ' if self.numbered else ''}{plain(self.caption)}\n{self.frame.to_string()}"


def area_table(frame: pd.DataFrame, *, caption: str, count_columns, threshold: int, rate_columns=None,
               amount_columns=None, label_column: str | None = None, total_row: str | None = None,
               total_column: str | None = None, notes=(), decimals=None, key: str | None = None) -> Table:
    """A table of persons or households by area, through small-cell suppression (primary and secondary)."""
    s = suppress_counts(frame, count_columns, threshold, rate_columns=rate_columns, amount_columns=amount_columns,
                        total_row=total_row, total_column=total_column, label_column=label_column)
    if s.exposed:
        raise DisclosureError(f"{caption}: cells {s.exposed} cannot be protected at this level; publish a coarser table")
    last_is_total = total_row is not None and label_column is not None and len(frame) \
        and str(frame[label_column].iloc[-1]) == total_row
    return table(s.frame, caption=caption, notes=[*notes, *s.notes], decimals=decimals, total_row=bool(last_is_total),
                 key=key)


class Markup(str):
    """A cell value that is already safe HTML (e.g. a status badge)."""


def table(frame: pd.DataFrame, caption: str = "", notes=(), decimals=None, total_row=False, index=False,
          row_decimals=None, key: str | None = None, numbered: bool = True) -> Table:
    """Wrap a DataFrame for display in a report; `caption` is the title only (the number comes at export)."""
    return Table(frame, caption, list(notes), dict(decimals or {}), total_row, index,
                 None if row_decimals is None else list(row_decimals), key, numbered)


def unit_decimals(unit: str, values) -> int:
    """Decimals for a row of one indicator: 1 for percentages, 2 for 万元 and ratios or any fraction, else 0."""
    if unit == "%":
        return 1
    if unit in ("万元", "倍"):
        return 2
    nums = [float(v) for v in values if isinstance(v, (int, float, np.integer, np.floating)) and not pd.isna(v)]
    return 0 if all(v.is_integer() for v in nums) else 2


@dataclass
class Text:
    """A paragraph or a finding box of generated report text."""

    paragraphs: list[str]
    css_class: str = ""

    def _repr_html_(self) -> str:
        cls = f' class="{self.css_class}"' if self.css_class else ""
        return "".join(f"<p{cls}>{text_html(p)}</p>" for p in self.paragraphs)

    def __repr__(self) -> str:
        return "\n".join(plain(p) for p in self.paragraphs)


@dataclass
class Group:
    """Several section elements shown by one notebook call, in order (None entries are left out)."""

    parts: list

    def __post_init__(self):
        self.parts = [p for p in self.parts if p is not None]

    def _repr_html_(self) -> str:
        return "".join(p._repr_html_() for p in self.parts)

    def __repr__(self) -> str:
        return "\n\n".join(repr(p) for p in self.parts)

    def __iter__(self):
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)


def findings(sentences: list[str]) -> Text:
    """Generated findings, shown as highlighted paragraphs."""
    return Text(list(sentences), "finding")
