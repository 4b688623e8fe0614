"""The publication gate: rendered reports are scanned for personal data (ID and mobile numbers,
names from the raw files, pseudonyms, the key) before they are released. Suppression of small
cells, which happens before rendering, is civmon.disclosure."""

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

__all__ = [
    "KINDS", "Finding", "NameMatcher", "Scanner", "ScanReport", "raw_names_from_folder", "raw_pseudonyms_from_folder",
    "scan_path", "scan_report", "scan_text",
]
