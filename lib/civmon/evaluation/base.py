"""The shape every evaluation result shares (after statsmodels' results): the numbers, how they
were obtained (`method_note`), what limits them (`caveats`) and which assumptions they rest on and
how this run checked them (`assumptions`), so the report states the method that was actually run,
written once next to the code that runs it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass


@dataclass(frozen=True)
class Assumption:
    """One assumption of a method and how this run checked it (a row of the assumptions log).

    `method`, `assumption`, `check` and `caveat` are the report's Chinese words (as method notes
    are); `statistic` and `pvalue` are the check's numbers (None: no test statistic); `holds` is
    True/False when the data could check it and None when the assumption cannot be tested from the
    data (then `check` says how it is argued instead). `caveat` is what a reader should keep in mind,
    above all when `holds` is False."""

    method: str
    assumption: str
    check: str
    statistic: float | None = None
    pvalue: float | None = None
    holds: bool | None = None
    caveat: str = ""


@dataclass
class Result:
    """Base of evaluation results: subclasses add their frames and estimates as fields.

    `method_note` is the report's note on the method (Chinese, as printed under its table);
    `caveats` are sentences the data at hand call for (e.g. a short post-period); `assumptions`
    the method's assumptions with this run's checks (the report's assumptions log)."""

    method_note: str = field(default="", kw_only=True)
    caveats: list[str] = field(default_factory=list, kw_only=True)
    assumptions: list[Assumption] = field(default_factory=list, kw_only=True)


def results_in(obj, _seen=None) -> list[Result]:
    """Every Result reachable from `obj` (itself, its dataclass fields, dict values, list items), in
    field order, each once: what the assumptions log collects from a programme's evaluation."""
    seen = set() if _seen is None else _seen
    out: list[Result] = []
    if id(obj) in seen:
        return out
    seen.add(id(obj))
    if isinstance(obj, Result):
        out.append(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        for f in fields(obj):
            out += results_in(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for v in obj.values():
            out += results_in(v, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            out += results_in(v, seen)
    return out


def assumptions_of(evaluation) -> list[Assumption]:
    """The assumptions log of an evaluation: every result's assumptions, duplicates once, in order."""
    out: list[Assumption] = []
    for r in results_in(evaluation):
        for a in r.assumptions:
            if a not in out:
                out.append(a)
    return out
