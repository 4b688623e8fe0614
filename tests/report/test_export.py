"""Export of an executed notebook to the reviewer's HTML and PDF: real papermill, nbconvert and WeasyPrint."""

import re

import pytest

from civmon.report.export import SAMPLE_BANNER, export_notebook

from pdfutil import needs_poppler, pdf_fonts, pdf_text


@pytest.fixture(scope="module")
def exported(executed_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    return export_notebook(executed_demo, out, "demo", formats=("html", "pdf"))


class TestHtml:
    def test_no_code_prompts_or_parameters(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert "SECRET-SOURCE-CODE-MARKER" not in html
        assert "run_params" not in html and "injected-parameters" not in html
        assert "In&nbsp;[" not in html and "Out[" not in html
        assert "warning text" not in html

    def test_offline(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        assert "http://" not in html and "https://" not in html

    def test_title_block_banner_and_toc(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert "演示监测报告" in html and "2023年上半年" in html
        assert SAMPLE_BANNER in html
        toc = re.search(r"<nav[^>]*class=\"toc\"[^>]*>(.*?)</nav>", html, re.S).group(1)
        assert "一、主要指标" in toc and "2.1 月度趋势" in toc

    def test_tables_are_formatted(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert '<td class="num">1,119</td>' in html
        assert '<th class="num" scope="col">金额（万元）</th>' in html

    def test_captions_are_numbered_and_references_resolved_at_export(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert "<caption>表1 长表格跨页测试</caption>" in html
        assert '<figcaption class="chart-title">图1 低收入对象户数（按类别）</figcaption>' in html
        assert "各乡镇明细见表1，趋势见图1。" in html
        assert "civmon-no" not in html and "civmon-ref" not in html and "⟦" not in html

    def test_chart_is_embedded_png_with_source(self, exported):
        html = exported["html"].read_text(encoding="utf-8")
        assert 'src="data:image/png;base64,' in html
        assert "资料来源：演示数据" in html


@needs_poppler
class TestPdf:
    def test_chinese_text_and_headings(self, exported):
        text = pdf_text(exported["pdf"])
        assert "演示监测报告" in text
        assert "一、主要指标" in text and "二、图表" in text

    def test_fonts_embedded_cjk_no_type3(self, exported):
        fonts = pdf_fonts(exported["pdf"])
        rows = fonts.splitlines()[2:]
        assert any("CJK" in r for r in rows), fonts
        assert all(" yes " in r for r in rows), fonts  # emb column
        assert "Type 3" not in fonts

    def test_pages_numbered_and_marked_synthetic(self, exported):
        text = pdf_text(exported["pdf"])
        pages = text.split("\f")
        pages = [p for p in pages if p.strip()]
        assert len(pages) > 1
        for i, page in enumerate(pages, start=1):
            assert f"第 {i} 页，共 {len(pages)} 页" in page
            assert SAMPLE_BANNER in page

    def test_long_table_header_repeats(self, exported):
        pages = [p for p in pdf_text(exported["pdf"]).split("\f") if p.strip()]
        with_table = [p for p in pages if "号乡镇" in p]
        assert len(with_table) >= 2
        assert all("金额（万元）" in p for p in with_table)
