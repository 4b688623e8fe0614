"""What report notebooks call: open a report, show tables and text, record indicators, export."""

from civmon.report import appendix, overview
from civmon.report.context import REPORTS, ReportContext, open_report, record_indicators
from civmon.report.headline import HEADLINE_IDS, headline_table
from civmon.report.tables import Markup, Table, Text, findings, format_number, table

__all__ = ["appendix", "overview", "HEADLINE_IDS", "headline_table", "REPORTS", "ReportContext", "open_report", "record_indicators", "Markup", "Table", "Text",
           "findings", "format_number", "table"]
