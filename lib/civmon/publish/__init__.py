"""What leaves civmon: small-cell suppression for published tables and charts, and the
publication gate that scans rendered reports for personal data before they are released."""

from civmon.publish.gate import (
    KINDS,
    Finding,
    NameMatcher,
    Scanner,
    ScanReport,
    scan_path,
    scan_report,
    scan_text,
)
from civmon.publish.identifiers import raw_names_from_folder, raw_pseudonyms_from_folder
from civmon.publish.suppress import (
    SUPPRESSED,
    ChartData,
    Suppressed,
    audit,
    chart_note,
    suppress_counts,
    suppress_series_for_chart,
    suppression_note,
)

__all__ = [
    "KINDS", "Finding", "NameMatcher", "Scanner", "ScanReport", "raw_names_from_folder", "raw_pseudonyms_from_folder", "scan_path",
    "scan_report", "scan_text", "SUPPRESSED", "ChartData", "Suppressed", "audit", "chart_note",
    "suppress_counts", "suppress_series_for_chart", "suppression_note",
]
