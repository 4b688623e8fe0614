"""The written sample: files as a bureau hands them over, the cache, determinism, truth, privacy,
and the 2023H1 calibration computed end to end from the files through civmon's own reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from civmon import programmes
from civmon.data import load
from civmon.data.pseudonymise import SAMPLE_KEY, is_valid_id, pseudonymise
from civmon.data.spec import DATASETS
from civmon.indicators import all_indicators
from civmon.period import Period
from civmon.sample import cache_root, sample_dir, source_hash
from civmon.sample import kpi as sample_kpi
from civmon.sample import relief_roster as R
from civmon.sample.generate import DEFAULT_SEED, MARKER, build_sample, file_name, generate_sample

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "seed_h1_2023_figures.csv"
MY_DOMAINS = ("relief", "charity", "community", "affairs")
PERSONAL = ("id_number", "name", "phone")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return sample_dir(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def loaded(folder):
    res = load(folder, key=SAMPLE_KEY, use_cache=False)
    assert res.report.ok, res.report.format()
    return res.data


def reference() -> pd.DataFrame:
    if not REFERENCE.exists():
        pytest.skip(f"reference figures not found at {REFERENCE}")
    return pd.read_csv(REFERENCE)


def check_calibration(data: dict[str, pd.DataFrame]) -> None:
    """Every relief and KPI figure of the summary, computed for 2023H1 by the registered indicators."""
    registry = all_indicators()
    h1 = Period.parse("2023H1")
    rows = reference()
    rows = rows[rows.domain.isin(MY_DOMAINS)]
    assert len(rows) == 29
    for row in rows.itertuples():
        got = registry[row.indicator_id].compute(data, h1)
        if row.bound == "exact":
            assert got == row.value, f"{row.indicator_id}: {got} != {row.value}"
        else:
            assert got >= row.value, f"{row.indicator_id}: {got} < {row.value}"


def test_calibration_end_to_end_from_the_files(loaded):
    check_calibration(loaded)


def test_sample_dir_generates_once_and_reuses(folder, monkeypatch, tmp_path):
    assert folder.name == f"sample-{DEFAULT_SEED}-1-{source_hash()}"
    stamp = (folder / MARKER).stat().st_mtime_ns
    assert sample_dir(cache_dir=folder.parent) == folder
    assert (folder / MARKER).stat().st_mtime_ns == stamp
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp folder left
    monkeypatch.setenv("CIVMON_CACHE", str(tmp_path))
    assert cache_root() == tmp_path
    monkeypatch.delenv("CIVMON_CACHE")
    assert cache_root() == Path.home() / ".cache" / "civmon"


def test_files_look_like_a_bureaus(folder):
    names = {p.name for p in folder.iterdir()}
    assert {MARKER, "truth.json", "README.md"} <= names
    assert "synthetic" in (folder / "README.md").read_text(encoding="utf-8").lower()
    for ds in ("areas", "relief_households", "relief_payments", "temp_relief", "kpi", "disability_subsidy"):
        assert file_name(ds) in names
    # GB18030 with Chinese headers and values, dates like 2023/1/5, thousands separators
    raw = (folder / "temp_relief.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gb18030")
    header = text.splitlines()[0].split(",")
    assert header[:2] == ["救助编号", "申请人身份证号"]
    assert "疾病" in text and "/1/" in text and '"5,000.00"' in text
    # UTF-8 with English headers
    assert (folder / "relief_payments.csv").read_text(encoding="utf-8").startswith("household_id,month,")
    # Excel with Chinese headers and real dates
    ws = openpyxl.load_workbook(folder / "relief_standards.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("类别", "执行日期", "标准（元/人/月）")
    assert {r[0] for r in rows[1:]} == {"低保", "低保边缘", "特困"}
    assert all(hasattr(r[1], "year") for r in rows[1:])


def test_same_seed_gives_byte_identical_files(folder, tmp_path):
    again = generate_sample(tmp_path / "again")
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    for name in files:
        assert (folder / name).read_bytes() == (again / name).read_bytes(), name


def test_another_seed_gives_different_files(folder, tmp_path):
    other = generate_sample(tmp_path / "other", seed=7)
    differ = [p.name for p in folder.iterdir()
              if p.suffix in (".csv", ".xlsx") and p.read_bytes() != (other / p.name).read_bytes()]
    for name in ("relief_households.csv", "relief_payments.csv", "temp_relief.csv", "one_stop_cases.csv",
                 "disability_subsidy.csv", "kpi.csv", "areas.csv"):
        assert name in differ
    res = load(other, key=SAMPLE_KEY, use_cache=False)
    assert res.report.ok, res.report.format()
    check_calibration(res.data)


def test_truth_file_matches_the_generator(folder):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == DEFAULT_SEED and truth["scale"] == 1.0 and truth["synthetic"] is True
    rel = truth["relief"]
    assert rel["survival"]["hazard_ratios"] == R.HAZARD_RATIOS
    assert rel["standards"]["dibao"] == [list(x) for x in R.DIBAO_STANDARDS]
    assert rel["its"]["planted"]["induced_batch"] == R.INDUCED_BATCH
    assert len(rel["its"]["caseload"]) == 36
    assert truth["kpi"]["reference_values"] == {k: v[0] for k, v in sample_kpi.SEED_VALUES.items()}
    assert truth["kpi"]["at_least_values"]["tomb_sweeping_visitors"] > 210000
    assert truth["files"]["temp_relief"] == "temp_relief.csv"


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    return build_sample()[0]


def test_id_numbers_are_valid_and_never_shared_between_programmes(raw):
    by_programme: dict[str, set[str]] = {}
    for name, frame in raw.items():
        for col in DATASETS[name].columns:
            if col.kind == "id_number" and col.name in frame.columns:
                values = set(frame[col.name].dropna().astype(str))
                by_programme.setdefault(programmes.owner(name), set()).update(values)
    assert "relief" in by_programme
    owners = list(by_programme)
    for i, a in enumerate(owners):
        assert all(is_valid_id(v) and v.startswith("330502") for v in by_programme[a]), a
        for b in owners[i + 1:]:
            assert not by_programme[a] & by_programme[b], (a, b)


def test_raw_personal_data_never_reach_the_frames(raw, loaded):
    secrets: set[str] = set()
    for name, frame in raw.items():
        for col in DATASETS[name].columns:
            if col.kind in PERSONAL and col.name in frame.columns:
                secrets |= set(frame[col.name].dropna().astype(str))
    assert len(secrets) > 10_000
    pseudo = {n: pseudonymise(f, DATASETS[n], SAMPLE_KEY) for n, f in raw.items()}
    for source in (pseudo, loaded):
        for name, frame in source.items():
            for col in frame.columns:
                s = frame[col]
                if s.dtype == object or isinstance(s.dtype, (pd.StringDtype, pd.CategoricalDtype)):
                    values = set(s.dropna().astype(str).unique())
                    assert not values & secrets, f"{name}.{col} holds raw personal data"
