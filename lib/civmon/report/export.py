"""Export an executed notebook to a reviewer's HTML (civmon's nbconvert template) and a print PDF (WeasyPrint)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import asdict
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from civmon.report.captions import number_captions
from civmon.report.info import INDICATORS_MIME, REPORT_MIME, SAMPLE_BANNER, ReportInfo

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
HIDDEN_TAGS = ("parameters", "injected-parameters", "remove_cell", "civmon-setup")


class _DropCivmonOutputs(Preprocessor):
    """Remove civmon's machine-readable outputs and stderr streams from what is rendered."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    continue
                data = out.get("data", {})
                if REPORT_MIME in data or INDICATORS_MIME in data:
                    continue
                kept.append(out)
            cell.outputs = kept
        return cell, resources


def report_info(nb: nbformat.NotebookNode) -> ReportInfo:
    """The ReportInfo a notebook recorded (the first civmon report output), or defaults."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if REPORT_MIME in data:
                payload = data[REPORT_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                known = {k: v for k, v in payload.items() if k in ReportInfo.__dataclass_fields__}
                return ReportInfo(**known)
    return ReportInfo()


def recorded_indicators(nb: nbformat.NotebookNode) -> list[dict]:
    """Every indicator record the notebook displayed (see civmon.report.record_indicators)."""
    rows: list[dict] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if INDICATORS_MIME in data:
                payload = data[INDICATORS_MIME]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                rows.extend(payload.get("indicators", []))
    return rows


def _heading_toc(body: str) -> list[dict]:
    """Headings h2/h3 of the rendered body with their anchors, for the table of contents."""
    toc = []
    for m in re.finditer(r'<h([23])[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', body, flags=re.S):
        text = re.sub(r"<[^>]+>", "", m.group(3)).replace("¶", "").strip()
        toc.append({"level": int(m.group(1)), "anchor": m.group(2), "text": html.unescape(text)})
    return toc


def page_css(info: ReportInfo) -> str:
    """@page rules for print: A4, running header with the title, page x of y, sample notice."""
    notice = f'"{SAMPLE_BANNER}"' if info.synthetic else '""'
    title = f"{info.title} · {info.scope_label} · {info.period_label}".replace('"', "'")
    return f"""
@page {{
  size: A4; margin: 20mm 16mm 20mm 16mm;
  @top-left {{ content: "{title}"; font-size: 8.5pt; color: #5b6575; }}
  @top-right {{ content: {notice}; font-size: 8.5pt; color: #7a5a00; font-weight: 700; }}
  @bottom-center {{ content: "第 " counter(page) " 页，共 " counter(pages) " 页"; font-size: 8.5pt; color: #5b6575; }}
  @bottom-right {{ content: {notice}; font-size: 7.5pt; color: #7a5a00; }}
}}
"""


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(template_name="civmon", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True)
    exporter.register_preprocessor(_DropCivmonOutputs(), enabled=True)
    return exporter


def render_html(nb: nbformat.NotebookNode, info: ReportInfo | None = None) -> str:
    """The report's HTML: title block, table of contents, outputs only, tables and charts numbered;
    CSS inline, images embedded."""
    info = info or report_info(nb)
    css = (TEMPLATES_DIR / "civmon" / "report.css").read_text(encoding="utf-8") + page_css(info)
    resources = {"civmon": {**asdict(info), "css": css, "banner": SAMPLE_BANNER}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body = number_captions(body)
    items = "".join(
        f'<li class="toc-l{h["level"]}"><a href="#{h["anchor"]}">{html.escape(h["text"])}</a></li>'
        for h in _heading_toc(body))
    return body.replace("<!--civmon-toc-->", items, 1)


def html_to_pdf(html_text: str, pdf_path: Path) -> Path:
    """Render HTML to a PDF with WeasyPrint (print media, embedded subset fonts)."""
    from weasyprint import HTML

    HTML(string=html_text, base_url=str(pdf_path.parent)).write_pdf(str(pdf_path))
    return pdf_path


def export_notebook(nb_path: Path, out_dir: Path, stem: str, formats=("html", "pdf")) -> dict[str, Path]:
    """Write <stem>.html and/or <stem>.pdf for an executed notebook; return the paths written."""
    nb = nbformat.read(str(nb_path), as_version=4)
    text = render_html(nb)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if "html" in formats:
        p = out_dir / f"{stem}.html"
        p.write_text(text, encoding="utf-8")
        written["html"] = p
    if "pdf" in formats:
        written["pdf"] = html_to_pdf(text, out_dir / f"{stem}.pdf")
    return written
