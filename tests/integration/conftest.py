"""Integration fixtures: the real sample, real papermill runs, real exports, in a private cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CIVMON = str(Path(sys.executable).parent / "civmon")
REFERENCE = ROOT.parent / "shared" / "reference" / "seed_h1_2023_figures.csv"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Sample and validated-data caches live in a per-session folder (kernels inherit it)."""
    old = os.environ.get("CIVMON_CACHE")
    os.environ["CIVMON_CACHE"] = str(tmp_path_factory.mktemp("civmon-cache"))
    yield Path(os.environ["CIVMON_CACHE"])
    if old is None:
        os.environ.pop("CIVMON_CACHE", None)
    else:
        os.environ["CIVMON_CACHE"] = old


def civmon(*args, check=False, timeout=600, **kw):
    """Run the real `civmon` command."""
    return subprocess.run([CIVMON, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          check=check, cwd=ROOT, **kw)


@pytest.fixture(scope="session")
def default_run(tmp_path_factory):
    """`civmon run params/default.yaml` into a temporary output root: the README's first command."""
    out = tmp_path_factory.mktemp("outputs")
    res = civmon("run", "params/default.yaml", "--out", out)
    assert res.returncode == 0, res.stdout + res.stderr
    return out / "330502-2023H1"


def html_table(html: str, caption: str):
    """The rendered report table whose caption starts with `caption`, as a DataFrame. A leading "表N "
    in `caption` matches any number (tests of numbering assert on the numbers themselves)."""
    import io
    import re

    import pandas as pd

    body = re.sub(r"^表\d+ ", "", caption)
    prefix = r"表\d+ " if body != caption else ""
    m = re.search(r'<table class="civmon-table"><caption>' + prefix + re.escape(body) + r".*?</table>", html,
                  flags=re.S)
    assert m, caption
    return pd.read_html(io.StringIO(m.group(0)), thousands=",")[0]
