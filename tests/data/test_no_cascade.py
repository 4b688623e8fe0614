"""A column missing from a file is one error; checks that depend on it are not run (no cascade)."""

from __future__ import annotations

import pandas as pd

from civmon.data import load
from civmon.data.canonical import read_dataset
from civmon.data.crosschecks import (MSG_AFTER_COVERAGE, MSG_FUTURE, MSG_TWO_HOUSEHOLDS, MSG_UNKNOWN_TOWNSHIP,
                                     MSG_UNKNOWN_VILLAGE, MSG_VILLAGE_TOWNSHIP, cross_check)
from civmon.data.spec import DATASETS
from civmon.data.validation import ValidationReport

from .conftest import problems_with, write_csv, write_folder

REPEAT = 400  # the five sample payment rows, 2,000 rows in all


def _payments(tables, rename: dict[str, str] | None = None, edit=None):
    header, rows = tables["relief_payments"]
    header = [(rename or {}).get(h, h) for h in header]
    rows = [list(r) for _ in range(REPEAT) for r in rows]
    if edit:
        for r in rows:
            edit(header, r)
    return header, rows


def test_a_missing_key_column_is_one_error_not_thousands(tmp_path, tables):
    folder = write_folder(tmp_path / "d", tables)
    header, rows = _payments(tables, rename={"month": "所属期间X"})
    write_csv(folder / "relief_payments.csv", header, rows)
    read = read_dataset(folder / "relief_payments.csv", DATASETS["relief_payments"], "k")
    assert read.missing == {"month"}
    month_zh = DATASETS["relief_payments"].column("month").zh
    assert [(p.message, p.column) for p in read.report.errors] == [("missing column", f"{month_zh} / month")], \
        read.report.format()
    assert read.report.n_errors == 1 and not read.report.omitted
    res = load(folder, key="k", use_cache=False)
    assert res.report.n_errors == 1, res.report.format()
    assert [p.message for p in res.report.errors] == ["missing column"]


def test_missing_optional_and_required_columns_report_nothing_else(tmp_path, tables):
    folder = tmp_path / "d"
    folder.mkdir()
    header, rows = _payments(tables)
    for i, r in enumerate(rows):
        r[0] = f"H{i}"  # distinct keys: 2,000 valid rows
    drop = [header.index("amount"), header.index("paid_date")]
    write_csv(folder / "p.csv", [h for i, h in enumerate(header) if i not in drop],
              [[v for i, v in enumerate(r) if i not in drop] for r in rows])
    read = read_dataset(folder / "p.csv", DATASETS["relief_payments"], "k")
    assert read.missing == {"amount", "paid_date"}
    zh = {c.name: c.zh for c in DATASETS["relief_payments"].columns}
    assert sorted((p.message, p.column) for p in read.report.errors) == [
        ("missing column", f"{zh['amount']} / amount"), ("missing column", f"{zh['paid_date']} / paid_date")]
    assert read.report.n_errors == 2, read.report.format()  # no "empty value" for the 2,000 rows of amount


def test_unreadable_key_cells_are_not_also_duplicates(tmp_path, tables):
    folder = tmp_path / "d"
    folder.mkdir()
    header, rows = _payments(tables, edit=lambda h, r: r.__setitem__(h.index("month"), "第一季度"))
    write_csv(folder / "p.csv", header, rows)
    report = read_dataset(folder / "p.csv", DATASETS["relief_payments"], "k").report
    assert {p.message for p in report.errors} == {"not a month"}
    assert report.n_errors == len(rows)  # one per unreadable cell, none for the duplicates they would make


def test_an_unreadable_file_lacks_every_column(tmp_path):
    path = tmp_path / "relief_payments.csv"
    path.write_bytes(b"")
    read = read_dataset(path, DATASETS["relief_payments"], "k")
    assert read.missing == set(DATASETS["relief_payments"].column_names)


def _frames(tmp_path):
    folder = write_folder(tmp_path / "d")
    res = load(folder, key="k", use_cache=False)
    assert res.report.ok, res.report.format()
    return {n: df.copy() for n, df in res.data.items()}, {n: f"{n}.csv" for n in res.data}


def _check(frames, files, missing=None, today=None):
    report = ValidationReport()
    cross_check(frames, files, {}, report, today=today, missing=missing)
    return report


def test_cross_checks_skip_a_missing_referenced_column(tmp_path):
    frames, files = _frames(tmp_path)
    frames["relief_households"]["household_id"] = pd.NA  # as read from a file without that column
    assert problems_with(_check(frames, files), "household_id not in relief_households")
    report = _check(frames, files, {"relief_households": {"household_id"}})
    assert not problems_with(report, "household_id not in relief_households"), report.format()
    frames, files = _frames(tmp_path / "2")
    frames["relief_payments"]["household_id"] = "gone"  # the referencing column missing: not checked
    report = _check(frames, files, {"relief_payments": {"household_id"}})
    assert not problems_with(report, "household_id not in relief_households"), report.format()


def test_cross_checks_skip_areas_without_codes_levels_or_parents(tmp_path):
    frames, files = _frames(tmp_path)
    frames["areas"]["area_code"] = pd.NA
    assert problems_with(_check(frames, files), MSG_UNKNOWN_TOWNSHIP)
    report = _check(frames, files, {"areas": {"area_code"}})
    assert not problems_with(report, MSG_UNKNOWN_TOWNSHIP) and not problems_with(report, MSG_UNKNOWN_VILLAGE)

    frames, files = _frames(tmp_path / "2")
    frames["areas"]["parent_code"] = pd.NA
    assert problems_with(_check(frames, files), MSG_VILLAGE_TOWNSHIP)
    assert not problems_with(_check(frames, files, {"areas": {"parent_code"}}), MSG_VILLAGE_TOWNSHIP)

    frames, files = _frames(tmp_path / "3")
    hh = frames["relief_households"]
    hh["village_code"] = pd.Categorical(["999"] * len(hh))
    assert problems_with(_check(frames, files), MSG_UNKNOWN_VILLAGE)
    assert not problems_with(_check(frames, files, {"relief_households": {"village_code"}}), MSG_UNKNOWN_VILLAGE)
    del frames["areas"]  # the target dataset absent: no area check at all
    report = _check(frames, {k: v for k, v in files.items() if k != "areas"})
    assert not problems_with(report, MSG_UNKNOWN_VILLAGE) and not problems_with(report, MSG_UNKNOWN_TOWNSHIP)


def test_cross_checks_skip_dates_of_a_missing_column(tmp_path):
    frames, files = _frames(tmp_path)
    frames["relief_payments"]["paid_date"] = pd.Timestamp("2030-01-01")
    report = _check(frames, files, today=pd.Timestamp("2024-01-01").date())
    assert problems_with(report, MSG_FUTURE) or problems_with(report, MSG_AFTER_COVERAGE)
    report = _check(frames, files, {"relief_payments": {"paid_date"}}, today=pd.Timestamp("2024-01-01").date())
    assert not problems_with(report, MSG_FUTURE) and not problems_with(report, MSG_AFTER_COVERAGE), report.format()


def test_two_households_needs_the_roster_exit_dates(tmp_path):
    frames, files = _frames(tmp_path)
    members = frames["relief_members"]
    moved = members.iloc[[2]].copy()  # the H2 member also listed in H1
    moved.index = [99]
    moved["household_id"] = "H1"
    frames["relief_members"] = pd.concat([members, moved])
    frames["relief_households"]["exit_date"] = pd.NaT  # without exit dates every spell runs on to today
    assert problems_with(_check(frames, files), MSG_TWO_HOUSEHOLDS)
    assert not problems_with(_check(frames, files, {"relief_households": {"exit_date"}}), MSG_TWO_HOUSEHOLDS)
    assert not problems_with(_check(frames, files, {"relief_members": {"id_number"}}), MSG_TWO_HOUSEHOLDS)
