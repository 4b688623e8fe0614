"""Fake people for the synthetic sample: resident ID numbers, birth dates, names, mobile numbers.

ID numbers look real so that pseudonymisation is exercised: region 330502 (Wuxing), the birth
date, a 3-digit sequence whose last digit encodes sex (odd male, even female) and a valid GB 11643
check character. Uniqueness across the whole sample: each programme owns the sequence numbers
whose hundreds digit is its PROGRAMME_INDEX p or p + 5, and an `IdAllocator` hands them out without
repeats within the programme. Everything is vectorised (no per-person Python loops).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.sample.base import PROGRAMME_INDEX

REGION = 330502
REFERENCE_DATE = pd.Timestamp("2023-06-30")
ROLE_AGES = {"child": (0, 17), "adult": (18, 59), "elderly": (60, 99), "any": (0, 95)}

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK = np.array(list("10X98765432"))
_PER_BLOCK = 50  # sequence numbers per (birth date, sex) in one hundreds-digit block

_SURNAMES = np.array(list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗沈钱姚陆潘费施金蒋严朱叶汪方俞"))
_SURNAME_P = np.array([9, 8, 8, 7, 7, 5, 4, 4, 5, 4, 5, 3, 3, 3, 2, 2, 2, 2, 2, 2,
                       4, 3, 2, 3, 2, 1, 2, 1, 2, 2, 1, 2, 1, 2, 1], dtype=float)
_SURNAME_P /= _SURNAME_P.sum()
_MALE_CHARS = np.array(list("伟强军明建国华平志勇杰涛斌林海峰磊超鹏飞俊浩宇文辉刚荣新良"))
_FEMALE_CHARS = np.array(list("芳娟敏静丽霞燕萍红玲英梅琴云慧婷雪琳颖洁秀兰凤娜莉"))


class IdAllocator:
    """Issues unique fake ID numbers for one programme (state: counts per birth date and sex)."""

    def __init__(self, programme: str):
        p = PROGRAMME_INDEX[programme]
        self.blocks = (p, p + 5)
        self._counts = pd.Series(dtype="int64")

    @property
    def capacity(self) -> int:
        return _PER_BLOCK * len(self.blocks)

    def issue(self, birth_dates, male) -> tuple[np.ndarray, pd.DatetimeIndex]:
        """ID numbers for people with these birth dates and sexes; returns (ids, birth dates used).

        A birth date whose sequence numbers are used up moves one day earlier.
        """
        days = pd.DatetimeIndex(birth_dates).values.astype("datetime64[D]").astype(np.int64)
        sex = np.asarray(male, dtype=bool).astype(np.int64)
        n = len(days)
        k = np.zeros(n, dtype=np.int64)
        todo = np.arange(n)
        while len(todo):
            keys = days[todo] * 2 + sex[todo]
            rank = pd.Series(keys).groupby(keys).cumcount().to_numpy()
            offset = self._counts.reindex(keys).fillna(0).to_numpy(dtype=np.int64)
            kk = offset + rank
            ok = kk < self.capacity
            k[todo[ok]] = kk[ok]
            used = pd.Series(keys[ok]).value_counts()
            self._counts = self._counts.add(used, fill_value=0).astype("int64")
            todo = todo[~ok]
            days[todo] -= 1
        block = np.asarray(self.blocks, dtype=np.int64)[k // _PER_BLOCK]
        seq = block * 100 + (k % _PER_BLOCK) * 2 + sex
        dates = pd.DatetimeIndex(days.astype("datetime64[D]"))
        ymd = (dates.year * 10000 + dates.month * 100 + dates.day).to_numpy(dtype=np.int64)
        first17 = REGION * 10**11 + ymd * 1000 + seq
        return id_strings(first17), dates


def id_strings(first17: np.ndarray) -> np.ndarray:
    """18-character ID numbers from the 17-digit integers, with the GB 11643 check character."""
    first17 = np.asarray(first17, dtype=np.int64)
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    digits = (first17[:, None] // powers[None, :]) % 10
    check = _CHECK[(digits @ _WEIGHTS) % 11]
    return np.char.add(first17.astype("U17"), check)


def birth_dates(rng: np.random.Generator, n: int, role: str = "adult",
                ref: pd.Timestamp = REFERENCE_DATE) -> pd.DatetimeIndex:
    """Plausible birth dates for a role (child, adult, elderly, any), ages taken at `ref`."""
    lo, hi = ROLE_AGES[role]
    if role == "elderly":
        age = lo + np.minimum(rng.exponential(11.0, n), hi - lo)
    else:
        age = rng.uniform(lo, hi + 1, n)
    days = np.floor(age * 365.25).astype(np.int64)
    ref_day = np.datetime64(pd.Timestamp(ref).date(), "D")
    return pd.DatetimeIndex(ref_day - days.astype("timedelta64[D]"))


def names(rng: np.random.Generator, male) -> np.ndarray:
    """Fake Chinese names: a common surname and a one- or two-character given name."""
    male = np.asarray(male, dtype=bool)
    n = len(male)
    sur = rng.choice(_SURNAMES, n, p=_SURNAME_P)
    g1 = np.where(male, rng.choice(_MALE_CHARS, n), rng.choice(_FEMALE_CHARS, n))
    g2 = np.where(male, rng.choice(_MALE_CHARS, n), rng.choice(_FEMALE_CHARS, n))
    two = rng.random(n) < 0.7
    return np.char.add(np.char.add(sur, g1), np.where(two, g2, ""))


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Fake mainland mobile numbers, 1[3-9] followed by nine digits."""
    second = rng.integers(3, 10, n, dtype=np.int64)
    rest = rng.integers(0, 10**9, n, dtype=np.int64)
    return (10**10 + second * 10**9 + rest).astype("U11")


def make_people(rng: np.random.Generator, ids: IdAllocator, n: int, role: str = "adult",
                ref: pd.Timestamp = REFERENCE_DATE, male=None) -> pd.DataFrame:
    """n fake people: id_number, name, phone, birth_date, male (birth date consistent with the ID)."""
    male = rng.random(n) < 0.5 if male is None else np.asarray(male, dtype=bool)
    id_numbers, born = ids.issue(birth_dates(rng, n, role, ref), male)
    return pd.DataFrame({
        "id_number": id_numbers,
        "name": names(rng, male),
        "phone": phones(rng, n),
        "birth_date": born,
        "male": male,
    })
