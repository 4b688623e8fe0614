"""The validated store: frames read back from it equal the freshly loaded ones, whole and per
township, and a changed file opens a new store."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from civmon.data.cache import CACHE_ENV
from civmon.data.pseudonymise import KEY_ENV
from civmon.data.scope import scope_frames
from civmon.data.source import load_data
from civmon.data.store import Store, StoredFrames, folder_stamp


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_categorical=True)
    assert [a[c].dtype for c in a.columns] == [b[c].dtype for c in b.columns]


@pytest.fixture
def stored(folder, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv(KEY_ENV, "a-test-key-of-sixteen+")
    fresh = load_data(str(folder))
    again = load_data(str(folder))
    return fresh, again


def test_first_load_builds_the_store_and_the_second_opens_it(stored):
    fresh, again = stored
    assert isinstance(fresh.frames, dict) and isinstance(again.frames, StoredFrames)
    assert again.sha256 == fresh.sha256 and again.tables == fresh.tables
    assert again.validation.format() == fresh.validation.format()


def test_stored_frames_equal_the_loaded_ones_in_order_and_dtype(stored):
    fresh, again = stored
    assert list(again.frames) == list(fresh.frames)
    for name, df in fresh.frames.items():
        _same(df, again.frames[name])


def test_a_township_reads_only_its_row_groups_and_equals_scope_frames(stored):
    fresh, again = stored
    store: Store = again.frames.store
    towns = fresh.frames["areas"].query("level == 'township'")["area_code"].astype(str)
    for town in towns:
        scoped = StoredFrames(store).scoped(town)
        expected = scope_frames(fresh.frames, town)
        for name in expected:
            _same(expected[name], scoped[name])
    by_town = [n for n, d in store.meta["datasets"].items() if d["by_township"] and d["rows"]]
    assert by_town, "the fixture has township datasets"
    for name in by_town:
        groups = store.meta["datasets"][name]["groups"]
        assert sum(len(store.read(name, t)) for t in groups if t) + \
            sum(fresh.frames[name]["township_code"].isna()) == len(fresh.frames[name])


def test_a_changed_file_opens_a_new_store(stored, folder):
    fresh, again = stored
    path = next(p for p in sorted(folder.iterdir()) if p.suffix == ".csv")
    before = folder_stamp(folder)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert folder_stamp(folder) != before
    assert isinstance(load_data(str(folder)).frames, dict)  # rebuilt, not the old store
