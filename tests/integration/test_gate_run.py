"""The publication gate inside real runs: a leaking report is withheld, the sample's full run is clean."""

import json
import shutil

import pytest

from civmon.params import RunParams
from civmon.publish.gate_hook import gate_for_run
from civmon.data.source import load_data
from civmon.run.batch import run_batch
from civmon.run.jobs import NOTEBOOKS_DIR

from .conftest import civmon

pytestmark = pytest.mark.xdist_group("gate")


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gate-data")
    assert civmon("sample", "--out", folder).returncode == 0
    return folder


def test_a_leaking_report_is_withheld_and_the_others_published(tmp_path, data_copy):
    nbdir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, nbdir)
    nb = json.loads((nbdir / "relief_outcomes.ipynb").read_text())
    leak = ("import pandas as pd\n"
            f"raw = pd.read_csv({str(data_copy / 'relief_members.csv')!r}, dtype=str, nrows=1)\n"
            "print('户主', raw.loc[0, 'name'], raw.loc[0, 'id_number'])")
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": "leak",
                        "source": leak})
    (nbdir / "relief_outcomes.ipynb").write_text(json.dumps(nb))
    params = RunParams(data=str(data_copy), programmes=["relief", "migrants"], overview=False, formats=["html", "pdf"],
                       output_dir=str(tmp_path / "out"), run_name="gate")
    _, _, digests, _ = load_data(params.data)
    res = run_batch(params, data_digests=digests, areas=None, scopes=["district"], jobs=2, quiet=True,
                    notebooks_dir=nbdir, gate=gate_for_run(params))
    status = {r.programme: r for r in res.results}
    assert status["migrants"].status == "ok"
    relief = status["relief"]
    assert relief.status == "withheld"
    kinds = " ".join(relief.findings)
    assert "id_number" in kinds or "身份证" in kinds or "ID" in kinds
    raw = (data_copy / "relief_members.csv").read_text().splitlines()[1].split(",")
    assert all(raw[1] not in f and raw[2] not in f for f in relief.findings), "findings must not repeat values"
    assert (res.run_dir / "withheld" / "district" / "2023H1" / "relief").is_dir()
    assert not (res.run_dir / "district" / "2023H1" / "relief").exists()
    index = (res.run_dir / "index.html").read_text()
    assert "已拦截" in index
    assert res.failed == [relief]


def test_full_sample_run_district_and_every_township_passes_the_gate(tmp_path):
    params = RunParams(scope="all", formats=["html"], output_dir=str(tmp_path / "out"), run_name="all")
    data, _, digests, _ = load_data(params.data)
    res = run_batch(params, data_digests=digests, areas=data["areas"], jobs=2, quiet=True, gate=gate_for_run(params))
    assert len(res.results) == 15 * 4
    bad = [(r.label, r.status, r.error, r.findings) for r in res.results if r.status != "ok"]
    assert not bad, bad
