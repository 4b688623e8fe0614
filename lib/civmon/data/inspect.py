"""`civmon inspect`: what each table of a folder looks like to civmon, header by header, and a
starter mapping file with the guesses for a person to confirm."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from civmon.data.discovery import Discovery, TableMatch, discover_tables
from civmon.data.mapping import MAPPING_FILE, load_mapping
from civmon.data.spec import DATASETS

HOW_TEXT = {"exact": "exact", "synonym": "synonym", "mapping": "mapping file", "fuzzy": "fuzzy guess",
            "unmatched": "unmatched"}


@dataclass
class Inspection:
    """A folder's tables as civmon recognises them, with fuzzy guesses for what it does not."""

    folder: Path
    discovery: Discovery

    def format(self) -> str:
        lines = [f"{self.folder}:"]
        for t in self.discovery.tables:
            lines += ["", *table_lines(t)]
        for n in self.discovery.notes:
            if n.message != "file not recognised as a dataset":
                lines.append(f"\n{n.file}{' [' + n.sheet + ']' if n.sheet else ''}: {n.message}")
        return "\n".join(lines)


def table_lines(t: TableMatch) -> list[str]:
    """One table: what it was taken for and how sure, each header's column and how, what is missing."""
    head = t.line()
    if t.runner_up and t.runner_up[0]:
        head += f"; {'closest' if t.dataset is None else 'next'}: {t.runner_up[0]} {t.runner_up[1]:.2f}"
    lines = [head, f"  header row {t.header_row}"]
    width = max((len(m.header) for m in t.columns), default=4)
    for m in t.columns:
        if m.header:
            lines.append(f"  {m.header:{width}s}  -> {m.column or '—':22s} ({HOW_TEXT[m.how]})")
    for col, likely in t.missing:
        lines.append(f"  missing required column {col}" + (f" (likely: {likely})" if likely else ""))
    return lines


def inspect_folder(folder: Path | str) -> Inspection:
    """Recognise every table of the folder, offering fuzzy guesses for unmatched headers."""
    folder = Path(folder)
    return Inspection(folder, discover_tables(folder, load_mapping(folder), fuzzy=True))


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string


def starter_mapping(found: Inspection) -> str:
    """A civmon-data.yaml for the folder: each table recognised by its headers named under its dataset,
    and every guessed header (fuzzy, or the likely header of a missing column) mapped, commented."""
    by_dataset: dict[str, list[TableMatch]] = {}
    for t in found.discovery.tables:
        if t.dataset is not None:
            by_dataset.setdefault(t.dataset, []).append(t)
    lines = [f"# {MAPPING_FILE}: written by `civmon inspect --write`. Check every line marked 'guess',",
             "# correct or delete it, then run `civmon validate`. See `civmon contracts` for the columns.", ""]
    for name in [n for n in DATASETS if n in by_dataset]:
        tables = by_dataset[name]
        guesses = {}
        for t in tables:
            for m in t.columns:
                if m.how == "fuzzy":
                    guesses[m.header] = (m.column, "fuzzy guess")
            for col, likely in t.missing:
                if likely and likely not in guesses:
                    guesses[likely] = (col, f"guess for the missing column {col}")
        by_headers = [t for t in tables if t.how == "headers"]
        if not guesses and not by_headers:
            continue
        lines.append(f"{name}:  # {DATASETS[name].zh}")
        if by_headers:
            lines.append("  files: [" + ", ".join(_q(t.source.path.name) for t in by_headers) + "]"
                         + "  # recognised by their headers")
            sheets = {t.source.sheet for t in by_headers}
            if len(sheets) == 1 and None not in sheets:
                lines.append(f"  sheet: {_q(sheets.pop())}")
        if guesses:
            lines.append("  columns:")
            for header, (col, why) in guesses.items():
                lines.append(f"    {_q(header)}: {col}  # {why}: confirm")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
