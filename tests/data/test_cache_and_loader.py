"""The cache returns exactly what a fresh read returns; discovery, keys and validate_folder."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from civmon.data import load, resolve_key, validate_folder
from civmon.data.cache import CACHE_ENV, default_cache_dir
from civmon.data.pseudonymise import KEY_ENV, SAMPLE_KEY, MissingKeyError

from .conftest import one, write_csv


def test_second_read_comes_from_cache_and_is_identical(folder, tmp_path, tables):
    header, rows = tables["relief_payments"]
    write_csv(folder / "relief_payments.csv", header + ["备注"], [r + [""] for r in rows])  # a warning
    cache = tmp_path / "cache"
    first = load(folder, key="k", cache_dir=cache)
    second = load(folder, key="k", cache_dir=cache)
    assert not any(first.from_cache.values()) and all(second.from_cache.values())
    assert set(first.data) == set(second.data)
    for name in first.data:
        pd.testing.assert_frame_equal(first.data[name], second.data[name])
    assert second.report.problems == first.report.problems  # the warning survives the cache
    assert second.report.summary() == first.report.summary()
    assert second.sha256 == first.sha256
    assert second.sha256["relief_payments"] == hashlib.sha256((folder / "relief_payments.csv").read_bytes()).hexdigest()


def test_changed_file_or_key_is_read_again(folder, tmp_path, tables):
    cache = tmp_path / "cache"
    load(folder, key="k", cache_dir=cache)
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "2,000"
    write_csv(folder / "relief_payments.csv", header, rows)
    res = load(folder, key="k", cache_dir=cache)
    assert res.from_cache == {"areas": True, "relief_households": True, "relief_members": True,
                              "relief_payments": False, "child_subsidy": True}
    assert res.data["relief_payments"]["amount"].iloc[0] == 2000.0
    other = load(folder, key="another key", cache_dir=cache)
    assert not any(other.from_cache.values())


def test_files_with_errors_are_not_cached(folder, tmp_path, tables):
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "-1"
    write_csv(folder / "relief_payments.csv", header, rows)
    cache = tmp_path / "cache"
    load(folder, key="k", cache_dir=cache)
    again = load(folder, key="k", cache_dir=cache)
    assert again.from_cache["relief_payments"] is False and again.from_cache["areas"] is True
    assert one(again.report, "negative amount").row == 2


def test_cross_checks_run_even_on_cached_data(folder, tmp_path, tables):
    cache = tmp_path / "cache"
    load(folder, key="k", cache_dir=cache)
    header, rows = tables["relief_households"]
    write_csv(folder / "relief_households.csv", header, rows[:1])  # H2 leaves the roster
    res = load(folder, key="k", cache_dir=cache)
    assert res.from_cache["relief_payments"] is True
    rows_flagged = [p.row for p in res.report.errors if p.message == "household_id not in relief_payments"
                    or p.message == "household_id not in relief_households"]
    assert sorted(rows_flagged) == [4, 5, 6]  # relief_members row 4; relief_payments rows 5 and 6


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv(CACHE_ENV)
    assert str(default_cache_dir()).endswith(".cache/civmon")


def test_key_resolution(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(MissingKeyError):
        resolve_key(tmp_path)
    (tmp_path / "SYNTHETIC_SAMPLE").write_text("")
    assert resolve_key(tmp_path) == SAMPLE_KEY
    monkeypatch.setenv(KEY_ENV, "from-env")
    other = tmp_path / "real"
    other.mkdir()
    assert resolve_key(other) == "from-env"


def test_validate_folder_without_a_key_still_validates(folder, monkeypatch, tmp_path, tables):
    monkeypatch.delenv(KEY_ENV, raising=False)
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "-1"
    write_csv(folder / "relief_payments.csv", header, rows)
    report = validate_folder(folder, cache_dir=tmp_path / "cache")
    assert one(report, "negative amount").row == 2
    assert not (tmp_path / "cache").exists()  # a throw-away key is never cached


def test_unrecognised_files_are_warnings_and_lock_files_ignored(folder):
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    (folder / "~$relief_payments.xlsx").write_bytes(b"lock")
    (folder / "README.txt").write_text("hello")
    res = load(folder, key="k", use_cache=False)
    p = one(res.report, "file not recognised as a dataset")
    assert (p.file, p.severity) == ("notes.csv", "warning")
    assert res.report.ok


def test_missing_folder(tmp_path):
    report = load(tmp_path / "nope", key="k", use_cache=False).report
    assert not report.ok and report.errors[0].message == "folder not found"
