"""Relief indicators on small hand-made frames; every expected value is worked out by hand below."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import civmon.indicators.relief as rel
from civmon.indicators.registry import REGISTRY
from civmon.period import Period

H1 = Period.parse("2023H1")
T = pd.Timestamp
NA = pd.NaT

SEED_IDS = ("lowincome_households", "lowincome_persons", "lowincome_funds", "temp_relief_households",
            "temp_relief_person_times", "temp_relief_funds", "tekun_standard", "child_subsidy_funds",
            "disability_living_funds", "disability_nursing_funds", "one_stop_person_times", "one_stop_funds",
            "alliance_needs_collected", "alliance_needs_resolved")


def cat(values, codes):
    return pd.Categorical(values, categories=list(codes))


@pytest.fixture
def households():
    # id, category, persons, entry, exit
    rows = [
        ("A", "dibao", 2, "2020-05-01", None),          # on roster at 2023-06-30
        ("B", "dibian", 1, "2023-06-30", None),         # entered on the last day: counts
        ("C", "dibao", 3, "2022-01-01", "2023-06-30"),  # exited on the last day: not on roster
        ("D", "dibao", 1, "2021-01-01", "2023-07-01"),  # exits after the period end: counts
        ("E", "tekun", 1, "2019-01-01", None),          # 特困 is not low-income
        ("F", "dibao", 4, "2023-07-02", None),          # enters after the period
        ("G", "dibian", 2, "2022-03-01", "2023-02-10"),  # exited during the period
    ]
    return pd.DataFrame({
        "household_id": pd.array([r[0] for r in rows], dtype="string"),
        "category": cat([r[1] for r in rows], ("dibao", "dibian", "tekun")),
        "persons": pd.array([r[2] for r in rows], dtype="Int64"),
        "entry_date": pd.to_datetime([r[3] for r in rows]),
        "exit_date": pd.to_datetime([r[4] for r in rows]),
    })


def test_lowincome_roster_counts_at_period_end(households):
    # on the roster at 2023-06-30: A (2 persons), B (1), D (1); C left that day, E is 特困, F, G not
    assert rel.lowincome_households(households, H1) == 3
    assert rel.lowincome_persons(households, H1) == 2 + 1 + 1


def test_exit_rate(households):
    # caseload at 2022-12-31: A, C, D, G (B and F not yet, E is 特困) = 4
    # exits within 2023-01-01..06-30 among low-income: C (06-30) and G (02-10) = 2 -> 50.0 %
    assert rel.exit_rate(households, H1) == 50.0


@pytest.fixture
def payments():
    rows = [
        ("A", "2023-01-01", "dibao", 1000.55, "2023-01-10", "2023-01-08"),
        ("A", "2023-06-01", "dibao", 1200.00, "2023-06-10", "2023-06-12"),  # late
        ("G", "2023-02-01", "dibian", 300.11, "2023-02-10", None),           # unpaid
        ("E", "2023-03-01", "tekun", 1731.00, "2023-03-10", "2023-03-10"),   # on the due day
        ("A", "2022-12-01", "dibao", 999.00, "2022-12-10", "2022-12-09"),    # before the period
        ("D", "2023-07-01", "dibao", 888.00, "2023-07-10", "2023-07-10"),    # after the period
    ]
    return pd.DataFrame({
        "household_id": pd.array([r[0] for r in rows], dtype="string"),
        "month": pd.to_datetime([r[1] for r in rows]),
        "category": cat([r[2] for r in rows], ("dibao", "dibian", "tekun")),
        "amount": [r[3] for r in rows],
        "due_date": pd.to_datetime([r[4] for r in rows]),
        "paid_date": pd.to_datetime([r[5] for r in rows]),
    })


def test_lowincome_funds_in_wan_yuan(payments):
    # 1000.55 + 1200.00 + 300.11 = 2500.66 yuan = 0.250066 万 -> 0.25
    assert rel.lowincome_funds(payments, H1) == 0.25


def test_wan_rounds_to_two_decimals():
    assert rel.wan(23_272_100.0) == 2327.21
    assert rel.wan(23_272_149.99) == 2327.21
    assert rel.wan(23_272_150.01) == 2327.22


def test_avg_payment_per_person(payments, households):
    # low-income rows in H1: A Jan (2 persons), A Jun (2), G Feb (2): 2500.66 / 6 = 416.7767 -> 416.78
    assert rel.avg_payment_per_person(payments, households, H1) == pytest.approx(416.78)


def test_payment_timeliness(payments):
    # due in H1: A Jan (early, on time), A Jun (late), G Feb (unpaid), E Mar (on the day): 2 / 4
    assert rel.payment_timeliness(payments, H1) == 50.0


@pytest.fixture
def standards():
    rows = [("dibao", "2020-07-01", 1080), ("dibao", "2023-04-01", 1154), ("tekun", "2020-07-01", 1620),
            ("tekun", "2023-04-01", 1731), ("tekun", "2023-07-01", 1800)]
    return pd.DataFrame({
        "category": cat([r[0] for r in rows], ("dibao", "dibian", "tekun")),
        "effective_date": pd.to_datetime([r[1] for r in rows]),
        "standard": [float(r[2]) for r in rows],
    })


def test_standards_in_force_at_period_end(standards):
    assert rel.tekun_standard(standards, H1) == 1731  # the July rise is not yet in force
    assert rel.dibao_standard(standards, H1) == 1154
    assert rel.tekun_standard(standards, Period.parse("2022H2")) == 1620
    assert rel.tekun_standard(standards, Period.parse("2023H2")) == 1800
    assert rel.tekun_dibao_ratio(standards, H1) == 1.5  # 1731 / 1154 = 1.50
    assert math.isnan(rel.dibao_standard(standards, Period.parse("2019")))


@pytest.fixture
def temp():
    rows = [("k1", "2023-01-05", 2, 3000.0), ("k1", "2023-05-20", 1, 500.0), ("k2", "2023-06-30", 4, 12345.0),
            ("k3", "2022-12-31", 3, 9000.0), ("k4", "2023-07-01", 1, 800.0)]
    return pd.DataFrame({
        "event_id": pd.array([f"E{i}" for i in range(len(rows))], dtype="string"),
        "applicant_key": pd.array([r[0] for r in rows], dtype="string"),
        "date": pd.to_datetime([r[1] for r in rows]),
        "persons": pd.array([r[2] for r in rows], dtype="Int64"),
        "amount": [r[3] for r in rows],
    })


def test_temporary_relief(temp):
    # in H1: k1 twice, k2 once -> 2 households; persons 2 + 1 + 4 = 7; 15845 yuan = 1.5845 万 -> 1.58
    assert rel.temp_relief_households(temp, H1) == 2
    assert rel.temp_relief_person_times(temp, H1) == 7
    assert rel.temp_relief_funds(temp, H1) == 1.58


def test_subsidy_funds():
    child = pd.DataFrame({"month": pd.to_datetime(["2023-01-01", "2023-06-01", "2023-07-01"]),
                          "amount": [2080.0, 1040.0, 2080.0]})
    # 3120 yuan -> 0.31 万
    assert rel.child_subsidy_funds(child, H1) == 0.31
    dis = pd.DataFrame({
        "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-02-01", "2022-12-01"]),
        "subsidy_type": cat(["living", "living", "nursing", "living"], ("living", "nursing")),
        "amount": [3460.0, 3460.0, 2890.0, 3240.0],
    })
    assert rel.disability_living_funds(dis, H1) == 0.69  # 6920 yuan
    assert rel.disability_nursing_funds(dis, H1) == 0.29  # 2890 yuan


def test_enrolment_rates():
    registry = pd.DataFrame({
        "person_key": pd.array(["p1", "p2", "p3", "p4", "p5"], dtype="string"),
        "disability_grade": pd.array([1, 2, 3, 1, 4], dtype="Int64"),
        "low_income": pd.array([True, False, True, True, False], dtype="boolean"),
        "registered_date": pd.to_datetime(["2020-01-01", "2021-01-01", "2022-01-01", "2023-07-05", "2020-01-01"]),
    })
    sub = pd.DataFrame({
        "person_key": pd.array(["p1", "p3", "p1", "p2", "p9"], dtype="string"),
        "month": pd.to_datetime(["2023-06-01", "2023-05-01", "2023-06-01", "2023-06-01", "2023-06-01"]),
        "subsidy_type": cat(["living", "living", "nursing", "nursing", "living"], ("living", "nursing")),
    })
    # living: eligible registered by 06-30 with low income = p1, p3 (p4 registered later); paid in June: p1 -> 50.0
    assert rel.disability_living_enrolment(registry, sub, H1) == 50.0
    # nursing: grade 1-2 registered by 06-30 = p1, p2; both paid nursing in June -> 100.0
    assert rel.disability_nursing_enrolment(registry, sub, H1) == 100.0
    children = pd.DataFrame({"person_key": pd.array(["c1", "c2", "c3"], dtype="string"),
                             "registered_date": pd.to_datetime(["2022-01-01", "2023-01-01", "2023-03-01"])})
    paid = pd.DataFrame({"person_key": pd.array(["c1", "c3", "c3"], dtype="string"),
                         "month": pd.to_datetime(["2023-06-01", "2023-05-01", "2023-06-01"])})
    assert rel.child_subsidy_enrolment(children, paid, H1) == pytest.approx(66.7)  # 2 of 3


def test_one_stop():
    cases = pd.DataFrame({"date": pd.to_datetime(["2023-01-01", "2023-06-30", "2023-07-01"]),
                          "persons": pd.array([3, 5, 7], dtype="Int64"), "amount": [1234.56, 8765.44, 1.0]})
    assert rel.one_stop_person_times(cases, H1) == 8
    assert rel.one_stop_funds(cases, H1) == 1.0  # 10000.00 yuan


def test_alliance_needs():
    needs = pd.DataFrame({
        "collected_date": pd.to_datetime(["2023-01-10", "2023-02-01", "2023-03-01", "2023-06-20", "2022-12-01"]),
        "resolved_date": pd.to_datetime(["2023-02-01", "2023-06-30", "2023-07-01", None, "2023-01-15"]),
    })
    # collected in H1: 4; of those resolved by 06-30: 2 (the 07-01 one is late; the 2022 need is not counted)
    assert rel.alliance_needs_collected(needs, H1) == 4
    assert rel.alliance_needs_resolved(needs, H1) == 2
    assert rel.alliance_resolution_rate(needs, H1) == 50.0
    assert math.isnan(rel.alliance_resolution_rate(needs, Period.parse("2021H1")))


def test_seed_ids_registered_with_metadata():
    for id_ in SEED_IDS + ("dibao_standard", "tekun_dibao_ratio", "avg_payment_per_person", "payment_timeliness",
                           "exit_rate", "alliance_resolution_rate"):
        ind = REGISTRY[id_]
        assert ind.programme == "relief" and ind.label_zh and ind.formula and ind.unit
        if ind.unit == "万元":
            assert "万元" in ind.formula and "两位小数" in ind.formula
    assert "期末前化解" in REGISTRY["alliance_needs_resolved"].formula


def test_compute_via_registry_uses_declared_inputs(households):
    assert REGISTRY["lowincome_households"].compute({"relief_households": households}, H1) == 3
    with pytest.raises(KeyError):
        REGISTRY["lowincome_households"].compute({}, H1)
