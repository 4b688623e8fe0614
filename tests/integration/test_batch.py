"""Batch runs for real: parallel jobs, isolated failures, incremental re-runs, and kill -9 safety."""

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from civmon.params import RunParams
from civmon.run.batch import run_batch
from civmon.run.jobs import NOTEBOOKS_DIR

from .conftest import CIVMON, ROOT, civmon

pytestmark = pytest.mark.xdist_group("batch")
TOWN = "330502009"  # 织里镇


@pytest.fixture(scope="module")
def data_copy(tmp_path_factory):
    """A private copy of the synthetic sample (files we may touch), with its digests and areas."""
    folder = tmp_path_factory.mktemp("data")
    res = civmon("sample", "--out", folder)
    assert res.returncode == 0, res.stderr
    return folder


def _params(tmp_path, data, **kw):
    values = dict(data=str(data), programmes=["relief", "migrants"], overview=False, formats=["html"],
                  output_dir=str(tmp_path / "out"), run_name="batch")
    values.update(kw)
    return RunParams(**values)


def _load(params):
    from civmon.data.source import load_data

    data, _, digests, _ = load_data(params.data)
    return digests, data["areas"]


def _job_dirs(run_dir: Path):
    return sorted(p.parent for p in run_dir.glob("*/*/*/job.json") if p.parts[-4] not in ("failed", "withheld"))


def test_parallel_matrix_then_incremental_reruns(tmp_path, data_copy):
    params = _params(tmp_path, data_copy)
    digests, areas = _load(params)
    first = run_batch(params, data_digests=digests, areas=areas, jobs=2, scopes=["district", TOWN], quiet=True)
    assert first.counts == {"ok": 4}
    assert len(_job_dirs(first.run_dir)) == 4
    for r in first.results:
        assert (first.run_dir / r.rel_dir / r.outputs["html"]).exists()

    again = run_batch(params, data_digests=digests, areas=areas, jobs=2, scopes=["district", TOWN], quiet=True)
    assert again.counts == {"skipped": 4}, "an unchanged re-run must execute nothing"

    changed = {**digests, "migrant_payments": "0" * 64}  # what a corrected migrants extract looks like to the keys
    third = run_batch(params, data_digests=changed, areas=areas, jobs=2, scopes=["district", TOWN], quiet=True)
    rerun = sorted((r.scope, r.programme) for r in third.results if r.status == "ok")
    assert rerun == [("330502009", "migrants"), ("district", "migrants")]
    assert third.counts == {"ok": 2, "skipped": 2}
    plan = [("district", "relief"), ("district", "migrants"), (TOWN, "relief"), (TOWN, "migrants")]
    assert [(r.scope, r.programme) for r in third.results] == plan, "results in plan order, not completion order"
    import pandas as pd

    rows = pd.read_csv(third.run_dir / "indicators.csv")
    assert list(dict.fromkeys(zip(rows["scope"], rows["programme"]))) == plan


def test_a_failing_notebook_is_isolated_and_kept(tmp_path, data_copy):
    nbdir = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, nbdir)
    nb = json.loads((nbdir / "migrant_support.ipynb").read_text())
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": "boom",
                        "source": "raise RuntimeError('planted failure')"})
    (nbdir / "migrant_support.ipynb").write_text(json.dumps(nb))
    params = _params(tmp_path, data_copy)
    digests, areas = _load(params)
    res = run_batch(params, data_digests=digests, areas=areas, jobs=2, scopes=["district"], quiet=True,
                    notebooks_dir=nbdir)
    status = {r.programme: r for r in res.results}
    assert status["relief"].status == "ok" and status["migrants"].status == "failed"
    assert "RuntimeError: planted failure" in status["migrants"].error
    kept = res.run_dir / "failed" / "district" / "2023H1" / "migrants" / "migrants-district-2023H1.ipynb"
    assert "planted failure" in kept.read_text()
    assert not (res.run_dir / "district" / "2023H1" / "migrants").exists()


def test_cli_exit_code_1_on_failure_and_good_report_survives(tmp_path, data_copy):
    good = _params(tmp_path, data_copy, programmes=["relief"])
    digests, areas = _load(good)
    ok = run_batch(good, data_digests=digests, areas=areas, jobs=1, scopes=["district"], quiet=True)
    html = ok.run_dir / "district" / "2023H1" / "relief" / "relief-district-2023H1.html"
    before = html.read_bytes()
    nbdir = tmp_path / "nb2"
    shutil.copytree(NOTEBOOKS_DIR, nbdir)
    nb = json.loads((nbdir / "relief_outcomes.ipynb").read_text())
    nb["cells"].insert(3, {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "id": "boom",
                           "source": "raise ValueError('broken re-run')"})
    (nbdir / "relief_outcomes.ipynb").write_text(json.dumps(nb))
    bad = run_batch(good, data_digests=digests, areas=areas, jobs=1, scopes=["district"], quiet=True,
                    notebooks_dir=nbdir)
    assert bad.counts == {"failed": 1}
    assert html.read_bytes() == before, "a failed re-run must not replace the good report"


def test_kill_9_leaves_no_partial_report_and_the_next_run_resumes(tmp_path, data_copy):
    p = tmp_path / "kill.yaml"
    p.write_text(f"data: {data_copy}\nprogrammes: [relief, eldercare, migrants]\noverview: false\nformats: [html]\n"
                 f"output_dir: {tmp_path / 'out'}\nrun_name: killed\n", encoding="utf-8")
    run_dir = tmp_path / "out" / "killed"
    proc = subprocess.Popen([CIVMON, "run", str(p), "--jobs", "1", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and not _job_dirs(run_dir):
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = _job_dirs(run_dir)
    assert 1 <= len(finished) < 3, "kill should land mid-batch"
    for d in run_dir.glob("*/*/*"):
        if d.parts[-3] in ("failed", "withheld") or not d.is_dir():
            continue
        rec = json.loads((d / "job.json").read_text())  # a report folder is complete or absent
        assert all((d / name).exists() for name in rec["outputs"].values())
    res = civmon("run", p, "--jobs", "2")
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{len(finished)} unchanged (skipped)" in res.stdout
    assert len(_job_dirs(run_dir)) == 3


def test_plain_launcher_fallback_gives_the_same_report(tmp_path, data_copy):
    params = _params(tmp_path, data_copy, programmes=["relief"])
    digests, areas = _load(params)
    plain = run_batch(params, data_digests=digests, areas=areas, jobs=1, scopes=["district"], quiet=True,
                      launcher="plain")
    forked = run_batch(params, data_digests=digests, areas=areas, jobs=1, scopes=["district"], quiet=True,
                       launcher="fork", force=True)
    assert plain.counts == forked.counts == {"ok": 1}
    values = [{r["indicator_id"]: r["value"] for r in res.results[0].indicators} for res in (plain, forked)]
    assert values[0] == values[1] and len(values[0]) > 10
