"""Eldercare indicators on small hand-made frames with hand-computed answers."""

from __future__ import annotations

import pandas as pd
import pytest

from civmon.indicators import eldercare as ie
from civmon.indicators.registry import REGISTRY
from civmon.period import Period

from frames import frame

H1 = Period.parse("2023H1")
H2_2022 = Period.parse("2022H2")
Y2023 = Period.parse("2023")
NA = None


@pytest.fixture
def centres():
    # A meets 20 m2/100 hh (needs 200); B needs 200, has 150; C opens after H1; D needs 600, has 500
    return frame("care_centres", [
        dict(centre_id="A", township_code="T1", floor_area_m2=300.0, households_served=1000, opened_date="2020-01-01"),
        dict(centre_id="B", township_code="T1", floor_area_m2=150.0, households_served=1000, opened_date="2023-03-01"),
        dict(centre_id="C", township_code="T2", floor_area_m2=100.0, households_served=2000, opened_date="2023-07-01"),
        dict(centre_id="D", township_code="T2", floor_area_m2=500.0, households_served=3000, opened_date="2019-05-05",
             old_neighbourhood=True),
    ])


@pytest.fixture
def inspections():
    return frame("safety_inspections", [
        # X: one finding on time, one late
        dict(inspection_id="I1", institution_id="X", inspection_date="2023-02-01", finding_id="F1",
             finding_type="fire", deadline="2023-03-01", rectified_date="2023-02-20"),
        dict(inspection_id="I1", institution_id="X", inspection_date="2023-02-01", finding_id="F2",
             finding_type="food", deadline="2023-03-01", rectified_date="2023-04-10"),
        # Y: no findings
        dict(inspection_id="I2", institution_id="Y", inspection_date="2023-05-01"),
        # X again: open and 15 days overdue at 2023-06-30
        dict(inspection_id="I3", institution_id="X", inspection_date="2023-06-01", finding_id="F3",
             finding_type="electrical", deadline="2023-06-15"),
        # Z: rectified on time, but only after the half-year ended
        dict(inspection_id="I4", institution_id="Z", inspection_date="2023-06-20", finding_id="F4",
             finding_type="building", deadline="2023-07-20", rectified_date="2023-07-10"),
        # W: before the period
        dict(inspection_id="I5", institution_id="W", inspection_date="2022-12-10", finding_id="F5",
             finding_type="other", deadline="2022-12-30", rectified_date="2022-12-20"),
    ])


@pytest.fixture
def carers():
    return frame("carers", [
        dict(id_number="330502199001011234", name="甲", employer_id="X", hired_date="2020-01-01",
             certified_date="2021-01-01"),
        dict(id_number="330502199001021234", name="乙", employer_id="X", hired_date="2022-05-01",
             certified_date="2023-03-01"),
        dict(id_number="330502199001031234", name="丙", employer_id="A", hired_date="2023-02-01"),
        dict(id_number="330502199001041234", name="丁", employer_id="Y", hired_date="2019-01-01",
             certified_date="2023-05-01", left_date="2023-06-01"),
        dict(id_number="330502199001051234", name="戊", employer_id="Y", hired_date="2023-08-01"),
    ])


def test_care_centres_area_standard(centres):
    assert ie.care_centers(centres, H1) == 3  # A, B, D
    assert ie.care_centers(centres, H2_2022) == 2  # A, D
    assert ie.care_centers(centres, Y2023) == 4
    assert ie.centres_below_area_standard(centres, H1) == 2  # B, D
    assert ie.area_gap_m2(centres, H1) == pytest.approx(50 + 100)
    assert ie.area_standard_compliance_rate(centres, H1) == pytest.approx(100 / 3)
    # the strict variant, 30 m2 per 100 households: A needs 300 (has 300), B 300, D 900
    assert ie.centres_below_area_standard(centres, H1, standard=30) == 2
    assert ie.area_gap_m2(centres, H1, standard=30) == pytest.approx(150 + 400)
    assert ie.centres_below_area_standard(centres, H2_2022) == 1
    t = ie.area_standard_table(centres, H1)
    assert t.set_index("centre_id")["required_m2"].to_dict() == {"A": 200.0, "B": 200.0, "D": 600.0}


def test_inspections_and_rectification(inspections):
    institutions = frame("institutions", [dict(institution_id=i, township_code="T1", beds=10, occupied_beds=5)
                                          for i in "XYZWV"])
    assert ie.institutions_inspected(inspections, H1) == 3  # X (twice), Y, Z
    assert ie.inspection_coverage(institutions, inspections, H1) == pytest.approx(60.0)
    assert ie.inspection_findings(inspections, H1) == 4
    assert ie.rectification_rate(inspections, H1) == pytest.approx(25.0)  # F1 only
    assert ie.findings_open(inspections, H1) == 2  # F3, F4 (rectified after the period end)
    assert ie.findings_overdue(inspections, H1) == 1  # F3
    f = ie.findings_table(inspections, H1).set_index("finding_id")
    assert f["status"].to_dict() == {"F1": "rectified_on_time", "F2": "rectified_late", "F3": "open", "F4": "open"}
    assert f.loc["F3", "days_overdue"] == 15
    # for the whole year F4 is rectified on time
    assert ie.rectification_rate(inspections, Y2023) == pytest.approx(50.0)
    assert ie.findings_open(inspections, Y2023) == 1
    assert ie.institutions_inspected(inspections, H2_2022) == 1


def test_services_beds_upgrades_meals():
    services = frame("centre_services", [
        dict(centre_id="A", township_code="T1", month="2022-12", service_person_times=100, meal_users=1),
        dict(centre_id="A", township_code="T1", month="2023-01", service_person_times=120, meal_users=1),
        dict(centre_id="B", township_code="T1", month="2023-06", service_person_times=130, meal_users=1),
        dict(centre_id="B", township_code="T1", month="2023-07", service_person_times=50, meal_users=1),
    ])
    assert ie.care_center_service_times(services, H1) == 250
    beds = frame("dementia_beds", [
        dict(institution_id="X", township_code="T1", beds=20, opened_date="2022-11-01"),
        dict(institution_id="X", township_code="T1", beds=30, opened_date="2023-02-01"),
        dict(institution_id="Y", township_code="T1", beds=40, opened_date="2023-11-01"),
    ])
    assert ie.dementia_beds_new(beds, H1) == 70  # calendar year 2023, the livelihood-target convention
    assert ie.dementia_beds_new(beds, H2_2022) == 20
    upgrades = frame("centre_upgrades", [
        dict(centre_id="A", township_code="T1", planned_date="2023-01-10", started_date="2023-05-01",
             completed_date="2023-06-30", budget=1.0),
        dict(centre_id="B", township_code="T1", planned_date="2023-06-30", budget=1.0),
        dict(centre_id="D", township_code="T2", planned_date="2022-12-31", started_date="2023-07-01", budget=1.0),
    ])
    assert ie.centers_upgrade_planned(upgrades, H1) == 2
    assert ie.upgrades_started(upgrades, H1) == 1
    assert ie.upgrades_completed(upgrades, H1) == 1
    assert ie.upgrades_started(upgrades, Y2023) == 2
    meals = frame("meal_coverage", [
        dict(village_code="V1", township_code="T1", meal_service_since="2020-01-01"),
        dict(village_code="V2", township_code="T1", meal_service_since="2023-06-30"),
        dict(village_code="V3", township_code="T1", meal_service_since="2023-07-01"),
        dict(village_code="V4", township_code="T1"),
    ])
    assert ie.meal_service_coverage(meals, H1) == pytest.approx(50.0)
    assert ie.meal_service_coverage(meals, Y2023) == pytest.approx(75.0)
    institutions = frame("institutions", [
        dict(institution_id="X", township_code="T1", beds=100, occupied_beds=60),
        dict(institution_id="Y", township_code="T1", beds=50, occupied_beds=20),
    ])
    assert ie.bed_occupancy_rate(institutions, H1) == pytest.approx(80 / 150 * 100)


def test_carers(carers):
    assert ie.certified_carers_new(carers, H1) == 2  # the second and the fourth (who then left)
    assert ie.carers_employed(carers, H1) == 3
    assert ie.carer_certification_rate(carers, H1) == pytest.approx(200 / 3)
    assert ie.carers_employed(carers, Y2023) == 4
    assert ie.carer_certification_rate(carers, Y2023) == pytest.approx(50.0)


def test_satisfaction_and_upgrade_panel(centres):
    survey = frame("satisfaction_survey", [
        dict(response_id="R1", centre_id="A", township_code="T1", date="2023-01-05", score=5),
        dict(response_id="R2", centre_id="A", township_code="T1", date="2023-01-25", score=4),
        dict(response_id="R3", centre_id="B", township_code="T1", date="2023-06-30", score=3),
        dict(response_id="R4", centre_id="B", township_code="T1", date="2023-03-01", score=2),
        dict(response_id="R5", centre_id="A", township_code="T1", date="2022-12-31", score=1),
    ])
    assert ie.eldercare_satisfaction_rate(survey, H1) == pytest.approx(50.0)
    assert ie.satisfaction_mean_score(survey, H1) == pytest.approx(3.5)
    services = frame("centre_services", [
        dict(centre_id="A", township_code="T1", month="2023-01", service_person_times=120, meal_users=1),
        dict(centre_id="B", township_code="T1", month="2023-01", service_person_times=80, meal_users=1),
    ])
    upgrades = frame("centre_upgrades", [dict(centre_id="A", township_code="T1", planned_date="2022-01-01",
                                              started_date="2022-03-01", completed_date="2022-09-17", budget=1.0)])
    p = ie.upgrade_panel(centres, upgrades, services, survey).set_index("centre_id")
    assert p.loc["A", "satisfaction"] == pytest.approx(4.5)
    assert pd.isna(p.loc["B", "satisfaction"])  # no response from B in January
    assert p.loc["A", "first_treated"] == pd.Timestamp("2022-09-01")
    assert pd.isna(p.loc["B", "first_treated"])


def test_registry_has_seed_ids_and_units():
    for id_ in ("care_centers", "institutions_inspected", "care_center_service_times", "dementia_beds_new",
                "certified_carers_new", "meal_service_coverage", "centers_upgrade_planned"):
        ind = REGISTRY[id_]
        assert ind.programme == "eldercare"
        assert ind.label_zh and ind.formula
    assert REGISTRY["meal_service_coverage"].unit == "%"
    assert "自然年度" in REGISTRY["dementia_beds_new"].formula
    assert REGISTRY["centres_below_area_standard"].higher_is_better is False


def test_registry_compute_matches_function(centres):
    assert REGISTRY["care_centers"].compute({"care_centres": centres}, H1) == 3
