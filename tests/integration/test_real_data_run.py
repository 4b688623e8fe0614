"""Runs on a bureau's own exports: the same indicators as the sample, partial data, and a failed run
that leaves its problems in a workbook."""

import json

import openpyxl
import pytest


from exports import bureau_exports, relief_only, sample_with_cells
from .conftest import civmon

pytestmark = pytest.mark.xdist_group("default_run")


def params(tmp_path, folder, extra=""):
    """params/default.yaml (its targets too) on another data folder, HTML only."""
    import yaml

    from .conftest import ROOT

    values = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))
    values.update(data=str(folder), formats=["html"], **(yaml.safe_load(extra) or {}))
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return p


def test_a_bureaus_exports_give_exactly_the_samples_indicators(default_run, tmp_path):
    folder = bureau_exports(tmp_path / "bureau")
    res = civmon("run", params(tmp_path, folder), "--out", tmp_path / "out")
    assert res.returncode == 0, res.stdout + res.stderr
    run = tmp_path / "out" / "330502-2023H1"
    assert (run / "indicators.csv").read_bytes() == (default_run / "indicators.csv").read_bytes()
    manifest = json.loads((run / "manifest.json").read_text())
    tables = {t["table"]: (t["dataset"], t["how"]) for t in manifest["input_tables"]}
    assert tables["2023年上半年低保资金发放明细.csv"] == ("relief_payments", "headers")


def test_programmes_available_runs_what_a_relief_only_folder_feeds(tmp_path):
    folder = relief_only(tmp_path / "relief")
    named = civmon("run", params(tmp_path, folder), "--out", tmp_path / "out")
    assert named.returncode == 2 and "eldercare: lacks care_centres" in named.stderr
    assert not (tmp_path / "out" / "330502-2023H1" / "district").exists()
    res = civmon("run", params(tmp_path, folder, "programmes: available\n"), "--out", tmp_path / "out")
    assert res.returncode == 0, res.stdout + res.stderr
    run = tmp_path / "out" / "330502-2023H1"
    jobs = json.loads((run / "manifest.json").read_text())["jobs"]
    assert sorted(j["programme"] for j in jobs) == ["overview", "relief"]
    index = (run / "index.html").read_text()
    assert "养老服务设施提升评估（eldercare）未运行：数据中缺少 care_centres" in index
    assert "left out: 水库移民后期扶持监测评估（migrants）" in (run / "run.log").read_text()
    overview = (run / "district" / "2023H1" / "overview" / "overview-district-2023H1.html").read_text()
    assert "本次数据不含养老服务、水库移民后期扶持的业务记录" in overview
    assert "本次数据不含其他工作指标台账（kpi）" in overview and "照料中心累计服务老人人次" not in overview


def test_a_run_on_bad_data_runs_nothing_and_leaves_the_problems_in_a_workbook(tmp_path):
    folder = sample_with_cells(tmp_path / "bad", "alliance_needs", "need_type", "=1+1", 4)
    res = civmon("run", params(tmp_path, folder), "--out", tmp_path / "out")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    run = tmp_path / "out" / "330502-2023H1"
    assert not (run / "district").exists()
    ws = openpyxl.load_workbook(run / "data-problems.xlsx").active
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert values.count("=1+1") == 4
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
