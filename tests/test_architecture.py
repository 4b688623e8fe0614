"""The package's shape: imports run one way through the layers, with no cycle; phrasing computes
nothing; every dataset belongs to one programme of the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from civmon import programmes
from civmon.data.spec import DATASETS

LIB = Path(__file__).resolve().parents[1] / "lib" / "civmon"

# Lower layers never import higher ones (docs/architecture.md). Keys are civmon's top-level modules.
LAYERS = {
    "__init__": 0, "errors": 0, "programmes": 0, "period": 0, "yamllines": 0, "xlsx": 0,
    "stats": 1, "indicators": 1, "disclosure": 1,
    "data": 2, "sample": 2,
    "params": 3,
    "evaluation": 4,
    "report": 5, "plots": 5,
    "publish": 6,
    "run": 7,
    "cli": 8,
}


def module_name(path: Path) -> str:
    rel = path.relative_to(LIB.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """civmon modules imported anywhere in a file (module level and inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("civmon")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("civmon"):
                continue
            for a in node.names:  # `from civmon.report import relief` imports the submodule
                sub = f"{base}.{a.name}"
                out.add(sub if (LIB.parent / Path(*sub.split("."))).with_suffix(".py").exists()
                        or (LIB.parent / Path(*sub.split(".")) / "__init__.py").exists() else base)
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in LIB.rglob("*.py")}


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return LAYERS[top]


def test_every_module_has_a_layer(graph):
    unknown = {m for m in graph if (m.split(".")[1] if "." in m else "__init__") not in LAYERS}
    assert not unknown


def test_imports_run_one_way_through_the_layers(graph):
    upward = sorted(f"{m} -> {i}" for m, deps in graph.items() for i in deps if i in graph and layer(i) > layer(m))
    assert not upward, "\n".join(upward)


def test_no_import_cycle(graph):
    state: dict[str, int] = {}
    cycles = []

    def visit(m, stack):
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if d not in graph or d == m or m.startswith(d + "."):  # a package's own __init__ is not a cycle
                continue
            if state.get(d) == 1:
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert not cycles, "\n".join(cycles)


# --- phrasing computes nothing -------------------------------------------------------------------

COMPUTING_CALLS = {"groupby", "merge", "pivot_table", "pivot", "crosstab", "agg", "aggregate", "resample",
                   "value_counts", "rolling", "fit", "compute", "evaluate"}
COMPUTING_MODULES = ("civmon.stats", "civmon.indicators", "statsmodels", "scipy", "lifelines", "pyfixest")


def computing_in(path: Path) -> list[str]:
    """Aggregations, merges, estimator or indicator calls and estimator imports in a module's source."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in COMPUTING_CALLS:
                found.append(f"line {node.lineno}: {name}()")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"line {node.lineno}: import {m}" for m in mods if m.startswith(COMPUTING_MODULES)]
    return found


@pytest.mark.parametrize("pid", list(programmes.CATALOGUE))
def test_phrasing_modules_compute_nothing(pid):
    module = programmes.get(pid).phrasing
    path = LIB.parent / Path(*module.split(".")).with_suffix(".py")
    assert computing_in(path) == []


def test_the_check_finds_computation():
    sample = LIB.parent.parent / "tests" / "_computing_sample.py"
    sample.write_text("import pandas as pd\nfrom civmon.stats import its\n\ndef f(d):\n"
                      "    return d.groupby('a').sum().merge(d)\n", encoding="utf-8")
    try:
        assert computing_in(sample) == ["line 2: import civmon.stats", "line 5: merge()", "line 5: groupby()"]
    finally:
        sample.unlink()


# --- the catalogue ---------------------------------------------------------------------------------

def test_every_dataset_belongs_to_exactly_one_programme():
    owners = {}
    for p in programmes.CATALOGUE.values():
        for d in p.datasets:
            owners.setdefault(d, []).append(p.id)
    for d in programmes.SHARED_DATASETS:
        owners.setdefault(d, []).append("shared")
    assert {d: o for d, o in owners.items() if len(o) != 1} == {}
    assert set(owners) == set(DATASETS)


def test_each_catalogue_entry_names_real_modules_notebooks_and_indicators():
    from civmon.indicators import all_indicators

    reg = all_indicators()
    notebooks = LIB.parents[1] / "notebooks"
    for p in programmes.CATALOGUE.values():
        assert (notebooks / p.notebook).exists(), p.notebook
        assert hasattr(p.evaluation_module(), "evaluate"), p.evaluation
        p.phrasing_module()
        assert set(p.report_ids) <= set(reg), p.id
