"""Migrant post-support indicators and the subsidy reconciliation on hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civmon.data.pseudonymise import SAMPLE_KEY, hash_ids
from civmon.data.spec import DATASETS
from civmon.indicators import migrants as im
from civmon.indicators.registry import REGISTRY
from civmon.period import Period
from civmon.sample.base import canonical

from frames import frame, pid

H1 = Period.parse("2023H1")
Y2023 = Period.parse("2023")
Y2022 = Period.parse("2022")


def key(i: int) -> str:
    return hash_ids(pd.Series([pid(i)]), SAMPLE_KEY).iloc[0]


def person(i, hh, **kw):
    base = dict(id_number=pid(i), name=f"人{i}", household_id=hh, township_code="T1", village_code="V1",
                eligible=True, registered_date="2006-07-01")
    base.update(kw)
    return base


@pytest.fixture
def register():
    return frame("migrant_register", [
        person(1, "H1"),                                                    # paid in full
        person(2, "H1"),                                                    # entitled, unpaid
        person(3, "H2"),                                                    # paid twice
        person(4, "H2"),                                                    # paid 300
        person(5, "H3", event_date="2022-10-01", removal_date="2023-05-01", removal_reason="death"),
        person(6, "H3", removal_date="2022-11-01", removal_reason="other"),  # removed, still paid
        person(7, "H4", eligible=False),                                    # not eligible, paid
        person(8, "H4", registered_date="2023-03-01"),                      # entitled only from 2024
        person(10, "H5", event_date="2023-02-01", removal_date="2023-03-10", removal_reason="death"),
        person(11, "H5", event_date="2023-04-01", removal_reason="moved"),  # moved, not yet removed
    ])


@pytest.fixture
def payments():
    rows = [(1, 600, "2023-03-15"), (3, 600, "2023-03-15"), (3, 600, "2023-05-20"), (4, 300, "2023-03-15"),
            (5, 600, "2023-03-15"), (6, 600, "2023-03-15"), (7, 600, "2023-03-15"), (9, 600, "2023-03-15"),
            (10, 600, "2023-05-15"), (11, 600, "2023-03-15")]
    out = [dict(payment_id=f"P{j}", id_number=pid(i), township_code="T1", year=2023, amount=float(a), paid_date=d)
           for j, (i, a, d) in enumerate(rows)]
    out.append(dict(payment_id="P99", id_number=pid(1), township_code="T1", year=2022, amount=600.0,
                    paid_date="2022-03-15"))
    return frame("migrant_payments", out)


def test_reconciliation_statuses(register, payments):
    t = im.reconcile_subsidy(register, payments, 2023).set_index("person_key")
    expected = {1: "paid_in_full", 2: "eligible_unpaid", 3: "duplicate", 4: "wrong_amount",
                5: "paid_after_removal", 6: "paid_after_removal", 7: "paid_not_entitled",
                9: "paid_not_entitled", 10: "paid_in_full", 11: "paid_in_full"}
    assert {i: t.loc[key(i), "status"] for i in expected} == expected
    assert key(8) not in t.index  # neither entitled nor paid
    assert t.loc[key(3), "discrepancy"] == 600 and t.loc[key(3), "n_payments"] == 2
    assert t.loc[key(4), "discrepancy"] == -300
    assert t.loc[key(2), "discrepancy"] == -600
    assert t.loc[key(9), "township_code"] == "T1"  # from the payment: not on the register
    s = im.reconciliation_summary(t.reset_index()).set_index("status")
    assert s.loc["paid_after_removal", "persons"] == 2 and s.loc["paid_after_removal", "amount"] == 1200


def test_subsidy_indicators(register, payments):
    assert im.direct_subsidy_persons(payments, H1) == 9
    assert im.direct_subsidy_funds(payments, H1) == 0.57  # 5,700 yuan
    assert im.direct_subsidy_funds(payments, Y2022) == 0.06
    assert im.subsidy_entitled_persons(register, H1) == 6  # 1, 2, 3, 4, 10, 11
    # min(paid, 600) over the entitled: 600 + 0 + 600 + 300 + 600 + 600 of 3,600
    assert im.subsidy_paid_in_full_rate(register, payments, H1) == pytest.approx(75.0)
    assert im.eligible_unpaid(register, payments, H1) == 1
    assert im.eligible_unpaid_amount(register, payments, H1) == 600
    assert im.duplicate_payments(register, payments, H1) == 1
    assert im.duplicate_payment_amount(register, payments, H1) == 600
    assert im.paid_after_removal(register, payments, H1) == 2
    assert im.paid_after_removal_amount(register, payments, H1) == 1200
    assert im.wrong_amount_payments(register, payments, H1) == 1
    assert im.wrong_amount_discrepancy(register, payments, H1) == 300
    assert im.subsidy_payment_timeliness(payments, H1) == pytest.approx(800 / 9)  # person 10 paid 15 May
    # paid: 1, 3, 4, 5, 6, 7, 9, 10, 11; exactly right: 1, 10, 11
    assert im.subsidy_payment_accuracy(register, payments, H1) == pytest.approx(300 / 9)


def test_register_dynamics(register):
    assert im.registered_migrants(register, H1) == 6  # 1, 2, 3, 4, 8, 11
    assert im.migrant_households(register, H1) == 4  # H1, H2, H4, H5
    assert im.removals(register, H1) == 2  # 5 (212 days after the death), 10 (37 days)
    assert im.removal_lag_days(register, H1) == pytest.approx((212 + 37) / 2)
    assert im.removal_timeliness_rate(register, H1) == pytest.approx(50.0)
    assert im.removal_timeliness_rate(register, H1, max_lag_days=250) == pytest.approx(100.0)
    assert im.removals_pending(register, H1) == 1  # 11
    assert im.removals(register, Y2022) == 1  # 6 ('other': no lag)
    assert np.isnan(im.removal_timeliness_rate(register, Y2022))


def test_visit_coverage(register):
    visits = frame("migrant_visits", [
        dict(visit_id="Z1", household_id="H1", township_code="T1", date="2023-02-01"),
        dict(visit_id="Z2", household_id="H2", township_code="T1", date="2023-07-01"),
        dict(visit_id="Z3", household_id="H5", township_code="T1", date="2023-05-05"),
        dict(visit_id="Z4", household_id="H9", township_code="T1", date="2023-03-03"),
    ])
    assert im.visit_coverage(register, visits, H1) == pytest.approx(50.0)  # H1, H5 of H1, H2, H4, H5
    # year to date at the end of 2023H2: H1, H2, H5 of the register's H1, H2, H4, H5 at 2023-12-31
    h2 = Period.parse("2023H2")
    assert im.visit_coverage(register, visits, h2) == pytest.approx(25.0)  # H2 only, within H2
    assert im.visit_coverage_ytd(register, visits, h2) == pytest.approx(75.0)
    assert im.visit_coverage_ytd(register, visits, H1) == pytest.approx(50.0)


@pytest.fixture
def projects():
    def p(pid_, year, budget, spent, ps, pf, as_=None, af=None, acc=None):
        return dict(project_id=pid_, project_name=pid_, project_type="infrastructure", township_code="T1",
                    village_code="V" + pid_, year=year, budget=float(budget), spent=float(spent), planned_start=ps,
                    planned_finish=pf, actual_start=as_, actual_finish=af, acceptance=acc)
    return frame("migrant_projects", [
        p("A", 2023, 100_000, 100_000, "2023-02-01", "2023-05-01", "2023-02-01", "2023-04-20", "passed"),
        p("B", 2023, 200_000, 150_000, "2023-03-01", "2023-06-01", "2023-03-20", "2023-06-20", "failed"),
        p("C", 2023, 300_000, 60_000, "2023-05-01", "2023-06-15", "2023-05-01"),
        p("D", 2023, 400_000, 0, "2023-08-01", "2023-12-01"),
        p("E", 2022, 999_999, 0, "2022-08-01", "2022-12-01", "2022-08-01", "2022-11-01", "passed"),
        p("F", 2023, 50_000, 50_000, "2023-01-10", "2023-03-01", "2023-01-05", "2023-02-25", "pending"),
    ])


def test_project_indicators(projects):
    assert im.projects_planned(projects, H1) == 5
    assert im.projects_completed(projects, H1) == 3  # A, B, F
    assert im.project_funds(projects, H1) == 105.0
    assert im.project_funds_spent(projects, H1) == 36.0
    assert im.budget_execution_rate(projects, H1) == pytest.approx(360_000 / 1_050_000 * 100)
    assert im.project_completion_rate(projects, H1) == pytest.approx(60.0)
    assert im.on_time_start_rate(projects, H1) == pytest.approx(75.0)  # A, C, F of A, B, C, F
    assert im.on_time_finish_rate(projects, H1) == pytest.approx(50.0)  # A, F of A, B, C, F
    assert im.acceptance_pass_rate(projects, H1) == pytest.approx(50.0)  # A of A, B (F pending)
    assert im.on_time_start_rate(projects, Y2023) == pytest.approx(60.0)  # D has not started
    assert im.on_time_finish_rate(projects, Y2023) == pytest.approx(40.0)
    assert im.projects_completed(projects, Y2022) == 1
    t = im.projects_of_year(projects, H1).set_index("project_id")
    assert t.loc["B", "finish_slip_days"] == 19 and t.loc["B", "start_slip_days"] == 19
    assert t.loc["C", "status"] == "in_progress" and t.loc["D", "status"] == "not_started"


def test_wan_rounding_prints_like_the_bureau():
    df = frame("migrant_projects", [dict(project_id="A", project_name="A", project_type="training",
                                         township_code="T1", village_code="V", year=2023, budget=16_707_436.0,
                                         spent=0.0, planned_start="2023-01-01", planned_finish="2023-02-01")])
    assert im.project_funds(df, H1) == 1670.74


def test_income_satisfaction_and_panel(projects):
    survey = frame("migrant_survey", [
        dict(household_id="H1", township_code="T1", village_code="VA", year=2023, income_per_capita=40_000.0,
             satisfied=True),
        dict(household_id="H2", township_code="T1", village_code="VB", year=2023, income_per_capita=50_000.0,
             satisfied=True),
        dict(household_id="H3", township_code="T1", village_code="VZ", year=2023, income_per_capita=60_000.0,
             satisfied=False),
        dict(household_id="H1", township_code="T1", village_code="VA", year=2022, income_per_capita=30_000.0,
             satisfied=True),
    ])
    bench = frame("rural_income_benchmark", [dict(year=2022, income_per_capita=29_000.0),
                                             dict(year=2023, income_per_capita=48_000.0)])
    assert im.migrant_income_per_capita(survey, H1) == pytest.approx(50_000)
    assert im.rural_income(bench, H1) == 48_000
    assert im.migrant_income_ratio(survey, bench, H1) == pytest.approx(50_000 / 48_000)
    assert im.migrant_satisfaction_rate(survey, H1) == pytest.approx(200 / 3)
    p = im.income_panel(survey, projects).set_index(["household_id", "year"])
    assert p.loc[("H1", 2023), "first_treated"] == 2024  # village VA: project A finished 2023
    assert np.isnan(p.loc[("H3", 2023), "first_treated"])
    assert p.loc[("H1", 2022), "log_income"] == pytest.approx(np.log(30_000))


def test_reconciliation_works_on_raw_ids():
    reg = canonical(pd.DataFrame([person(1, "H1"), person(2, "H1")]).reindex(
        columns=DATASETS["migrant_register"].column_names), "migrant_register")
    pay = canonical(pd.DataFrame([dict(payment_id="P1", id_number=pid(1), township_code="T1", year=2023,
                                       amount=600.0, paid_date="2023-03-01")]), "migrant_payments")
    t = im.reconcile_subsidy(reg, pay, 2023).set_index("id_number")
    assert t["status"].astype(str).to_dict() == {pid(1): "paid_in_full", pid(2): "eligible_unpaid"}


def test_registry_has_seed_ids():
    for id_ in ("direct_subsidy_funds", "direct_subsidy_persons", "projects_planned", "projects_completed",
                "project_funds"):
        assert REGISTRY[id_].programme == "migrants"
    assert REGISTRY["direct_subsidy_funds"].unit == "万元"
    assert REGISTRY["paid_after_removal"].higher_is_better is False
