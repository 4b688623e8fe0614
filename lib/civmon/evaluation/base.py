"""The shape every evaluation result shares (after statsmodels' results): the numbers, how they
were obtained (`method_note`) and what limits them (`caveats`), so the report states the method
that was actually run, written once next to the code that runs it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    """Base of evaluation results: subclasses add their frames and estimates as fields.

    `method_note` is the report's note on the method (Chinese, as printed under its table);
    `caveats` are sentences the data at hand call for (e.g. a short post-period)."""

    method_note: str = field(default="", kw_only=True)
    caveats: list[str] = field(default_factory=list, kw_only=True)
