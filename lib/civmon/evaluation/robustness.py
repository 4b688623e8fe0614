"""Robustness of one estimate: the main design beside alternative designs and placebos, and whether
the conclusion holds across them (the same rule in every section, so reviewers read one verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from civmon.evaluation.base import Result

KINDS = ("main", "alternative", "placebo")
COLUMNS = ["design", "kind", "estimate", "ci_low", "ci_high", "pvalue", "n"]
VERDICTS = ("holds", "direction_holds", "does_not_hold", "placebo_fails", "no_effect_holds")


@dataclass(frozen=True)
class Check:
    """One row: a design's estimate of the same quantity. `design` is an English code the phrasing
    translates (e.g. "main", "placebo_pre", "shift_minus_1", "did2s", "drop_earliest_cohort");
    `kind` is main, alternative (should agree with the main design) or placebo (should be zero)."""

    design: str
    kind: str
    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float | None = None
    n: int | None = None
    detail: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def sign(self) -> int:
        return (self.estimate > 0) - (self.estimate < 0)


def verdict(rows: list[Check]) -> str:
    """Whether the main design's conclusion survives the others.

    A placebo whose interval excludes zero: placebo_fails (the design finds effects where there are
    none). Main interval excludes zero: holds when every alternative has the same sign and excludes
    zero too; direction_holds when all share the sign but some interval reaches zero; does_not_hold
    when an alternative has the opposite sign. Main interval covers zero: no_effect_holds when no
    alternative excludes zero, else does_not_hold."""
    main = [r for r in rows if r.kind == "main"]
    if len(main) != 1:
        raise ValueError("robustness needs exactly one main design")
    m = main[0]
    if any(r.kind == "placebo" and r.excludes_zero for r in rows):
        return "placebo_fails"
    alts = [r for r in rows if r.kind == "alternative"]
    if not m.excludes_zero:
        return "does_not_hold" if any(r.excludes_zero for r in alts) else "no_effect_holds"
    if any(r.sign != m.sign for r in alts):
        return "does_not_hold"
    return "holds" if all(r.excludes_zero for r in alts) else "direction_holds"


@dataclass
class Robustness(Result):
    """An estimate under several designs. `quantity` names what is estimated (an English code the
    phrasing translates, e.g. "spending.level_change"); `rows` the designs, main first; `verdict`
    one of VERDICTS. Designs that could not be estimated are left out and named in `skipped`
    (design -> reason)."""

    quantity: str
    rows: list[Check]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return verdict(self.rows)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{c: getattr(r, c) for c in COLUMNS} for r in self.rows], columns=COLUMNS)


def check_of(design: str, kind: str, res, n: int | None = None, detail: str = "") -> Check:
    """A Check from a civmon.stats Result (estimate, ci_low, ci_high, pvalue, n)."""
    return Check(design=design, kind=kind, estimate=float(res.estimate), ci_low=float(res.ci_low),
                 ci_high=float(res.ci_high), pvalue=None if res.pvalue is None else float(res.pvalue),
                 n=int(res.n) if n is None else n, detail=detail)
