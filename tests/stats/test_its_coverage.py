"""The coverage study behind the ITS default: the committed results choose the default, and a small
run of the study's own code reproduces the committed figures' story (Newey-West under-covers)."""

import sys
from pathlib import Path

import pandas as pd

from civmon.evaluation.its_checks import COVERAGE_CSV, coverage_note
from civmon.stats.its import DEFAULT_ERRORS, ERRORS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import its_coverage  # noqa: E402


def test_the_committed_study_covers_every_method_and_design_with_500_series():
    df = pd.read_csv(COVERAGE_CSV)
    assert set(df["method"]) == set(ERRORS)
    assert len(df) == len(ERRORS) * len(its_coverage.designs(1, None))
    assert (df["series"] >= 500).all() and (df["failed"] == 0).all()


def test_the_default_error_model_is_the_one_the_study_chooses():
    assert its_coverage.choose(pd.read_csv(COVERAGE_CSV)) == DEFAULT_ERRORS


def test_the_method_note_states_the_studys_coverage_and_where_it_misses_the_range():
    df = its_coverage.judged(pd.read_csv(COVERAGE_CSV))
    df = df[df["method"] == DEFAULT_ERRORS]
    note = coverage_note()
    assert "每种设计500条模拟序列" in note
    for _, r in df.iterrows():
        for term, zh in (("level", "水平"), ("slope", "斜率")):
            c = r[f"{term}_coverage"]
            assert (f"{zh}{c:.3f}" in note) == (not 0.93 <= c <= 0.97), (r["design"], term, c)


def test_a_small_run_of_the_study_shows_newey_west_under_covering_where_the_default_does_not():
    job = ("Turner n=48 rho=0.6", "turner", (48, 0.6), 120, ["newey-west", DEFAULT_ERRORS])
    rows = {r["method"]: r for r in its_coverage.run_design(job)}
    assert rows["newey-west"]["level_coverage"] < 0.86 and rows["newey-west"]["slope_coverage"] < 0.86
    assert rows[DEFAULT_ERRORS]["level_coverage"] >= 0.9 and rows[DEFAULT_ERRORS]["slope_coverage"] >= 0.9
