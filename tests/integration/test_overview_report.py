"""The overview report: targets from params show up with the right status, in the HTML and the tables."""

import pandas as pd
import pytest

from civmon.params import RunParams
from civmon.data.source import load_data
from civmon.run.batch import run_batch

pytestmark = pytest.mark.xdist_group("overview")


def test_targets_get_their_status(tmp_path):
    # 2023H1 district: 149 carers certified (target 140: met), meal coverage 92.5% (target 99: near,
    # 6.6% short), 72 needs resolved (target 100: not met); roster size has no better direction
    targets = {"certified_carers_new": 140, "meal_service_coverage": 99.0, "alliance_needs_resolved": 100,
               "lowincome_households": 3300}
    params = RunParams(programmes=[], overview=True, formats=["html"], targets=targets,
                       output_dir=str(tmp_path / "out"), run_name="ov")
    data, _, digests, _ = load_data(params.data)
    res = run_batch(params, data_digests=digests, areas=data["areas"], scopes=["district"], jobs=1, quiet=True)
    assert res.counts == {"ok": 1}, [r.error for r in res.results]
    ind = pd.read_csv(res.run_dir / "indicators.csv").set_index("indicator_id")
    assert ind.loc["certified_carers_new", "status"] == "met"
    assert ind.loc["meal_service_coverage", "status"] == "near"
    assert ind.loc["alliance_needs_resolved", "status"] == "not_met"
    assert ind.loc["lowincome_households", "status"] == "none"
    assert ind.loc["lowincome_households", "target"] == 3300
    assert ind.loc["temp_relief_funds", "status"] == "none"
    html = (res.run_dir / "district" / "2023H1" / "overview" / "overview-district-2023H1.html").read_text()
    for text in ("达标", "接近", "未达标", "总结公布数"):
        assert text in html
