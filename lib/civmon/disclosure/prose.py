"""How suppressed counts are worded in sentences and notes: one wording everywhere ("少于N")."""

from __future__ import annotations

SUPPRESSED = "＊"  # full-width asterisk: the symbol a hidden cell shows


def is_small(n, threshold: int | None) -> bool:
    """A count that must not be published at this level (1 to threshold-1; None: the district)."""
    return bool(threshold) and n is not None and 0 < n < threshold


def count_text(n: int, threshold: int | None, unit: str = "") -> str:
    """A count for a sentence: "1,234人", or "少于5人" when it is small below the district."""
    return f"少于{threshold}{unit}" if is_small(n, threshold) else f"{int(n):,}{unit}"


def suppression_note(threshold: int = 5) -> str:
    """The note under a table whose small cells are hidden."""
    return f"{SUPPRESSED} 少于{threshold}户（人）的单元格及可据以推算的单元格已隐去。"


def chart_note(threshold: int = 5) -> str:
    """The note under a chart whose small values are not drawn."""
    return f"注：少于{threshold}户（人）的数值及可据以推算的数值未予显示。"
