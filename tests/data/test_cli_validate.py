"""`civmon validate`, `civmon contracts` and `civmon template` on folders built in code."""

from __future__ import annotations

from typer.testing import CliRunner

from civmon.cli import app
from civmon.data.cache import CACHE_ENV
from civmon.data.pseudonymise import KEY_ENV
from civmon.data.spec import DATASETS

from .conftest import bad_checksum, write_csv

runner = CliRunner()


def _params(tmp_path, folder):
    p = tmp_path / "x.yaml"
    p.write_text(f"data: {folder}\nperiod: 2023Q1\n", encoding="utf-8")
    return p


def test_validate_prints_all_three_problems_and_exits_2(folder, tmp_path, tables, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "test-key")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    header, rows = tables["relief_payments"]
    rows[0][header.index("amount")] = "-5"
    rows[1][0] = "H7"
    write_csv(folder / "relief_payments.csv", header, rows)
    m_header, m_rows = tables["relief_members"]
    m_rows[0][1] = bad_checksum(m_rows[0][1])
    write_csv(folder / "relief_members.csv", m_header, m_rows)
    result = runner.invoke(app, ["validate", str(_params(tmp_path, folder))])
    assert result.exit_code == 2, result.output
    out = result.output
    assert "3 error(s)" in out
    assert "row 2, column id_number: bad ID number checksum" in out
    assert "row 2, column amount: negative amount '-5'" in out
    assert "row 3, column household_id: household_id not in relief_households 'H7'" in out
    assert m_rows[0][1] not in out


def test_validate_good_data_prints_one_line_per_dataset_and_the_reports_it_can_feed(folder, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "test-key")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    params = _params(tmp_path, folder)
    params.write_text(params.read_text() + "programmes: available\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(params)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    read = lines[lines.index("Datasets read:") + 1:lines.index("Reports:")]
    assert [ln.split()[0] for ln in read] == ["areas", "relief_households", "relief_members", "relief_payments",
                                              "child_subsidy"]
    assert "5 rows  month 2023-01-01 to 2023-03-31" in read[3]
    assert any(ln.split() == ["can", "run", "overview", "民政工作监测概览"] for ln in lines)
    assert any(ln.startswith("  cannot    relief") for ln in lines)


def test_validate_fails_when_a_named_report_lacks_its_datasets(folder, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "test-key")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    result = runner.invoke(app, ["validate", str(_params(tmp_path, folder))])
    assert result.exit_code == 2, result.output
    assert "relief: lacks" in result.output and "relief_standards" in result.output


def test_contracts_and_template_commands(tmp_path):
    result = runner.invoke(app, ["contracts"])
    assert result.exit_code == 0 and "### `relief_payments` 低收入对象救助金发放" in result.output
    result = runner.invoke(app, ["template", "--out", str(tmp_path / "t")])
    assert result.exit_code == 0
    assert len(list((tmp_path / "t").glob("*.xlsx"))) == len(DATASETS)
