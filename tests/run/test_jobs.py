"""Job matrix and incremental keys."""

from civmon.params import RunParams
from civmon.run.execute import is_current, swap_into_place
from civmon.programmes import datasets_read
from civmon.run.jobs import job_key, plan_jobs


def test_matrix_is_scopes_by_periods_by_programmes_plus_overview():
    p = RunParams(programmes=["relief", "migrants"], overview=True)
    jobs = plan_jobs(p, ["district", "330502001"], ["2023H1", "2022H2"])
    assert len(jobs) == 2 * 2 * 3
    assert {(j.scope, j.period, j.programme) for j in jobs} >= {("330502001", "2022H2", "overview")}
    assert all(j.params["scope"] == j.scope and j.params["period"] == j.period for j in jobs)


def test_each_programme_reads_its_own_datasets_and_the_overview_reads_all():
    assert "relief_payments" in datasets_read("relief") and "areas" in datasets_read("relief")
    assert "migrant_payments" not in datasets_read("relief")
    assert set(datasets_read("relief")) | set(datasets_read("migrants")) <= set(datasets_read("overview"))


def test_key_changes_only_with_what_the_job_reads():
    p = RunParams(programmes=["relief", "migrants"], overview=False)
    relief, migrants = plan_jobs(p, ["district"], ["2023H1"])
    digests = {n: "a" for n in datasets_read("overview")}
    k_relief, k_migrants = job_key(relief, digests, ("html",)), job_key(migrants, digests, ("html",))
    changed = {**digests, "migrant_payments": "b"}
    assert job_key(relief, changed, ("html",)) == k_relief
    assert job_key(migrants, changed, ("html",)) != k_migrants
    assert job_key(relief, digests, ("html", "pdf")) != k_relief
    other = plan_jobs(RunParams(programmes=["relief"], overview=False, disclosure_threshold=10), ["district"], ["2023H1"])[0]
    assert job_key(other, digests, ("html",)) != k_relief


def test_swap_replaces_a_folder_whole(tmp_path):
    final, staging = tmp_path / "out" / "job", tmp_path / "staging"
    final.mkdir(parents=True)
    (final / "old.html").write_text("old")
    staging.mkdir()
    (staging / "new.html").write_text("new")
    swap_into_place(staging, final, tmp_path / "trash")
    assert sorted(p.name for p in final.iterdir()) == ["new.html"]
    assert not staging.exists() and not any((tmp_path / "trash").iterdir())


def test_is_current_needs_same_key_ok_status_and_files(tmp_path):
    import json

    job = plan_jobs(RunParams(programmes=["relief"], overview=False), ["district"], ["2023H1"])[0]
    job.key = "k1"
    d = tmp_path / job.rel_dir
    d.mkdir(parents=True)
    (d / "job.json").write_text(json.dumps({"status": "ok", "key": "k1", "outputs": {"html": "r.html"}}))
    assert is_current(job, tmp_path) is None  # output file missing
    (d / "r.html").write_text("x")
    assert is_current(job, tmp_path)["key"] == "k1"
    job.key = "k2"
    assert is_current(job, tmp_path) is None
