"""In every exported report, district or township, tables and charts are numbered 1, 2, 3 ... without
a gap, and every "见表N" / "见图N" names a caption the report has."""

import re

import pytest

from civmon.programmes import CATALOGUE

from .conftest import civmon

pytestmark = pytest.mark.xdist_group("default_run")

TOWNSHIP = "330502009"  # 织里镇


@pytest.fixture(scope="session")
def township_run(tmp_path_factory):
    """`civmon run params/default.yaml --scopes 织里镇` (HTML only)."""
    out = tmp_path_factory.mktemp("township")
    params = out / "township.yaml"
    params.write_text("formats: [html]\nscope: 织里镇\n", encoding="utf-8")
    res = civmon("run", params, "--out", out)
    assert res.returncode == 0, res.stdout + res.stderr
    return out / "330502-2023H1"


def numbers(html: str, kind: str) -> list[int]:
    tag = r"<caption>" if kind == "表" else r'<figcaption class="chart-title">'
    return [int(n) for n in re.findall(tag + kind + r"(\d+) ", html)]


def check(html: str) -> None:
    for kind in ("表", "图"):
        got = numbers(html, kind)
        assert got == list(range(1, len(got) + 1)), (kind, got)
        refs = [int(n) for n in re.findall("见" + kind + r"(\d+)", html)]
        assert all(1 <= n <= len(got) for n in refs), (kind, refs, len(got))
    assert "⟦" not in html and "civmon-no" not in html and "civmon-ref" not in html


@pytest.mark.parametrize("prog", list(CATALOGUE))
def test_district_report_numbers_run_without_gaps(default_run, prog):
    check((default_run / "district" / "2023H1" / prog / f"{prog}-district-2023H1.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("prog", list(CATALOGUE))
def test_township_report_numbers_run_without_gaps(township_run, prog):
    html = (township_run / TOWNSHIP / "2023H1" / prog / f"{prog}-{TOWNSHIP}-2023H1.html").read_text(encoding="utf-8")
    check(html)
    assert numbers(html, "表")[:1] == [1]
