"""Which dataset each table of a data folder holds, recognised by what it holds, not only its name.

A table is a CSV or Parquet file, or one sheet of a workbook (several datasets may share one;
hidden and empty sheets are set aside with a note). A table is the dataset that the folder's
mapping file assigns it to; else the dataset it is named after (file or sheet); else the dataset
whose columns its header row covers best: the share of the dataset's required columns found
(recall) and the share of the table's headers that belong to the dataset (precision), combined as
their harmonic mean, with the file name's likeness to the dataset's Chinese name breaking ties.
Several tables of one dataset are stacked by the loader.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from civmon.data.mapping import MAPPING_FILE, DataMapping
from civmon.data.readers import (SUFFIXES, column_of, csv_head, find_header, header_aliases, normalise_header,
                                 parquet_head, without_unit, workbook_heads)
from civmon.data.spec import DATASETS, Dataset
from civmon.data.synonyms import COLUMN_SYNONYMS
from civmon.data.validation import WARNING, Problem

MIN_SCORE = 0.5  # below this a table is not taken for a dataset on its headers alone
FUZZY_CUTOFF = 0.6  # difflib ratio for a header to be offered as a guess (inspect only): one character of three
MSG_UNKNOWN_FILE = "file not recognised as a dataset"
MSG_HIDDEN_SHEET = "hidden sheet ignored"
MSG_EMPTY_SHEET = "empty sheet ignored"
# A workbook's instructions sheet (civmon's templates have one): documentation, not data.
INSTRUCTION_SHEETS = ("说明", "填表说明", "填报说明", "使用说明")


@dataclass(frozen=True)
class Source:
    """One table of a data folder: a file, or one sheet of a workbook with several."""

    path: Path
    sheet: str | None = None

    @property
    def label(self) -> str:
        return self.path.name + (f" [{self.sheet}]" if self.sheet else "")


@dataclass(frozen=True)
class ColumnMatch:
    """One header of a table: the column it was taken for and how (exact, synonym, mapping, fuzzy, unmatched)."""

    header: str
    column: str | None
    how: str


@dataclass
class TableMatch:
    """What one table was recognised as, how, and how sure (the score, 0 to 1)."""

    source: Source
    dataset: str | None
    how: str  # mapping file, file name, headers, unrecognised
    score: float = 0.0
    header_row: int = 1  # Excel row of the (last) header row
    columns: list[ColumnMatch] = field(default_factory=list)
    missing: list[tuple[str, str | None]] = field(default_factory=list)  # (required column, likely header)
    runner_up: tuple[str, float] | None = None

    def line(self) -> str:
        what = self.dataset or "—"
        sure = f"{self.how}, score {self.score:.2f}" if self.how == "headers" else self.how
        return f"{self.source.label} -> {what} ({sure})"


@dataclass
class Discovery:
    """Every table of a folder with what it was recognised as, and notes on what was set aside."""

    tables: list[TableMatch] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    def sources(self, dataset: str) -> list[Source]:
        return [t.source for t in self.tables if t.dataset == dataset]

    @property
    def datasets(self) -> list[str]:
        """Datasets found, in spec order."""
        found = {t.dataset for t in self.tables}
        return [n for n in DATASETS if n in found]


def _name_keys(ds: Dataset) -> set[str]:
    return {normalise_header(ds.name), normalise_header(ds.zh)}


def _how(header: str, column: str, ds: Dataset, extra: dict[str, str]) -> str:
    key = normalise_header(header)
    if key in {normalise_header(h) for h in extra}:
        return "mapping"
    c = ds.column(column)
    own = {normalise_header(c.name), normalise_header(c.zh), without_unit(normalise_header(c.zh)),
           normalise_header(c.zh) + "(元)"}
    if key in own:
        return "exact"
    if key in {normalise_header(s) for s in COLUMN_SYNONYMS.get(column, ())}:
        return "synonym"
    return "exact"


def match_columns(headers: list[str], ds: Dataset, extra: dict[str, str] | None = None,
                  fuzzy: bool = False) -> list[ColumnMatch]:
    """Each header's column in `ds` (the first header wins a column); with `fuzzy`, unmatched headers
    close to a column's name, Chinese header or synonym are offered as guesses."""
    extra = extra or {}
    aliases = header_aliases(ds, extra)
    taken: set[str] = set()
    out = []
    for h in headers:
        col = column_of(aliases, h)
        if col is not None and col not in taken and h:
            taken.add(col)
            out.append(ColumnMatch(h, col, _how(h, col, ds, extra)))
        else:
            out.append(ColumnMatch(h, None, "unmatched"))
    if fuzzy:
        keys = {k: c for k, c in aliases.items() if c not in taken}
        for i, m in enumerate(out):
            if m.column is None and m.header:
                close = difflib.get_close_matches(normalise_header(m.header), list(keys), n=1, cutoff=FUZZY_CUTOFF)
                if close and keys[close[0]] not in taken:
                    taken.add(keys[close[0]])
                    out[i] = ColumnMatch(m.header, keys[close[0]], "fuzzy")
    return out


def _likely_header(column: str, ds: Dataset, unmatched: list[str]) -> str | None:
    """Among the unmatched headers, the one most like a missing column's names."""
    c = ds.column(column)
    names = [normalise_header(x) for x in (c.zh, c.name, *COLUMN_SYNONYMS.get(column, ()))]
    best, best_ratio = None, 0.0
    for h in unmatched:
        ratio = max(difflib.SequenceMatcher(None, normalise_header(h), n).ratio() for n in names)
        if ratio > best_ratio:
            best, best_ratio = h, ratio
    return best if best_ratio >= 0.4 else None


def evaluate_table(source: Source, rows: list[list], ds: Dataset, extra: dict[str, str] | None = None,
                   fuzzy: bool = False) -> TableMatch:
    """How well a table's head fits one dataset."""
    extra = extra or {}
    header = find_header(rows, header_aliases(ds, extra)) if rows else None
    headers = header.headers if header else []
    cols = match_columns(headers, ds, extra, fuzzy=fuzzy)
    named = [m for m in cols if m.header]
    found = {m.column for m in cols if m.column}
    required = [c.name for c in ds.columns if c.required]
    recall = sum(c in found for c in required) / len(required) if required else 0.0
    precision = len(found) / len(named) if named else 0.0
    score = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    unmatched = [m.header for m in cols if m.column is None and m.header]
    missing = [(c, _likely_header(c, ds, unmatched)) for c in required if c not in found]
    return TableMatch(source, ds.name, "headers", round(score, 4), header.data_start if header else 1, cols, missing)


def _hint(source: Source, ds: Dataset) -> float:
    """How much the file or sheet name looks like the dataset's Chinese name (0 to 1)."""
    name = normalise_header(source.sheet or source.path.stem)
    return max(difflib.SequenceMatcher(None, name, k).ratio() for k in _name_keys(ds))


def _named(text: str) -> Dataset | None:
    key = normalise_header(text)
    for ds in DATASETS.values():
        if key in _name_keys(ds):
            return ds
    return None


def _by_name(source: Source, primary: bool) -> Dataset | None:
    """The dataset a table is named after: its sheet's name, or (the file's main table) the file's."""
    return (_named(source.sheet) if source.sheet else None) or (_named(source.path.stem) if primary else None)


def recognise(source: Source, rows: list[list], mapping: DataMapping, fuzzy: bool = False,
              primary: bool = True) -> TableMatch:
    """What one table holds: by the mapping file, by its name, else by its headers. `primary`: the
    table the file's name speaks for (a workbook's sheet named after the dataset, else its first)."""
    for name, entry in mapping.datasets.items():
        if entry.files and entry.matches(source.path.name) and (entry.sheet is None or entry.sheet == source.sheet
                                                                 or source.sheet is None):
            m = evaluate_table(source, rows, DATASETS[name], entry.columns, fuzzy)
            m.source = Source(source.path, source.sheet or entry.sheet)
            m.how, m.score = "mapping file", 1.0
            return m
    ds = _by_name(source, primary)
    if ds is not None:
        entry = mapping.get(ds.name)
        m = evaluate_table(source, rows, ds, entry.columns if entry else None, fuzzy)
        m.how, m.score = "file name", 1.0
        return m
    ranked = []
    for ds in DATASETS.values():
        entry = mapping.get(ds.name)
        m = evaluate_table(source, rows, ds, entry.columns if entry else None, fuzzy)
        ranked.append((m.score, _hint(source, ds), m))
    ranked.sort(key=lambda t: (t[0], t[1]), reverse=True)
    best = ranked[0][2]
    if best.score < MIN_SCORE:
        best.runner_up, best.dataset, best.how = (best.dataset, best.score), None, "unrecognised"
    elif len(ranked) > 1:
        best.runner_up = (ranked[1][2].dataset, ranked[1][0])
    return best


def tables_of(folder: Path) -> tuple[list[tuple[Source, list[list], bool]], list[Problem]]:
    """Every table of a folder with its head and whether the file's name speaks for it, and notes on
    the sheets set aside."""
    out, notes = [], []
    for p in sorted(Path(folder).iterdir()):
        if not p.is_file() or p.suffix.lower() not in SUFFIXES or p.name.startswith(("~$", ".")) \
                or p.name == MAPPING_FILE:
            continue
        suffix = p.suffix.lower()
        if suffix == ".csv":
            out.append((Source(p), csv_head(p), True))
        elif suffix == ".parquet":
            out.append((Source(p), parquet_head(p), True))
        else:
            heads = workbook_heads(p)
            if not heads:
                out.append((Source(p), [], True))  # unreadable: the reader reports it
            named = _named(p.stem)
            visible = [h.title for h in heads if h.visible]
            main = next((t for t in visible if named and _named(t) is named), visible[0] if visible else None)
            for h in heads:
                if h.title.strip() in INSTRUCTION_SHEETS:
                    continue
                empty = not any(v not in (None, "") for r in h.rows for v in r)
                if not h.visible:
                    notes.append(Problem(p.name, None, None, None, "a visible sheet", WARNING, MSG_HIDDEN_SHEET,
                                         sheet=h.title))
                elif empty:
                    notes.append(Problem(p.name, None, None, None, "a sheet with a header and data", WARNING,
                                         MSG_EMPTY_SHEET, sheet=h.title))
                else:
                    out.append((Source(p, h.title if len(heads) > 1 else None), h.rows, h.title == main))
    return out, notes


def discover_tables(folder: Path | str, mapping: DataMapping | None = None, fuzzy: bool = False) -> Discovery:
    """Recognise every table of a folder (see the module's docstring)."""
    mapping = mapping or DataMapping()
    found, notes = tables_of(Path(folder))
    disc = Discovery(notes=notes)
    for source, rows, primary in found:
        m = recognise(source, rows, mapping, fuzzy, primary)
        disc.tables.append(m)
        if m.dataset is None:
            guess = f"; closest: {m.runner_up[0]} (score {m.runner_up[1]:.2f})" if m.runner_up else ""
            disc.notes.append(Problem(source.path.name, None, None, None,
                                      "a table whose header names a dataset's columns (see `civmon contracts`), "
                                      f"or an entry in {MAPPING_FILE}{guess}", WARNING, MSG_UNKNOWN_FILE,
                                      sheet=source.sheet))
    return disc
