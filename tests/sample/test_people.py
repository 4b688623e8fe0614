"""Fake people: ID numbers valid and unique across programmes, consistent birth dates and sexes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from civmon.data.pseudonymise import birth_date_and_sex, id_checksum, is_valid_id
from civmon.sample.people import IdAllocator, birth_dates, id_strings, make_people, names, phones


def test_id_strings_use_the_gb11643_check_character():
    first17 = np.array([33050219800101001, 11010519491231002], dtype=np.int64)
    ids = id_strings(first17)
    assert list(ids) == ["33050219800101001" + id_checksum("33050219800101001"),
                         "11010519491231002" + id_checksum("11010519491231002")]
    # the textbook example of GB 11643: 11010519491231002X
    assert ids[1] == "11010519491231002X"


def test_ids_are_valid_unique_and_carry_birth_date_and_sex():
    rng = np.random.default_rng(1)
    alloc = IdAllocator("relief")
    people = pd.concat([make_people(rng, alloc, 3000, role) for role in ("child", "adult", "elderly")])
    ids = people["id_number"]
    assert ids.is_unique
    assert all(is_valid_id(s) for s in ids)
    assert ids.str.startswith("330502").all()
    born, sex = birth_date_and_sex(ids)
    assert (born.to_numpy() == people["birth_date"].to_numpy()).all()
    assert ((sex == "M").to_numpy() == people["male"].to_numpy()).all()
    # the sequence number's hundreds digit is the programme's block (relief: 1 or 6)
    assert set(ids.str[14]) <= {"1", "6"}


def test_full_birth_dates_move_a_day_earlier_and_programmes_never_collide():
    a, b = IdAllocator("relief"), IdAllocator("migrants")
    day = pd.DatetimeIndex(["1950-01-01"] * 130)
    ids_a, used = a.issue(day, np.ones(130, bool))
    ids_b, _ = b.issue(day, np.ones(130, bool))
    assert len(set(ids_a)) == 130 and not set(ids_a) & set(ids_b)
    # 100 numbers per (day, sex) and programme: the other 30 get the previous day
    assert (used == pd.Timestamp("1950-01-01")).sum() == 100
    assert (used == pd.Timestamp("1949-12-31")).sum() == 30


def test_birth_dates_fit_the_role():
    rng = np.random.default_rng(2)
    ref = pd.Timestamp("2023-06-30")
    for role, (lo, hi) in (("child", (0, 18)), ("adult", (18, 60)), ("elderly", (60, 100))):
        age = (ref - birth_dates(rng, 2000, role, ref)).days / 365.25
        assert age.min() >= lo and age.max() < hi


def test_names_and_phones_look_real():
    rng = np.random.default_rng(3)
    ns = names(rng, rng.random(500) < 0.5)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in ns)
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones(rng, 500))
