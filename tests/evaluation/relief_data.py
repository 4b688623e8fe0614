"""Hand-made relief frames (answers worked out by hand in the tests), a noise-free planted rise and
the sample: shared by the evaluation tests (numbers) and the phrasing tests (text)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd

from civmon.period import Period

H1 = Period.parse("2023H1")
H2_22 = Period.parse("2022H2")
CATS = ("dibao", "dibian", "tekun")
WHOLE_SAMPLE = Period.parse("2023H2")  # the truth's series run 2021-01..2023-12, censoring at 2023-12-31


def cat(values, codes):
    return pd.Categorical(values, categories=list(codes))


def households_frame(rows):
    """rows: id, category, persons, entry, exit, township, reason, labour, support."""
    return pd.DataFrame({
        "household_id": pd.array([r[0] for r in rows], dtype="string"),
        "category": cat([r[1] for r in rows], CATS),
        "persons": pd.array([r[2] for r in rows], dtype="Int64"),
        "entry_date": pd.to_datetime([r[3] for r in rows]),
        "exit_date": pd.to_datetime([r[4] for r in rows]),
        "township_code": cat([r[5] for r in rows], ("T1", "T2")),
        "exit_reason": cat([r[6] for r in rows], ("employment", "income_rise", "death", "moved", "other")),
        "labour_capacity": pd.array([r[7] for r in rows], dtype="boolean"),
        "employment_support": pd.array([r[8] for r in rows], dtype="boolean"),
    })


def households():
    return households_frame([
        ("A", "dibao", 2, "2020-05-01", None, "T1", None, True, False),
        ("B", "dibian", 1, "2023-06-30", None, "T2", None, False, False),
        ("C", "dibao", 3, "2022-01-01", "2023-06-30", "T1", "employment", True, True),
        ("D", "dibao", 1, "2021-01-01", "2023-07-01", "T2", "death", False, False),
        ("E", "tekun", 1, "2019-01-01", None, "T1", None, False, False),
        ("F", "dibao", 4, "2023-07-02", None, "T2", None, False, False),
        ("G", "dibian", 2, "2022-03-01", "2023-02-10", "T1", "income_rise", True, False),
        ("H", "dibao", 1, "2023-03-15", None, "T1", None, False, False),
    ])


def areas():
    return pd.DataFrame({
        "area_code": pd.array(["T1", "V1", "T2"], dtype="string"),
        "area_name": pd.array(["甲镇", "甲村", "乙街道"], dtype="string"),
        "level": cat(["township", "village", "township"], ("township", "village", "community")),
        "parent_code": pd.array([None, "T1", None], dtype="string"),
        "population": pd.array([2000, 900, 1000], dtype="Int64"),
    })


def standards():
    return pd.DataFrame({
        "category": cat(["dibao", "dibao", "dibian", "dibian", "tekun", "tekun"], CATS),
        "effective_date": pd.to_datetime(["2020-07-01", "2023-04-01"] * 3),
        "standard": [1000.0, 1100.0, 1500.0, 1650.0, 1500.0, 1650.0],
    })


def registries():
    """Disability registry and subsidy, children registry and subsidy."""
    dreg = pd.DataFrame({
        "person_key": pd.array(["p1", "p2", "p3", "p4", "p5"], dtype="string"),
        "township_code": cat(["T1", "T1", "T2", "T2", "T1"], ("T1", "T2")),
        "disability_grade": pd.array([1, 3, 2, 1, 4], dtype="Int64"),
        "low_income": pd.array([True, True, False, True, True], dtype="boolean"),
        "registered_date": pd.to_datetime(["2020-01-01", "2023-06-10", "2019-01-01", "2022-01-01", "2023-07-05"]),
    })
    dsub = pd.DataFrame({
        "person_key": pd.array(["p1", "p1", "p4", "p3", "p2"], dtype="string"),
        "month": pd.to_datetime(["2023-06-01", "2023-06-01", "2023-06-01", "2023-05-01", "2023-06-01"]),
        "subsidy_type": cat(["living", "nursing", "nursing", "nursing", "living"], ("living", "nursing")),
        "amount": [100.0] * 5,
    })
    creg = pd.DataFrame({"person_key": pd.array(["c1", "c2", "c3"], dtype="string"),
                         "township_code": cat(["T2", "T2", "T1"], ("T1", "T2")),
                         "registered_date": pd.to_datetime(["2021-01-01", "2023-05-20", "2022-02-02"])})
    csub = pd.DataFrame({"person_key": pd.array(["c1"], dtype="string"), "month": pd.to_datetime(["2023-06-01"]),
                         "amount": [50.0]})
    return dreg, dsub, creg, csub


def needs():
    return pd.DataFrame({
        "need_id": pd.array([f"N{i}" for i in range(6)], dtype="string"),
        "township_code": cat(["T1", "T1", "T2", "T2", "T2", "T1"], ("T1", "T2")),
        "need_type": cat(["living", "medical", "living", "living", "care", "living"],
                         ("living", "medical", "education", "employment", "care", "psychological", "other")),
        "collected_date": pd.to_datetime(["2023-01-10", "2023-02-01", "2023-03-01", "2023-06-20", "2022-12-30",
                                          "2023-05-01"]),
        "resolved_date": pd.to_datetime(["2023-01-20", "2023-07-15", "2023-03-31", None, "2023-01-05", "2023-05-11"]),
    })


def planted_roster(level=40, slope=5, base=200, trend=2, months=24, rise_at=16):
    """Households whose month-end caseload is exactly base + trend t + (level + slope k) after the rise."""
    rows, hid = [], 0
    start = pd.Timestamp("2021-01-01")
    target = [base + trend * t + ((level + slope * (t - rise_at)) if t >= rise_at else 0) for t in range(months)]
    for t, n in enumerate(np.diff([0, *target])):
        for _ in range(int(n)):
            hid += 1
            rows.append((f"H{hid}", "dibao", 1, start + pd.DateOffset(months=t), None, "T1", None, False, False))
    hh = households_frame(rows)
    ms = pd.date_range(start, periods=months, freq="MS")
    pay = pd.DataFrame({"household_id": pd.array(["H1"] * months, dtype="string"), "month": ms,
                        "category": cat(["dibao"] * months, CATS),
                        "amount": [1000.0 + 10 * t + (300.0 + 20 * (t - rise_at) if t >= rise_at else 0.0)
                                   for t in range(months)]})
    std = pd.DataFrame({"category": cat(["dibao", "dibao"], CATS),
                        "effective_date": pd.to_datetime(["2019-01-01", ms[rise_at].strftime("%Y-%m-05")]),
                        "standard": [900.0, 950.0]})
    return hh, pay, std


@lru_cache(maxsize=1)
def sample():
    """The sample's relief roster, payments and standards, and the relief part of its truth."""
    from civmon import data as cdata
    from civmon.data.loader import resolve_key
    from civmon.sample import sample_dir

    folder = sample_dir()
    res = cdata.load(folder, key=resolve_key(folder), datasets=["relief_households", "relief_payments", "relief_standards"])
    res.raise_for_errors()
    return res.data, json.loads((folder / "truth.json").read_text())["relief"]
