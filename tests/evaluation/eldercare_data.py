"""Hand-made eldercare frames with hand-computed answers, a noise-free planted upgrade panel and
evaluations of them: shared by the evaluation tests (numbers) and the phrasing tests (text).
The fixtures are imported by name into the test modules that use them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civmon import programmes
from civmon.data.scope import area_names
from civmon.evaluation import eldercare as ee
from civmon.evaluation.inputs import inputs_for
from civmon.params import parse_params
from civmon.period import Period

from frames import frame

H1 = Period.parse("2023H1")
Y2023 = Period.parse("2023")


def make_areas() -> pd.DataFrame:
    return frame("areas", [
        dict(area_code="T1", area_name="甲镇", level="township", urban_rural="rural"),
        dict(area_code="T2", area_name="乙街道", level="township", urban_rural="urban"),
        dict(area_code="V1", area_name="东村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="V2", area_name="西村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="V3", area_name="北村", level="village", parent_code="T1", urban_rural="rural"),
        dict(area_code="C1", area_name="南社区", level="community", parent_code="T2", urban_rural="urban"),
    ])


def make_centres() -> pd.DataFrame:
    # at 20 m2 per 100 households: A needs 200 has 300; B needs 200 has 150 (gap 50);
    # D (old) needs 600 has 500 (gap 100); E (old) needs 200 has 250; C opens after H1
    return frame("care_centres", [
        dict(centre_id="A", centre_name="东村居家养老服务照料中心", township_code="T1", urban_rural="urban",
             old_neighbourhood=False, floor_area_m2=300.0, households_served=1000, opened_date="2020-01-01"),
        dict(centre_id="B", centre_name="西村居家养老服务照料中心", township_code="T1", urban_rural="rural",
             old_neighbourhood=False, floor_area_m2=150.0, households_served=1000, opened_date="2023-03-01"),
        dict(centre_id="C", centre_name="北村居家养老服务照料中心", township_code="T1", urban_rural="rural",
             old_neighbourhood=False, floor_area_m2=100.0, households_served=2000, opened_date="2023-07-01"),
        dict(centre_id="D", centre_name="南社区居家养老服务照料中心", township_code="T2", urban_rural="urban",
             old_neighbourhood=True, floor_area_m2=500.0, households_served=3000, opened_date="2019-05-05"),
        dict(centre_id="E", centre_name="南社区居家养老服务照料中心2号点", township_code="T2", urban_rural="urban",
             old_neighbourhood=True, floor_area_m2=250.0, households_served=1000, opened_date="2018-05-05"),
    ])


def make_meals() -> pd.DataFrame:
    return frame("meal_coverage", [
        dict(village_code="V1", township_code="T1", meal_service_since="2020-01-01"),
        dict(village_code="V2", township_code="T1", meal_service_since="2023-07-10"),
        dict(village_code="V3", township_code="T1"),
        dict(village_code="C1", township_code="T2", meal_service_since="2023-06-30"),
    ])


def make_inspections() -> pd.DataFrame:
    return frame("safety_inspections", [
        dict(inspection_id="I1", institution_id="X", township_code="T1", inspection_date="2023-02-01", finding_id="F1",
             finding_type="fire", deadline="2023-03-01", rectified_date="2023-02-20"),
        dict(inspection_id="I1", institution_id="X", township_code="T1", inspection_date="2023-02-01", finding_id="F2",
             finding_type="food", deadline="2023-03-01", rectified_date="2023-04-10"),
        dict(inspection_id="I2", institution_id="Y", township_code="T2", inspection_date="2023-05-01"),
        dict(inspection_id="I3", institution_id="X", township_code="T1", inspection_date="2023-05-16", finding_id="F3",
             finding_type="building", deadline="2023-06-15"),
        dict(inspection_id="I4", institution_id="Z", township_code="T2", inspection_date="2023-06-20", finding_id="F4",
             finding_type="fire", deadline="2023-07-20"),
    ])


def make_institutions() -> pd.DataFrame:
    return frame("institutions", [
        dict(institution_id=i, institution_name=f"{i}养老院", township_code=t, beds=50, occupied_beds=30)
        for i, t in (("X", "T1"), ("Y", "T2"), ("Z", "T2"), ("W", "T1"))])


def make_carers() -> pd.DataFrame:
    return frame("carers", [
        dict(id_number="330502199001011234", name="甲", township_code="T1", employer_id="X", hired_date="2020-01-01",
             certified_date="2021-01-01"),
        dict(id_number="330502199001021234", name="乙", township_code="T1", employer_id="X", hired_date="2022-05-01",
             certified_date="2023-03-01"),
        dict(id_number="330502199001031234", name="丙", township_code="T2", employer_id="A", hired_date="2023-02-01"),
        dict(id_number="330502199001041234", name="丁", township_code="T1", employer_id="Y", hired_date="2019-01-01",
             certified_date="2023-05-01", left_date="2023-06-01"),
        dict(id_number="330502199001051234", name="戊", township_code="T2", employer_id="Y", hired_date="2023-08-01"),
    ])


@pytest.fixture
def areas():
    return make_areas()


@pytest.fixture
def names(areas):
    return area_names(areas)


@pytest.fixture
def centres():
    return make_centres()


@pytest.fixture
def meals():
    return make_meals()


@pytest.fixture
def inspections():
    return make_inspections()


@pytest.fixture
def institutions():
    return make_institutions()


@pytest.fixture
def carers():
    return make_carers()


def hand_data() -> dict[str, pd.DataFrame]:
    """Every dataset the report reads: the hand-made frames, the others empty."""
    made = dict(areas=make_areas(), care_centres=make_centres(), meal_coverage=make_meals(),
                safety_inspections=make_inspections(), institutions=make_institutions(), carers=make_carers())
    return {d: made.get(d, frame(d, [])) for d in programmes.datasets_read("eldercare")}


def evaluation(scope: str = "district", **params) -> ee.EldercareEvaluation:
    """The evaluation of the hand-made frames for the district or one township (甲镇, 乙街道), 2023H1."""
    return ee.evaluate(inputs_for(parse_params({"scope": scope, "period": "2023H1", **params}), "eldercare",
                                  hand_data()))


def planted_panel(n_never=20, sizes=(6, 6), starts=(6, 12), months=24, noise=0.0, seed=0) -> tuple[pd.DataFrame, dict]:
    """Centre x month panel: y = centre + month effects + tau(cohort, e), tau growing with e and
    larger for the earlier cohort; satisfaction = y / 100. Returns the panel and true effects."""
    rng = np.random.default_rng(seed)
    month = pd.date_range("2021-01-01", periods=months, freq="MS")
    rows = []
    first = [None] * n_never + [s for s, k in zip(starts, sizes) for _ in range(k)]
    for u, g in enumerate(first):
        alpha = 50 + 3 * u
        for t, m in enumerate(month):
            e = None if g is None else t - g
            tau = 0.0 if e is None or e < 0 else (10.0 if g == starts[0] else 4.0) + (1.0 if g == starts[0] else 0.5) * e
            y = alpha + 2 * np.sin(t) + 0.5 * t + tau + noise * rng.normal()
            rows.append(dict(centre_id=f"U{u:02d}", month=m, first_treated=pd.NaT if g is None else month[g],
                             service_person_times=y, satisfaction=y / 100, tau=tau, e=e))
    p = pd.DataFrame(rows)
    e = p["e"].astype(float)
    p["event_time"] = e
    p["treated"] = (e >= 0).astype(int)
    return p, {"att": p.loc[p["treated"] == 1, "tau"].mean(),
               "by_e": p[p["treated"] == 1].groupby("e")["tau"].mean()}
