"""KPI indicators: the value for the period label at district level, with the annual fallback."""

from __future__ import annotations

import math

import pandas as pd

from civmon.indicators.kpi import KPI_INDICATORS, kpi_value
from civmon.indicators.registry import REGISTRY
from civmon.period import Period


def kpi_frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": pd.array([r[0] for r in rows], dtype="string"),
        "period": pd.array([r[1] for r in rows], dtype="string"),
        "township_code": pd.array([r[2] for r in rows], dtype="string"),
        "value": [float(r[3]) for r in rows],
    })


KPI = kpi_frame([
    ("marriage_cert_reissued", "2023H1", None, 17590),
    ("marriage_cert_reissued", "2023H1", "330502001", 1200),  # a township row: not the district value
    ("marriage_cert_reissued", "2023", None, 36000),
    ("townships", "2023", "", 14),
    ("exam_reward_funds", " 2023H1 ", None, 136.75),  # labels are compared without surrounding spaces
])
H1 = Period.parse("2023H1")


def test_value_for_the_period_label_at_district_level():
    assert REGISTRY["marriage_cert_reissued"].compute({"kpi": KPI}, H1) == 17590
    assert REGISTRY["marriage_cert_reissued"].compute({"kpi": KPI}, Period.parse("2023")) == 36000
    assert REGISTRY["exam_reward_funds"].compute({"kpi": KPI}, H1) == 136.75


def test_annual_figures_serve_the_half_years_of_their_year():
    assert REGISTRY["townships"].compute({"kpi": KPI}, H1) == 14
    assert REGISTRY["townships"].compute({"kpi": KPI}, Period.parse("2023Q3")) == 14
    assert math.isnan(REGISTRY["townships"].compute({"kpi": KPI}, Period.parse("2022H1")))


def test_flows_do_not_fall_back_to_the_year():
    assert math.isnan(REGISTRY["marriage_cert_reissued"].compute({"kpi": KPI}, Period.parse("2023H2")))
    assert math.isnan(kpi_value(KPI, "marriage_cert_reissued", Period.parse("2023Q1")))


def test_township_scope_has_no_district_rows():
    township_only = KPI[KPI["township_code"].fillna("") != ""]
    assert math.isnan(REGISTRY["marriage_cert_reissued"].compute({"kpi": township_only}, H1))


def test_every_kpi_id_of_the_summary_is_registered():
    ids = {r[0] for r in KPI_INDICATORS}
    assert len(ids) == 15
    for id_ in ids:
        ind = REGISTRY[id_]
        assert ind.inputs == ("kpi",) and ind.programme in ("charity", "community", "affairs")
        assert ind.label_zh and ind.unit and "kpi" in ind.formula
