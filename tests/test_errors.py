"""One error hierarchy: every civmon exception derives from CivmonError and carries its exit code;
the CLI exits with it, with a message and no traceback."""

import ast
import shutil
from pathlib import Path

from typer.testing import CliRunner

from civmon import errors
from civmon.cli import app

LIB = Path(__file__).resolve().parents[1] / "lib" / "civmon"
runner = CliRunner()


def exception_classes_outside_errors_module() -> list[tuple[str, str]]:
    """(module file, class name) of every class civmon defines whose name ends in Error."""
    out = []
    for path in LIB.rglob("*.py"):
        if path.name == "errors.py" and path.parent == LIB:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and (node.name.endswith(("Error", "Exception")) or any(
                    isinstance(b, ast.Name) and b.id.endswith("Error") for b in node.bases)):
                out.append((str(path.relative_to(LIB)), node.name))
    return out


def test_every_civmon_exception_derives_from_the_base():
    import importlib

    for rel, name in exception_classes_outside_errors_module():
        module = importlib.import_module("civmon." + rel.removesuffix(".py").replace("/", "."))
        assert issubclass(getattr(module, name), errors.CivmonError), (rel, name)


def test_bad_input_maps_to_exit_2_and_failures_to_exit_1():
    for cls in (errors.ParamsError, errors.PeriodError, errors.ScopeError, errors.DataValidationError,
                errors.DataSourceError, errors.MissingKeyError, errors.UnreadableFile, errors.MissingFontError):
        assert cls.exit_code == 2, cls
    for cls in (errors.EstimationError, errors.DisclosureError, errors.ExportError, errors.RunError):
        assert cls.exit_code == 1, cls


def test_old_builtin_bases_are_kept_for_callers_that_catch_them():
    assert issubclass(errors.ParamsError, ValueError) and issubclass(errors.EstimationError, ValueError)
    assert issubclass(errors.DataSourceError, FileNotFoundError) and issubclass(errors.RunError, RuntimeError)


def test_validate_a_missing_folder_exits_2_with_the_fix(tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text(f"data: {tmp_path / 'nowhere'}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(params)])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Set 'data'" in result.output
    assert "Traceback" not in result.output


def test_validate_real_data_without_the_key_exits_2_not_a_traceback(tmp_path, monkeypatch):
    from civmon.data.pseudonymise import KEY_ENV
    from civmon.sample import sample_dir

    folder = tmp_path / "bureau"
    shutil.copytree(sample_dir(), folder)
    (folder / "SYNTHETIC_SAMPLE").unlink()  # now it is "real" data, which needs the key
    monkeypatch.delenv(KEY_ENV, raising=False)
    params = tmp_path / "p.yaml"
    params.write_text(f"data: {folder}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(params)])
    assert result.exit_code == 2, result.output
    assert KEY_ENV in result.output and "Traceback" not in result.output
