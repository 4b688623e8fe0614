"""Phrasing and presentation: what report notebooks call to show tables, charts and sentences.

`open_report` builds a report's context; `ctx.evaluate()` runs its programme's evaluation
(civmon.evaluation.<programme>); the programme's phrasing module (civmon.report.<programme>)
turns that result into Chinese section elements, one call per notebook cell.
"""

from civmon.report import appendix
from civmon.report.context import ReportContext, open_report, record_indicators
from civmon.report.headline import headline_table
from civmon.report.tables import Group, Markup, Table, Text, findings, format_number, table

__all__ = ["appendix", "headline_table", "ReportContext", "open_report", "record_indicators", "Group", "Markup",
           "Table", "Text", "findings", "format_number", "table"]
