"""The kpi table of the sample: the summary's figures for 2023, plausible and consistent other periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civmon.indicators.kpi import KPI_INDICATORS
from civmon.sample import kpi


def table(seed: int = 20230630) -> pd.DataFrame:
    return kpi.generate(None, np.random.default_rng([seed, 4])).frames["kpi"]


def test_reference_values_and_periods():
    df = table().set_index(["indicator_id", "period"])["value"]
    for id_, (value, label, _growth) in kpi.SEED_VALUES.items():
        if id_ in kpi.AT_LEAST:
            assert value < df[(id_, label)] < value * 1.05  # "21万余": above the bound, not far above
        else:
            assert df[(id_, label)] == value
    assert df[("townships", "2021")] == 14 and df[("administrative_villages", "2022")] == 230


def test_years_add_up_and_stocks_are_year_end_levels():
    df = table().set_index(["indicator_id", "period"])["value"]
    kinds = {r[0]: r[5] for r in KPI_INDICATORS}
    for id_, kind in kinds.items():
        for y in ("2021", "2022", "2023"):
            if kind == "annual":
                assert (id_, f"{y}H1") not in df.index
            elif kind == "stock":
                assert df[(id_, y)] == df[(id_, f"{y}H2")]
            else:
                assert abs(df[(id_, y)] - df[(id_, f"{y}H1")] - df[(id_, f"{y}H2")]) < 0.011


def test_other_periods_differ_but_stay_plausible():
    df = table().set_index(["indicator_id", "period"])["value"]
    ref = df[("marriage_cert_reissued", "2023H1")]
    others = [df[("marriage_cert_reissued", p)] for p in ("2021H1", "2022H1", "2022H2", "2023H2")]
    assert all(o != ref for o in others) and all(0.7 * ref < o < 1.3 * ref for o in others)
    assert (table()["township_code"].isna()).all()  # district-level rows
    assert not table(7)["value"].equals(table()["value"])
