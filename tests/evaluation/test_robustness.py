"""The robustness verdict and the assumptions log's collection of result objects."""

from dataclasses import dataclass, field

import pytest

from civmon.evaluation.base import Assumption, Result, assumptions_of, results_in
from civmon.evaluation.robustness import Check, Robustness, verdict


def row(design, kind, est, lo, hi):
    return Check(design, kind, est, lo, hi)


@pytest.mark.parametrize("rows,expected", [
    ([row("m", "main", 2, 1, 3), row("a", "alternative", 1.5, 0.5, 2.5)], "holds"),
    ([row("m", "main", 2, 1, 3), row("a", "alternative", 1.5, -0.5, 3.5)], "direction_holds"),
    ([row("m", "main", 2, 1, 3), row("a", "alternative", -1, -2, 0.5)], "does_not_hold"),
    ([row("m", "main", 2, 1, 3), row("p", "placebo", 1, 0.2, 1.8)], "placebo_fails"),
    ([row("m", "main", 2, 1, 3), row("p", "placebo", 0.1, -0.5, 0.7)], "holds"),
    ([row("m", "main", 0.2, -1, 1.4), row("a", "alternative", 0.5, -0.2, 1.2)], "no_effect_holds"),
    ([row("m", "main", 0.2, -1, 1.4), row("a", "alternative", 1.5, 0.5, 2.5)], "does_not_hold"),
    ([row("m", "main", -2, -3, -1), row("a", "alternative", -1, -1.5, -0.5)], "holds"),
])
def test_verdict_of_the_main_design_against_alternatives_and_placebos(rows, expected):
    assert verdict(rows) == expected


def test_verdict_needs_exactly_one_main_design():
    with pytest.raises(ValueError):
        verdict([row("a", "alternative", 1, 0, 2)])
    with pytest.raises(ValueError):
        row("x", "sideways", 1, 0, 2)


def test_robustness_table_lists_designs_main_first():
    r = Robustness("q", [row("main", "main", 2, 1, 3), row("alt", "alternative", 1, 0.5, 1.5)])
    assert r.table["design"].tolist() == ["main", "alt"] and r.verdict == "holds"


@dataclass
class Inner(Result):
    x: int = 0


@dataclass
class Outer(Result):
    by_outcome: dict = field(default_factory=dict)
    parts: list = field(default_factory=list)


def test_assumptions_are_collected_from_nested_results_once_each():
    a1 = Assumption("ITS", "residuals uncorrelated", "Ljung-Box", 3.0, 0.4, True)
    a2 = Assumption("Cox", "proportional hazards", "Schoenfeld", 9.0, 0.01, False, "caveat")
    shared = Inner(assumptions=[a1])
    outer = Outer(by_outcome={"a": shared, "b": Inner(assumptions=[a1, a2])}, parts=[shared])
    assert len(results_in(outer)) == 3  # outer, shared (once), the other inner
    assert assumptions_of(outer) == [a1, a2]
