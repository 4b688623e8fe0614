"""Small-cell suppression for published tables of persons or households below the district level.

Primary suppression hides counts from 1 to threshold - 1 (a zero discloses nothing about a person
and is shown, unless `suppress_zeros=True`). Secondary suppression then hides further cells so
that no hidden cell can be worked out from the totals: the table's rows and columns are linear
relations (cells add up to their margin), and a hidden cell's exact value follows from the shown
ones exactly when it lies on no cycle of hidden cells in the bipartite graph whose nodes are the
relations and whose edges are the cells. So the algorithm repeats, until nothing changes:
  1. every relation that hides exactly one cell hides one more (its smallest positive cell);
  2. every hidden cell that is a bridge of that graph gets a cycle (the smallest positive shown
     cell joining the two sides).
Complements are positive where possible; a hidden zero can leak through non-negativity (two
hidden cells that must add to zero are both zero), so wherever one is hidden the ranges a reader
could infer are computed by linear programming (as `audit` does) and positive cells are added
until every hidden cell has a range of values.
Totals are the true totals and are never recomputed from shown cells; a margin below the
threshold is itself hidden. Rates and amounts are hidden wherever their denominator count is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civmon.disclosure.prose import SUPPRESSED, chart_note, suppression_note  # noqa: F401


@dataclass
class Suppressed:
    """A table ready to publish: `frame` shows SUPPRESSED in hidden cells, `mask` marks them.

    `primary` and `secondary` count hidden count cells (margins included); `dependent` counts
    hidden rate and amount cells. `note` is the footnote, empty when nothing is hidden.
    `exposed` lists hidden cells whose value the totals still give away because nothing else
    can be hidden (a table of one area under a public total, a zero total with zeros hidden):
    normally empty; when not, do not publish the table at this level.
    """

    frame: pd.DataFrame
    mask: pd.DataFrame
    primary: int
    secondary: int
    dependent: int
    note: str
    threshold: int
    exposed: list = field(default_factory=list)  # (row label, column) pairs

    @property
    def hidden(self) -> int:
        return int(self.mask.to_numpy().sum())

    @property
    def notes(self) -> list[str]:
        """The note as a list, to extend a table's notes."""
        return [self.note] if self.note else []


@dataclass
class ChartData:
    """Chart input with small values set to NaN; unpacks as (frame, note)."""

    frame: pd.DataFrame
    mask: pd.Series
    note: str

    def __iter__(self):
        return iter((self.frame, self.note))


# --- the table as relations ---------------------------------------------------------------------
@dataclass
class _Grid:
    """Count cells of a table as a (rows + 1) x (cols + 1) grid: last row and column are margins.

    A relation (cells add up to their margin) exists for every row when row sums are public and
    for every column when column sums are; the margin row or column exists only with them.
    A public margin that is not in the table is `present` (its true value is known to readers)
    but not `hideable`.
    """

    values: np.ndarray  # float, NaN = unknown to anyone
    present: np.ndarray  # bool: the cell takes part in the relations
    hideable: np.ndarray  # bool: the cell is printed in the table
    row_relations: bool
    col_relations: bool

    @property
    def shape(self):
        return self.values.shape

    def relations(self) -> list[tuple[str, list[tuple[int, int]]]]:
        """Each relation as ("row" or "col", its cells with the margin last)."""
        nr, nc = self.shape
        out = []
        if self.row_relations:
            for i in range(nr if self.col_relations else nr - 1):
                out.append(("row", [(i, j) for j in range(nc) if self.present[i, j]]))
        if self.col_relations:
            for j in range(nc if self.row_relations else nc - 1):
                out.append(("col", [(i, j) for i in range(nr) if self.present[i, j]]))
        return out


def _numbers(frame: pd.DataFrame) -> np.ndarray:
    """Counts as floats, missing (None, NaN, pd.NA) as NaN."""
    return frame.apply(pd.to_numeric, errors="coerce").astype("float64").to_numpy()


def _build_grid(df, body, rows, trow, total_column, row_relations, col_relations) -> _Grid:
    nr, nc = len(rows) + 1, len(body) + 1
    values = np.full((nr, nc), np.nan)
    present = np.zeros((nr, nc), dtype=bool)
    hideable = np.zeros((nr, nc), dtype=bool)
    counts = _numbers(df[body])
    values[:-1, :-1] = counts[rows]
    present[:-1, :-1] = hideable[:-1, :-1] = True
    if row_relations:
        present[:-1, -1] = True
        if total_column is not None:
            values[:-1, -1] = _numbers(df[[total_column]])[:, 0][rows]
            hideable[:-1, -1] = True
        else:
            values[:-1, -1] = np.nansum(values[:-1, :-1], axis=1)
    if col_relations:
        present[-1, :-1] = True
        if trow is not None:
            values[-1, :-1] = counts[trow]
            hideable[-1, :-1] = True
        else:
            values[-1, :-1] = np.nansum(values[:-1, :-1], axis=0)
    if row_relations and col_relations:
        present[-1, -1] = True
        if trow is not None and total_column is not None:
            values[-1, -1] = _numbers(df[[total_column]])[:, 0][trow]
            hideable[-1, -1] = True
        else:
            values[-1, -1] = np.nansum(values[:-1, :-1])
    if np.any(values[present & ~np.isnan(values)] < 0):
        raise ValueError("counts must not be negative")
    return _Grid(values, present, hideable, row_relations, col_relations)


def _node_of(grid: _Grid, i: int, j: int) -> tuple[object, object]:
    """The two relation nodes a cell joins; a side without a relation is the free node 'G'."""
    nr, nc = grid.shape
    row_node = ("r", i) if grid.row_relations and (grid.col_relations or i < nr - 1) else "G"
    col_node = ("c", j) if grid.col_relations and (grid.row_relations or j < nc - 1) else "G"
    return row_node, col_node


def _bridges(edges: list[tuple[object, object]]) -> set[int]:
    """Indices of bridge edges in an undirected multigraph (iterative Tarjan)."""
    adj: dict[object, list[tuple[object, int]]] = defaultdict(list)
    for k, (a, b) in enumerate(edges):
        adj[a].append((b, k))
        adj[b].append((a, k))
    disc: dict[object, int] = {}
    low: dict[object, int] = {}
    out: set[int] = set()
    t = 0
    for root in adj:
        if root in disc:
            continue
        disc[root] = low[root] = t
        t += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            node, via, it = stack[-1]
            advanced = False
            for nxt, k in it:
                if k == via:
                    continue
                if nxt in disc:
                    low[node] = min(low[node], disc[nxt])
                else:
                    disc[nxt] = low[nxt] = t
                    t += 1
                    stack.append((nxt, k, iter(adj[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        out.add(via)
    return out


def _component(edges, start, banned: int) -> set:
    adj = defaultdict(list)
    for k, (a, b) in enumerate(edges):
        if k != banned:
            adj[a].append(b)
            adj[b].append(a)
    seen = {start}
    todo = [start]
    while todo:
        for n in adj[todo.pop()]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def _cost(v: float) -> tuple[int, float]:
    """Order of preference for complements: smallest positive first, zeros last."""
    return (1, 0.0) if v == 0 else (0, float(v))


def _candidates(grid: _Grid, hidden: np.ndarray) -> np.ndarray:
    return grid.hideable & ~hidden & ~np.isnan(grid.values)


def _fix_relations(grid: _Grid, hidden: np.ndarray) -> bool:
    """Hide one more cell in every relation that hides exactly one; True if anything changed."""
    changed = False
    unknown = hidden | np.isnan(grid.values)
    for _, cells in grid.relations():
        n = sum(unknown[c] for c in cells)
        if n != 1:
            continue
        cand = [c for c in cells if _candidates(grid, hidden)[c]]
        if cand:
            c = min(cand, key=lambda c: (_cost(grid.values[c]), c))
            hidden[c] = unknown[c] = True
            changed = True
    return changed


def _fix_bridges(grid: _Grid, hidden: np.ndarray) -> bool:
    """Give every hidden bridge cell a cycle through one more hidden cell; True if changed."""
    cells, edges = _hidden_edges(grid, hidden)
    bridges = _bridges(edges)
    if not bridges:
        return False
    cand = _candidates(grid, hidden)
    free = [tuple(c) for c in np.argwhere(cand)]
    for k in sorted(bridges, key=lambda k: cells[k]):  # one at a time: a new cell may fix several
        side = _component(edges, edges[k][0], banned=k)
        join = [c for c in free if (_node_of(grid, *c)[0] in side) != (_node_of(grid, *c)[1] in side)]
        if join:
            hidden[min(join, key=lambda c: (_cost(grid.values[c]), c))] = True
            return True
    return False


def _constraint_matrix(grid: _Grid) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Relations as rows of A x = 0 over all present cells (margins with sign -1)."""
    nr, nc = grid.shape
    cells = [tuple(c) for c in np.argwhere(grid.present)]
    pos = {c: k for k, c in enumerate(cells)}
    rows = []
    for kind, rel in grid.relations():
        a = np.zeros(len(cells))
        for (i, j) in rel:
            margin = (j == nc - 1) if kind == "row" else (i == nr - 1)
            a[pos[(i, j)]] = -1.0 if margin else 1.0
        rows.append(a)
    return np.array(rows).reshape(len(rows), len(cells)), cells


class _Ranges:
    """The range of values a reader can infer for hidden cells, from what is shown.

    Linear programming over non-negative reals: the hidden cells are unknowns, the shown cells
    are constants, every relation must hold. An interval of zero width means the cell leaks.
    """

    def __init__(self, grid: _Grid, hidden: np.ndarray):
        unknown = (hidden | np.isnan(grid.values)) & grid.present
        A, cells = _constraint_matrix(grid)
        hid = [k for k, c in enumerate(cells) if unknown[c]]
        shown = [k for k, c in enumerate(cells) if not unknown[c]]
        known = np.array([grid.values[cells[k]] for k in shown])
        A_h = A[:, hid]
        b = -(A[:, shown] @ known) if shown else np.zeros(A.shape[0])
        keep = np.abs(A_h).sum(axis=1) > 0
        self.A, self.b = A_h[keep], b[keep]
        self.col = {cells[k]: n for n, k in enumerate(hid)}

    def __call__(self, cell) -> tuple[float, float]:
        from scipy.optimize import linprog

        if self.A.shape[0] == 0:
            return (0.0, np.inf)
        c = np.zeros(len(self.col))
        c[self.col[cell]] = 1.0
        lo = linprog(c, A_eq=self.A, b_eq=self.b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=self.A, b_eq=self.b, bounds=(0, None), method="highs")
        lo_v = lo.fun if lo.status == 0 else 0.0
        hi_v = -hi.fun if hi.status == 0 else np.inf  # status 3: unbounded
        return (float(lo_v), float(hi_v))


def _intervals(grid: _Grid, hidden: np.ndarray) -> dict[tuple[int, int], tuple[float, float]]:
    """Every hidden cell's inferable range (see _Ranges)."""
    ranges = _Ranges(grid, hidden)
    return {tuple(c): ranges(tuple(c)) for c in np.argwhere(hidden & grid.present)}


def _hidden_edges(grid: _Grid, hidden: np.ndarray):
    unknown = (hidden | np.isnan(grid.values)) & grid.present
    cells = [tuple(c) for c in np.argwhere(unknown)]
    return cells, [_node_of(grid, i, j) for i, j in cells]


def _zero_components(grid: _Grid, hidden: np.ndarray) -> set[tuple[int, int]]:
    """Hidden cells connected (through hidden cells) to a hidden zero: only there can
    non-negativity pin a value that the linear relations alone leave open."""
    cells, edges = _hidden_edges(grid, hidden)
    zeros = [k for k, c in enumerate(cells) if grid.values[c] == 0]
    nodes: set = set()
    for k in zeros:
        if edges[k][0] not in nodes:
            nodes |= _component(edges, edges[k][0], banned=-1)
    return {c for c, (a, b) in zip(cells, edges) if a in nodes or b in nodes}


def _exposed(grid: _Grid, hidden: np.ndarray, tol: float = 1e-6) -> list[tuple[int, int]]:
    """Hidden cells whose exact value can still be worked out from the shown cells."""
    cells, edges = _hidden_edges(grid, hidden)
    out = {cells[k] for k in _bridges(edges)}
    zone = _zero_components(grid, hidden) - out
    if zone:
        ranges = _Ranges(grid, hidden)
        out |= {c for c in zone if np.subtract(*ranges(c)[::-1]) < tol}
    return sorted(c for c in out if hidden[c])


def _fix_exact(grid: _Grid, hidden: np.ndarray, tried: set, tol: float = 1e-6) -> bool:
    """Hide one more positive cell beside a hidden cell that zeros pin down; True if changed."""
    zone = sorted(_zero_components(grid, hidden) - tried)
    if not zone:
        return False
    ranges = _Ranges(grid, hidden)
    cand = _candidates(grid, hidden) & (np.nan_to_num(grid.values) > 0)
    for cell in zone:
        lo, hi = ranges(cell)
        if hi - lo >= tol:
            continue
        pool = [c for _, rel in grid.relations() if cell in rel for c in rel if cand[c]]
        if pool:
            hidden[min(pool, key=lambda c: (grid.values[c], c))] = True
            return True
        tried.add(cell)  # nothing left to hide beside it: reported as exposed
    return False


def _secondary(grid: _Grid, primary: np.ndarray) -> np.ndarray:
    """Primary cells plus the complements that protect them (see the module docstring)."""
    hidden = primary.copy()
    if not hidden.any():
        return hidden
    tried: set = set()
    for _ in range(hidden.size + 1):
        if _fix_relations(grid, hidden) or _fix_bridges(grid, hidden) or _fix_exact(grid, hidden, tried):
            continue
        break
    return hidden


# --- public API ---------------------------------------------------------------------------------
def _row_positions(df: pd.DataFrame, total_row, label_column) -> tuple[list[int], int | None]:
    labels = df[label_column] if label_column is not None else pd.Series(df.index, index=df.index)
    if total_row is None:
        return list(range(len(df))), None
    hits = np.flatnonzero((labels.astype(str) == str(total_row)).to_numpy())
    if len(hits) == 0:
        raise ValueError(f"total row {total_row!r} not found in {label_column or 'the index'}")
    if len(hits) > 1:
        raise ValueError(f"total row {total_row!r} occurs {len(hits)} times")
    t = int(hits[0])
    return [p for p in range(len(df)) if p != t], t


def suppress_counts(df: pd.DataFrame, count_columns, threshold: int = 5, *,
                    rate_columns: dict[str, str] | None = None,
                    amount_columns: dict[str, str] | None = None,
                    total_row: str | None = None, total_column: str | None = None,
                    label_column: str | None = None, suppress_zeros: bool = False,
                    column_sums_public: bool = True,
                    row_sums_public: bool = False) -> Suppressed:
    """Hide small counts of persons or households, and the cells that would reveal them.

    Rows are areas (or other groups), `count_columns` hold counts; `total_row` (the label of the
    row of column totals, looked up in `label_column` or the index) and `total_column` are
    margins. Counts from 1 to threshold - 1 are hidden (zeros too with `suppress_zeros=True`),
    then the secondary cells that make every hidden cell impossible to derive from the totals.
    `rate_columns`/`amount_columns` map a rate or amount column to the count column that is its
    denominator: it is hidden in every row where that count is.

    Column totals count as public even without a total row, because the report shows the
    higher-level figure elsewhere (`column_sums_public=False` if not); row totals count as public
    when the table has a total column or `row_sums_public=True`.
    """
    count_columns = list(count_columns)
    derived = {**(rate_columns or {}), **(amount_columns or {})}
    for name in count_columns + list(derived) + ([total_column] if total_column else []):
        if name not in df.columns:
            raise KeyError(f"column {name!r} not in the table")
    body = [c for c in count_columns if c != total_column]
    for col, denom in derived.items():
        if denom not in body and denom != total_column:
            raise ValueError(f"denominator {denom!r} of {col!r} is not a count column")
    if not body:
        raise ValueError("no count columns")
    rows, trow = _row_positions(df, total_row, label_column)
    grid = _build_grid(df, body, rows, trow, total_column,
                       row_relations=row_sums_public or total_column is not None,
                       col_relations=column_sums_public or trow is not None)

    lo = 0 if suppress_zeros else 1
    with np.errstate(invalid="ignore"):
        primary = grid.hideable & (grid.values >= lo) & (grid.values < threshold)
    hidden = _secondary(grid, primary)

    cells = _table_cells(df, body, rows, trow, total_column)
    m = np.zeros(df.shape, dtype=bool)
    for (gi, gj), (p, q) in cells.items():
        m[p, q] = hidden[gi, gj]
    for col, denom in derived.items():
        m[:, df.columns.get_loc(col)] |= m[:, df.columns.get_loc(denom)]
    mask = pd.DataFrame(m, index=df.index, columns=df.columns)

    frame = df.astype(object).mask(mask, SUPPRESSED)
    n_primary = int(primary.sum())
    n_secondary = int((hidden & ~primary).sum())
    n_dependent = int(mask[list(derived)].to_numpy().sum()) if derived else 0
    note = suppression_note(threshold) if m.any() else ""
    labels = df[label_column] if label_column is not None else pd.Series(df.index, index=df.index)
    exposed = [(labels.iloc[cells[c][0]], df.columns[cells[c][1]]) for c in _exposed(grid, hidden) if c in cells]
    return Suppressed(frame, mask, n_primary, n_secondary, n_dependent, note, threshold, exposed)


def _table_cells(df, body, rows, trow, total_column) -> dict[tuple[int, int], tuple[int, int]]:
    """Grid cell -> (row position, column position) in the table, for cells printed in it."""
    nr, nc = len(rows) + 1, len(body) + 1
    grid_rows = list(zip(range(nr - 1), rows)) + ([(nr - 1, trow)] if trow is not None else [])
    grid_cols = [(j, df.columns.get_loc(c)) for j, c in enumerate(body)]
    if total_column is not None:
        grid_cols.append((nc - 1, df.columns.get_loc(total_column)))
    return {(gi, gj): (p, q) for gi, p in grid_rows for gj, q in grid_cols}


def suppress_series_for_chart(df: pd.DataFrame, count_column: str, threshold: int = 5, *,
                              value_columns=(), label_column: str | None = None,
                              total_row: str | None = None) -> ChartData:
    """Chart data under the same rule as tables: small counts, and the bars that would reveal
    them from the total, become NaN (matplotlib leaves a gap); `value_columns` (rates, amounts
    over that count) follow the count. Unpacks as (frame, note)."""
    s = suppress_counts(df, [count_column], threshold,
                        rate_columns={c: count_column for c in value_columns},
                        total_row=total_row, label_column=label_column)
    cols = [count_column, *value_columns]
    frame = df.copy()
    for c in cols:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float).mask(s.mask[c])
    return ChartData(frame, s.mask[count_column], chart_note(threshold) if s.note else "")


def audit(df: pd.DataFrame, mask: pd.DataFrame, count_columns, *, total_row=None,
          total_column=None, label_column=None, column_sums_public: bool = True,
          row_sums_public: bool = False) -> pd.DataFrame:
    """For each hidden count cell, the range of values a reader could infer from what is shown.

    `df` is the original table and `mask` its hidden cells (e.g. `Suppressed.mask`); the other
    arguments are those given to `suppress_counts`. One row per hidden cell (row label, column,
    true value, low, high), from linear programming over non-negative values: `low < high`
    everywhere means no hidden cell can be worked out. For the tests and a reviewer's check.
    """
    body = [c for c in count_columns if c != total_column]
    rows, trow = _row_positions(df, total_row, label_column)
    grid = _build_grid(df, body, rows, trow, total_column,
                       row_relations=row_sums_public or total_column is not None,
                       col_relations=column_sums_public or trow is not None)
    hidden = np.zeros(grid.shape, dtype=bool)
    m = mask.to_numpy()
    cells = _table_cells(df, body, rows, trow, total_column)
    for (gi, gj), (p, q) in cells.items():
        hidden[gi, gj] = m[p, q]
    labels = df[label_column] if label_column is not None else pd.Series(df.index, index=df.index)
    out = []
    for (gi, gj), (lo, hi) in sorted(_intervals(grid, hidden).items()):
        p, q = cells[(gi, gj)]
        out.append(dict(row=labels.iloc[p], column=df.columns[q], value=grid.values[gi, gj], low=lo, high=hi))
    return pd.DataFrame(out, columns=["row", "column", "value", "low", "high"])
