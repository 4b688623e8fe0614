"""Hand-made migrant frames with hand-computed answers, the generated sample, and evaluations of
them: shared by the evaluation tests (numbers) and the phrasing tests (text)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from civmon import programmes
from civmon.data.pseudonymise import SAMPLE_KEY, pseudonymise
from civmon.data.spec import DATASETS
from civmon.evaluation import migrants as em
from civmon.evaluation.inputs import inputs_for
from civmon.params import parse_params
from civmon.period import Period
from civmon.sample import migrants as sample_migrants
from civmon.sample.geography import build_areas

from frames import frame, pid

H1 = Period.parse("2023H1")
SEED = 20230630

AREAS = pd.DataFrame({"area_code": ["T1", "T2", "V1", "V2", "V3"], "area_name": ["甲镇", "乙镇", "一村", "二村", "三村"],
                      "level": ["township", "township", "village", "village", "village"],
                      "parent_code": [None, None, "T1", "T1", "T2"]})
# A third township without migrants, for the scope tests.
SCOPE_AREAS = pd.DataFrame({"area_code": ["T1", "T2", "T3", "V1", "V2", "V3"],
                            "area_name": ["甲镇", "乙镇", "丙镇", "一村", "二村", "三村"],
                            "level": ["township"] * 3 + ["village"] * 3,
                            "parent_code": [None] * 3 + ["T1", "T1", "T2"]})
DATASETS_READ = programmes.get("migrants").datasets


def person(i, hh, town="T1", village="V1", **kw):
    base = dict(id_number=pid(i), name=f"人{i}", household_id=hh, township_code=town, village_code=village,
                eligible=True, registered_date="2006-07-01")
    base.update(kw)
    return base


def register() -> pd.DataFrame:
    return frame("migrant_register", [
        person(1, "H1"),                                                   # paid in full (T1)
        person(2, "H1"),                                                   # unpaid (T1)
        person(3, "H2", village="V2"),                                     # paid twice (T1, V2)
        person(4, "H3", town="T2", village="V3"),                          # paid 300 (T2)
        person(5, "H4", town="T2", village="V3", event_date="2022-10-01", removal_date="2023-05-01",
               removal_reason="death"),                                    # paid after death (T2)
        person(6, "H4", town="T2", village="V3"),                          # paid in full, late (T2)
        person(7, "H5", event_date="2023-02-01", removal_date="2023-03-10", removal_reason="death"),  # 37 days
        person(8, "H5", event_date="2023-01-10", removal_date="2023-06-20", removal_reason="moved"),  # 161 days
        person(9, "H6", removal_date="2023-04-01", removal_reason="other"),
    ])


def payments() -> pd.DataFrame:
    rows = [(1, "T1", 600, "2023-03-15"), (3, "T1", 600, "2023-03-15"), (3, "T1", 600, "2023-05-20"),
            (4, "T2", 300, "2023-05-10"), (5, "T2", 600, "2023-05-10"), (6, "T2", 600, "2023-05-12"),
            (7, "T1", 600, "2023-03-16"), (8, "T1", 600, "2023-03-16"), (9, "T1", 600, "2023-03-16")]
    return frame("migrant_payments", [dict(payment_id=f"P{j}", id_number=pid(i), township_code=t, year=2023,
                                           amount=float(a), paid_date=d) for j, (i, t, a, d) in enumerate(rows)])


def projects() -> pd.DataFrame:
    def p(pid_, year, budget, spent, ps, pf, as_=None, af=None, acc=None):
        return dict(project_id=pid_, project_name=f"{pid_}村项目", project_type="infrastructure", township_code="T1",
                    village_code="V1", year=year, budget=float(budget), spent=float(spent), planned_start=ps,
                    planned_finish=pf, actual_start=as_, actual_finish=af, acceptance=acc)
    return frame("migrant_projects", [
        p("A", 2023, 100_000, 100_000, "2023-02-01", "2023-05-01", "2023-02-01", "2023-04-20", "passed"),
        p("B", 2023, 200_000, 150_000, "2023-03-01", "2023-06-01", "2023-03-20", "2023-06-20", "failed"),
        p("C", 2023, 300_000, 60_000, "2023-05-01", "2023-06-15", "2023-05-01", "2023-08-01", "passed"),
        p("D", 2023, 400_000, 0, "2023-08-01", "2023-12-01"),
        p("E", 2022, 999_999, 0, "2022-08-01", "2022-12-01", "2022-08-01", "2022-11-01", "passed"),
    ])


def delayed_projects() -> pd.DataFrame:
    """G should have started, H should have finished, K is not due yet (at 30 June 2023)."""
    def p(pid_, ps, pf, as_=None):
        return dict(project_id=pid_, project_name=f"{pid_}村项目", project_type="training", township_code="T1",
                    village_code="V1", year=2023, budget=1.0, spent=0.0, planned_start=ps, planned_finish=pf,
                    actual_start=as_)
    return frame("migrant_projects", [p("G", "2023-06-01", "2023-09-01"),
                                      p("H", "2023-02-01", "2023-05-01", "2023-02-10"),
                                      p("K", "2023-07-01", "2023-09-01")])


def complete(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every dataset the evaluation reads (empty where not given), with the scope test's areas."""
    return {**{n: frame(n, []) for n in DATASETS_READ}, **data, "areas": SCOPE_AREAS}


def evaluation(data: dict[str, pd.DataFrame], scope: str = "district", **params) -> em.MigrantsEvaluation:
    """The evaluation of hand-made frames for the district or one township of SCOPE_AREAS."""
    return em.evaluate(inputs_for(parse_params({"scope": scope, **params}), "migrants", complete(data)))


@lru_cache(maxsize=1)
def sample() -> tuple[dict, dict[str, pd.DataFrame]]:
    """The generated sample's migrant frames (pseudonymised) and its planted truth."""
    parts = sample_migrants.generate(build_areas(SEED), np.random.default_rng([SEED, 3]), 1.0)
    data = {k: pseudonymise(v, DATASETS[k], SAMPLE_KEY) for k, v in parts.frames.items()}
    return parts.truth, data
