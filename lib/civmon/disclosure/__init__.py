"""Disclosure control, in one place: small-cell suppression of tables and charts (primary and
secondary), of headline figures and monthly series, and the wording of suppressed counts in prose.
Reports call it below the district level; the publication gate (civmon.publish) then scans what
was rendered."""

from civmon.disclosure.headline import AMOUNT_OF, PERSON_UNITS, suppress_series, suppress_small
from civmon.disclosure.prose import SUPPRESSED, chart_note, count_text, is_small, suppression_note
from civmon.disclosure.tables import ChartData, Suppressed, audit, suppress_counts, suppress_series_for_chart

__all__ = ["AMOUNT_OF", "PERSON_UNITS", "suppress_series", "suppress_small", "SUPPRESSED", "chart_note",
           "count_text", "is_small", "suppression_note", "ChartData", "Suppressed", "audit", "suppress_counts",
           "suppress_series_for_chart"]
