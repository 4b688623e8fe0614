"""Validation results: every problem found in a folder, with the row number a person sees in Excel.

A `Problem` names the file, the Excel row (the header is row 1, so the first data row is row 2;
None for a problem of the whole file or column), the column as headed in the file, the bad value
(ID numbers masked), what was expected, the severity and a short message. A `ValidationReport`
collects all of them at once so staff can fix a file in one pass instead of one error per run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

import pandas as pd

from civmon.errors import DataValidationError  # noqa: F401 (re-exported)

ERROR = "error"
WARNING = "warning"

# Beyond this many problems with the same file, column and message, only a count is kept: a
# systematically wrong column in a million-row file should not produce a million-line report.
MAX_SAME_PROBLEM = 200
# The terminal shows this many problems of one kind, then a count of the rest (all are stored).
SHOWN_PER_KIND = 5


@dataclass(frozen=True)
class Problem:
    """One problem: where (file, Excel row, column), what was found, what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str
    message: str
    dataset: str | None = None
    sheet: str | None = None  # the workbook sheet, for a problem in an .xlsx file

    def format(self) -> str:
        where = [f"sheet {self.sheet}"] if self.sheet else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        loc = ", ".join(where) if where else "file"
        got = f" '{self.value}'" if self.value not in (None, "") else ""
        return f"  {self.severity.upper():7s} {loc}: {self.message}{got} (expected {self.expected})"


@dataclass(frozen=True)
class DatasetSummary:
    """What was read for one dataset: its file, row count and the period its records cover."""

    dataset: str
    file: str
    rows: int
    period_column: str | None = None
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None

    def line(self) -> str:
        if self.first is not None and self.last is not None and not pd.isna(self.first):
            period = f"{self.period_column} {self.first:%Y-%m-%d} to {self.last:%Y-%m-%d}"
        elif self.period_column:
            period = f"{self.period_column}: no values"
        else:
            period = "no period column"
        return f"{self.dataset:24s} {self.rows:>10,d} rows  {period}  ({self.file})"


@dataclass
class ValidationReport:
    """All problems found while reading a folder, plus a summary of what was read."""

    problems: list[Problem] = field(default_factory=list)
    datasets: dict[str, DatasetSummary] = field(default_factory=dict)
    omitted: Counter = field(default_factory=Counter)  # (file, column, message, severity) -> count
    coverage: str | None = None  # the span of time the data cover, as text
    _counts: Counter = field(default_factory=Counter, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._counts.update((p.file, p.column, p.message, p.severity) for p in self.problems)

    def add(self, problem: Problem) -> None:
        """Add a problem, keeping at most MAX_SAME_PROBLEM of one kind and counting the rest."""
        kind = (problem.file, problem.column, problem.message, problem.severity)
        if self._counts[kind] >= MAX_SAME_PROBLEM:
            self.omitted[kind] += 1
            return
        self._counts[kind] += 1
        self.problems.append(problem)

    def add_cells(self, file: str, column: str | None, message: str, expected: str, severity: str,
                  dataset: str | None, rows, values) -> None:
        """Add one problem per cell (rows and values are sequences of equal length); beyond the
        cap only a count is kept, so a wrong column in a huge file costs no more than the cap."""
        kind = (file, column, message, severity)
        room = max(MAX_SAME_PROBLEM - self._counts[kind], 0)
        n = len(rows)
        for r, v in zip(rows[:room], values[:room]):
            self.add(Problem(file, None if r is None else int(r), column, v, expected, severity, message, dataset))
        if n > room:
            self.omitted[kind] += n - room

    def extend(self, problems) -> None:
        for p in problems:
            self.add(p)

    def merge(self, other: "ValidationReport") -> None:
        self.extend(other.problems)
        self.omitted.update(other.omitted)
        self.datasets.update(other.datasets)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def n_errors(self) -> int:
        return len(self.errors) + sum(n for k, n in self.omitted.items() if k[3] == ERROR)

    @property
    def n_warnings(self) -> int:
        return len(self.warnings) + sum(n for k, n in self.omitted.items() if k[3] == WARNING)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.n_errors == 0

    def for_file(self, file: str) -> list[Problem]:
        return [p for p in self.problems if p.file == file]

    def summary_lines(self) -> list[str]:
        return [s.line() for s in self.datasets.values()]

    def summary(self) -> str:
        """One line per dataset: rows and period covered."""
        return "\n".join(self.summary_lines())

    def format(self) -> str:
        """Human-readable text for the terminal: problems grouped by file, errors first, and of each
        kind (file, column, message, severity) only the first SHOWN_PER_KIND rows and a count of the rest."""
        if not self.problems and not self.omitted:
            return "No problems found."
        order = {ERROR: 0, WARNING: 1}
        lines = [f"{self.n_errors} error(s), {self.n_warnings} warning(s)"]
        kinds: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            kinds.setdefault((p.file, p.column, p.message, p.severity), []).append(p)
        for kind in self.omitted:
            kinds.setdefault(kind, [])
        for ps in kinds.values():
            ps.sort(key=lambda p: (p.sheet or "", p.row or 0))

        def rank(item):
            (_, column, message, severity), ps = item
            first = (ps[0].row or 0) if ps else float("inf")
            return order.get(severity, 2), first, column or "", message

        for f in sorted({k[0] for k in kinds}):
            lines.append("")
            lines.append(f"{f}:")
            for kind, ps in sorted(((k, v) for k, v in kinds.items() if k[0] == f), key=rank):
                lines.extend(p.format() for p in ps[:SHOWN_PER_KIND])
                rest = max(len(ps) - SHOWN_PER_KIND, 0) + self.omitted.get(kind, 0)
                if rest:
                    what = "" if ps else f" ({kind[3]}, column {kind[1]}: {kind[2]})"
                    lines.append(f"          ... and {rest:,d} more rows with this problem{what}")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table (for a report's data-quality appendix), omitted counts as rows;
        `message_zh` is the message in Chinese."""
        from civmon.data.messages_zh import message_zh

        cols = ["file", "row", "column", "value", "expected", "severity", "message", "dataset"]
        rows = [asdict(p) for p in self.problems]
        for (file, column, message, severity), n in self.omitted.items():
            rows.append(dict(file=file, row=None, column=column, value=None,
                             expected=f"{n:,d} more rows with this problem", severity=severity,
                             message=message, dataset=None))
        df = pd.DataFrame(rows, columns=cols)
        df["row"] = df["row"].astype("Int64")
        df["message_zh"] = [message_zh(m, d) for m, d in zip(df["message"], df["dataset"])]
        return df

    def __str__(self) -> str:
        return self.format()
