"""Repository hygiene: committed notebooks carry no outputs; conda and pip environments agree."""

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip", "font-ttf-noto-cjk", "poppler"}  # system parts pip cannot provide


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_notebooks_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path.name} has outputs: strip them before committing"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_notebooks_have_a_parameters_cell_first_among_code_cells():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0].get("metadata", {}).get("tags", []), path.name
        assert re.search(r"^run_params = \{\}$", "".join(code[0]["source"]), re.M), path.name


def test_notebooks_define_no_functions():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            src = "".join(cell["source"])
            if cell["cell_type"] == "code":
                assert not re.search(r"^\s*(def|class)\s", src, re.M), f"{path.name} defines a function or class"


def test_notebook_cells_show_one_element_with_one_call():
    """Past the parameters and setup cells, each code cell is one call with positional arguments:
    no conditions, loops, assignments or keyword arguments (those belong in the phrasing module)."""
    import ast

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if cell["cell_type"] != "code" or {"parameters", "civmon-setup"} & set(tags):
                continue
            src = "".join(cell["source"])
            body = ast.parse(src).body
            ok = len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
                and not body[0].value.keywords
            assert ok, f"{path.name}: {src!r} is not one call"


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pip_names |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            conda_names |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
        else:
            conda_names.add(_name(dep))
    assert conda_names - CONDA_ONLY == pip_names


def test_outputs_folder_holds_only_its_readme_in_git():
    ignore = (ROOT / ".gitignore").read_text()
    assert "/outputs/*" in ignore and "!/outputs/README.md" in ignore
