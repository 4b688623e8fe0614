"""The contracts as documentation: a Markdown data dictionary and one Excel template per dataset.

Both are generated from the spec and the pandera contracts, so they cannot drift from what the
readers accept.
"""

from __future__ import annotations

from pathlib import Path

from civmon.data import contracts
from civmon.data import pseudonymise as ps
from civmon.data.parsing import expected_categories
from civmon.data.readers import header_aliases, normalise_header
from civmon.data.spec import DATASETS, Column, Dataset
from civmon.data.synonyms import COLUMN_SYNONYMS
from civmon.programmes import CATALOGUE, SHARED_DATASETS


KIND_TEXT = {
    "str": "text or code",
    "cat": "one of the listed values (English code or Chinese)",
    "int": "whole number",
    "num": "number",
    "money": "yuan, >= 0; thousands separators allowed",
    "date": "date: 2023-01-05, 2023/1/5, 2023年1月5日 or an Excel date",
    "month": "month: 2023-01, 2023/1 or 2023年1月",
    "bool": "是/否, Y/N, 1/0, true/false",
    "id_number": "18-character resident ID number; replaced on read by a keyed hash, birth date and sex",
    "name": "personal name; dropped on read",
    "phone": "phone number; dropped on read",
}

PREAMBLE = f"""# civmon data dictionary 数据字典

Generated from the data contracts (`civmon.data.spec` and `civmon.data.contracts`).

**Files.** Any file names. Each CSV, Parquet file and workbook sheet is recognised by its header
row (the file or sheet name helps: `relief_payments.csv` or `低收入对象救助金发放.xlsx` is taken at
its word); several datasets may share a workbook, one sheet each (hidden, empty and 说明 sheets are
set aside), and several files of one dataset (monthly exports) are stacked, rows repeated across
them kept once. Headers may be in Chinese or English, or any of the synonyms listed under each
dataset; a title row above the header, a header over two rows (a merged cell above sub-headers,
read as "parent child"), an English header row under the Chinese one (as in the templates) and
total and signature rows (合计, 制表人 ...) are handled. `civmon inspect FOLDER` shows what each
table was taken for; anything else goes into a mapping file `civmon-data.yaml` in the folder
(`civmon inspect FOLDER --write` starts one). CSV (UTF-8, UTF-8 with BOM or GB18030/GBK, detected
from the content), Excel `.xlsx` and Parquet are read. Township and village columns take the
code, the full name (织里镇) or the name without its suffix (织里).

**Rows.** Problems are reported with the row number Excel shows: the header is row 1, so the first
data row is row 2. Blank rows are ignored.

**Personal data.** ID numbers become keyed hashes (HMAC-SHA256, first {ps.KEY_LENGTH} hex characters;
`id_number` -> `person_key`, `x_id_number` -> `x_key`), with birth date and sex derived first;
names and phone numbers are dropped. The key comes from the environment variable
`{ps.KEY_ENV}` and never from a params file or a notebook. The synthetic sample (a folder holding a
file `SYNTHETIC_SAMPLE`) uses the fixed, published key `{ps.SAMPLE_KEY}`, which protects nothing.

**Required.** "yes": every row needs a value. "column only": the column must be present but cells
may be empty.

**Checks.** `civmon validate` reports every problem at once, with file, row, column, value and what
was expected. Errors stop a run: a missing column, a column twice, a cell that cannot be read as
its type, an empty required cell, a value out of range or a negative amount, a duplicate key, an ID
number with a bad check character (or a valid ID number in a column that is not an ID column), an
empty file, a row with the wrong number of fields or a truncated last line, a value missing from
the dataset it refers to (payments for households not on the roster), a township or village code
not in `areas` (or a village outside its township), a person in two roster households in the same
month, a date in the future or before 1950, and a month outside the data's coverage or a date long
after it. The coverage is the run of months of the monthly records (payments, subsidies, centre
services), ignoring months more than a year away from the rest, unless a run states it. Warnings go
into the reports' data-quality appendix: an extra column (ignored), a file with no data rows, a
file that does not end with a line break, a file whose name matches no dataset.
"""


def _allowed(c: Column) -> str:
    if c.kind == "cat":
        return expected_categories(c).removeprefix("one of ")
    parts = []
    if c.kind == "money":
        parts.append(">= 0")
    if c.min is not None and not (c.kind == "money" and c.min == 0):
        parts.append(f">= {c.min:g}")
    if c.max is not None:
        parts.append(f"<= {c.max:g}")
    return ", ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def synonyms_of(ds: Dataset) -> dict[str, list[str]]:
    """Column -> the synonyms a file of this dataset may use for it (those that name one column only)."""
    aliases = header_aliases(ds)
    return {c.name: [s for s in COLUMN_SYNONYMS.get(c.name, ()) if aliases.get(normalise_header(s)) == c.name
                     and normalise_header(s) != normalise_header(c.zh)] for c in ds.columns}


def dataset_markdown(ds: Dataset) -> str:
    """One dataset's section: description, file names, key, references and a column table."""
    lines = [f"### `{ds.name}` {ds.zh}", "", ds.description, "",
             f"- File: any name (recognised by its header); `{ds.name}.csv|xlsx|parquet` or "
             f"`{ds.zh}.csv|xlsx|parquet` is taken at its word"]
    if ds.key:
        lines.append(f"- One row per: {' + '.join(f'`{k}`' for k in ds.key)} (duplicates are errors)")
    for col, target in ds.references.items():
        lines.append(f"- `{col}` must appear in `{target}` when that dataset is present")
    if any(c.name == "township_code" for c in ds.columns):
        lines.append("- `township_code` (and `village_code`) must appear in `areas` when it is present")
    if ds.period_column:
        lines.append(f"- Period covered: `{ds.period_column}`")
    out_cols = contracts.output_columns(ds)
    lines.append(f"- Columns after reading: {', '.join(f'`{c}`' for c in out_cols)}")
    lines += ["", "| Column | 中文表头 | Also accepted | Type | Required | Allowed values | Description |",
              "|---|---|---|---|---|---|---|"]
    accepted = synonyms_of(ds)
    for c in ds.columns:
        req = "yes" if c.required else "column only"
        lines.append(f"| `{c.name}` | {_cell(c.zh)} | {_cell('、'.join(accepted.get(c.name, ())))} | "
                     f"{_cell(KIND_TEXT[c.kind])} | {req} | {_cell(_allowed(c))} | {_cell(c.description)} |")
    return "\n".join(lines)


def data_dictionary_markdown() -> str:
    """The whole data dictionary (what `civmon contracts` prints)."""
    parts = [PREAMBLE]
    sections = [("Shared 共用", SHARED_DATASETS),
                *((f"{p.name_en} {p.short_zh}", p.datasets) for p in CATALOGUE.values())]
    for title, names in sections:
        sets = [ds for ds in DATASETS.values() if ds.name in names]
        if not sets:
            continue
        parts.append(f"## {title}\n")
        parts += [dataset_markdown(ds) + "\n" for ds in sets]
    return "\n".join(parts)


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in '[]:*?/\\')[:31]


def write_template(ds: Dataset, path: Path) -> Path:
    """An empty workbook for one dataset: Chinese headers in row 1, English names in row 2, input
    formats and drop-down lists on the data rows, and a 说明 sheet describing each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(ds.zh)
    last_row = 2000
    for i, c in enumerate(ds.columns, start=1):
        letter = get_column_letter(i)
        top = ws.cell(row=1, column=i, value=c.zh)
        top.font = Font(bold=True)
        top.fill = PatternFill("solid", fgColor="DDEBF7")
        sub = ws.cell(row=2, column=i, value=c.name)
        sub.font = Font(italic=True, color="808080")
        ws.column_dimensions[letter].width = max(12, 2 * len(c.zh) + 2, len(c.name) + 2)
        fmt = {"date": "yyyy-mm-dd", "month": "yyyy-mm", "id_number": "@", "str": "@", "phone": "@",
               "money": "#,##0.00"}.get(c.kind)
        choices = None
        if c.kind == "cat":
            choices = list(c.value_zh or c.values)
        elif c.kind == "bool":
            choices = ["是", "否"]
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=not c.required)
            dv.add(f"{letter}3:{letter}{last_row}")
            ws.add_data_validation(dv)
        if fmt:
            ws.column_dimensions[letter].number_format = fmt  # applies to what staff type in the column
    ws.freeze_panes = "A3"
    notes = wb.create_sheet("说明")
    notes.append(["中文表头", "column", "类型 type", "必填 required", "可选值 allowed values", "说明 description"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for c in ds.columns:
        notes.append([c.zh, c.name, KIND_TEXT[c.kind], "是" if c.required else "列必须有，可为空",
                      _allowed(c), c.description])
    notes.append([])
    notes.append([f"{ds.zh} ({ds.name}): {ds.description}"])
    if ds.key:
        notes.append([f"每行唯一 One row per: {' + '.join(ds.key)}"])
    for letter, width in zip("ABCDEF", (22, 22, 40, 16, 50, 50)):
        notes.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_templates(out_dir: Path | str, datasets=None) -> list[Path]:
    """One template workbook per dataset, named `<dataset>.xlsx` so a filled one can be read as is."""
    out = Path(out_dir)
    names = datasets or list(DATASETS)
    return [write_template(DATASETS[n], out / f"{n}.xlsx") for n in names]
