"""The civmon command: help, version, and bad parameters stopped before any notebook starts."""

from typer.testing import CliRunner

import civmon
from civmon.cli import app

runner = CliRunner()


def test_help_lists_commands_with_descriptions():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in ("run", "validate", "sample", "contracts", "template", "export"):
        assert cmd in result.output
    assert "Run the reports a params file describes" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"civmon {civmon.__version__}"


def test_misspelled_key_exits_2_before_any_notebook(tmp_path):
    params = tmp_path / "x.yaml"
    params.write_text(f"peroid: 2023H1\noutput_dir: {tmp_path / 'out'}\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(params)])
    assert result.exit_code == 2
    assert "peroid" in result.output and str(params) in result.output and "line 1" in result.output
    assert "Did you mean 'period'?" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_bad_period_exits_2_and_lists_accepted_forms(tmp_path):
    params = tmp_path / "x.yaml"
    params.write_text(f"period: 2023H3\noutput_dir: {tmp_path / 'out'}\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(params)])
    assert result.exit_code == 2
    assert "2023H3" in result.output and "half-year (2023H1, 2023H2)" in result.output
    assert not (tmp_path / "out").exists()


def test_missing_params_file_exits_2(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "no such params file" in result.output


def test_params_lists_every_key():
    result = runner.invoke(app, ["params"])
    assert result.exit_code == 0
    assert "period" in result.output and "disclosure_threshold" in result.output


def test_scan_withholds_a_leaking_file_and_masks_the_value(tmp_path):
    from civmon.data.pseudonymise import id_checksum

    first17 = "33050219800101123"
    leaked = first17 + id_checksum(first17)
    (tmp_path / "report.html").write_text(f"<p>户主身份证 {leaked}</p>", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert "report.html" in result.output and leaked not in result.output


def test_scan_of_clean_outputs_exits_0(tmp_path):
    (tmp_path / "report.html").write_text("<p>全区在册低收入对象3,115户4,675人</p>", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 0, result.output
