"""Checks across datasets: references (payments for households not on the roster), townships and
villages against `areas`, a person in two households in the same month, and dates outside the
data's coverage. They run on canonical (pseudonymised) frames whose index is the Excel row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from civmon.data.pseudonymise import derived_columns, key_column
from civmon.data.spec import DATASETS
from civmon.data.validation import ERROR, MAX_SAME_PROBLEM, Problem, ValidationReport

MSG_UNKNOWN_TOWNSHIP = "unknown township"
MSG_UNKNOWN_VILLAGE = "unknown village or community"
MSG_VILLAGE_TOWNSHIP = "village or community not in this township"
MSG_TWO_HOUSEHOLDS = "person in two households in the same month"
MSG_MONTH_OUTSIDE = "month outside the data's coverage"
MSG_AFTER_COVERAGE = "date after the end of the data's coverage"
MSG_FUTURE = "date in the future"
MSG_TOO_EARLY = "date before 1950"
EARLIEST = pd.Timestamp("1950-01-01")
# Columns that hold plans or deadlines, which may lie after the data were extracted.
FORWARD_LOOKING = frozenset({"planned_date", "planned_start", "planned_finish", "deadline"})
# With an inferred coverage, a date this far past its end is a typo rather than late data.
INFERRED_SLACK = pd.Timedelta(days=366)
CLUSTER_GAP_MONTHS = 12


@dataclass(frozen=True)
class Coverage:
    """The span of time the data covers; `inferred` when derived from the data themselves."""

    start: pd.Timestamp
    end: pd.Timestamp
    inferred: bool

    def label(self) -> str:
        how = "inferred from the monthly records" if self.inferred else "given"
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} ({how})"


def _msg_not_in(column: str, target: str) -> str:
    return f"{column} not in {target}"


Missing = dict[str, set[str]] | None  # dataset -> columns its file lacks (None: none missing)


def lacks(missing: Missing, name: str, *columns: str) -> bool:
    """True when dataset `name`'s file lacks any of these columns (canonical names: a missing ID
    column also takes its key, birth-date and sex columns), so checks on them must not run."""
    gone = (missing or {}).get(name) or set()
    if not gone:
        return False
    canonical = set(gone)
    for c in gone:
        if c.endswith("id_number"):
            canonical |= {key_column(c), *derived_columns(c)}
    return any(c in canonical for c in columns)


def infer_coverage(frames: dict[str, pd.DataFrame], missing: Missing = None) -> Coverage | None:
    """Coverage from the monthly records (datasets whose period column is a month), or None.

    Distinct months are split wherever more than CLUSTER_GAP_MONTHS pass without a record; the
    run holding most records is the coverage, so a typo such as 2013-04 cannot stretch it.
    Rosters and registries are not used: their entry dates legitimately reach back for years.
    """
    monthly = []
    for name, df in frames.items():
        ds = DATASETS[name]
        if ds.period_column and ds.period_column in df and len(df) \
                and ds.column(ds.period_column).kind == "month" and not lacks(missing, name, ds.period_column):
            monthly.append(df[ds.period_column])
    if not monthly:
        return None
    months = pd.concat(monthly).dropna().dt.to_period("M")
    if months.empty:
        return None
    counts = months.value_counts().sort_index()
    ordinals = np.array([p.ordinal for p in counts.index])
    run = np.concatenate([[0], np.cumsum(np.diff(ordinals) > CLUSTER_GAP_MONTHS)])
    best = pd.Series(counts.to_numpy()).groupby(run).sum().idxmax()
    chosen = counts.index[run == best]
    return Coverage(chosen.min().to_timestamp(), chosen.max().to_timestamp(how="end").normalize(), True)


def _add(report: ValidationReport, name: str, files, headers, column: str, message: str, expected: str,
         rows, values) -> None:
    report.add_cells(files[name], headers.get(name, {}).get(column, column), message, expected, ERROR, name,
                     np.asarray(rows), list(values[:MAX_SAME_PROBLEM]))


def check_references(frames, files, headers, report, missing: Missing = None) -> None:
    """Every value of a referencing column must exist in the referenced dataset (when present and
    both columns are in their files)."""
    for name, df in frames.items():
        for column, target in DATASETS[name].references.items():
            tds, tcol = target.split(".")
            if tds == "areas" or tds not in frames or column not in df or tcol not in frames[tds]:
                continue
            if lacks(missing, name, column) or lacks(missing, tds, tcol):
                continue
            values = df[column]
            bad = values.notna() & ~values.isin(frames[tds][tcol].dropna().unique())
            if bad.any():
                _add(report, name, files, headers, column, _msg_not_in(column, tds),
                     f"a {column} listed in {DATASETS[tds].zh} ({tds})", df.index[bad.to_numpy()],
                     values[bad].astype(str).tolist())


def check_areas(frames, files, headers, report, missing: Missing = None) -> None:
    """township_code and village_code of every dataset must be in `areas`, villages in their township
    (not run when `areas` lacks its code or level column; nor on a column a file lacks)."""
    if "areas" not in frames or lacks(missing, "areas", "area_code", "level"):
        return
    no_parent = lacks(missing, "areas", "parent_code")
    areas = frames["areas"]
    level = areas["level"].astype(str)
    townships = set(areas.loc[level == "township", "area_code"].dropna())
    villages = areas[level.isin(["village", "community"])]
    parent = dict(zip(villages["area_code"], villages["parent_code"]))
    for name, df in frames.items():
        if name == "areas":
            col, frame = "parent_code", df[level.isin(["village", "community"]).to_numpy()]
        else:
            col, frame = "township_code", df
        if col in frame and not lacks(missing, name, col):
            t = frame[col]
            bad = t.notna() & ~t.isin(townships)
            if bad.any():
                _add(report, name, files, headers, col, MSG_UNKNOWN_TOWNSHIP,
                     f"a township code listed in {DATASETS['areas'].zh} (areas)", frame.index[bad.to_numpy()],
                     t[bad].astype(str).tolist())
        if name != "areas" and "village_code" in df and not lacks(missing, name, "village_code"):
            v = df["village_code"].astype(object)
            unknown = v.notna() & ~v.isin(parent.keys())
            if unknown.any():
                _add(report, name, files, headers, "village_code", MSG_UNKNOWN_VILLAGE,
                     f"a village or community code listed in {DATASETS['areas'].zh} (areas)",
                     df.index[unknown.to_numpy()], v[unknown].astype(str).tolist())
            if "township_code" in df and not no_parent and not lacks(missing, name, "township_code"):
                own = v.map(parent)
                t = df["township_code"].astype(object)
                wrong = v.notna() & ~unknown & t.notna() & t.isin(townships) & (own != t)
                if wrong.any():
                    rows = df.index[wrong.to_numpy()]
                    column = headers.get(name, {}).get("village_code", "village_code")
                    for r, vc, tc in zip(rows[:MAX_SAME_PROBLEM], v[wrong], t[wrong]):
                        report.add(Problem(files[name], int(r), column, vc,
                                           f"a village or community of township {tc} (it belongs to {parent[vc]})",
                                           ERROR, MSG_VILLAGE_TOWNSHIP, name))
                    if len(rows) > MAX_SAME_PROBLEM:
                        report.omitted[(files[name], column, MSG_VILLAGE_TOWNSHIP, ERROR)] += len(rows) - MAX_SAME_PROBLEM


def _household_months(frames, needed: set, missing: Missing = None) -> dict[str, pd.PeriodIndex] | None:
    """Months each needed household is on assistance: roster spells if present, else paid months;
    None when the dataset used lacks a column the months need (no exit dates: every spell would run on)."""
    if "relief_households" in frames:
        if lacks(missing, "relief_households", "household_id", "entry_date", "exit_date"):
            return None
        h = frames["relief_households"]
        h = h[h["household_id"].isin(needed)]
        out = {}
        cap = pd.Timestamp.today().normalize()
        for hid, entry, exit_ in zip(h["household_id"], h["entry_date"], h["exit_date"]):
            if pd.isna(hid) or pd.isna(entry):
                continue
            end = exit_ if not pd.isna(exit_) else cap
            if end >= entry:
                months = pd.period_range(entry.to_period("M"), end.to_period("M"), freq="M")
                out[hid] = months if hid not in out else out[hid].union(months)
        return out
    if "relief_payments" in frames:
        if lacks(missing, "relief_payments", "household_id", "month"):
            return None
        p = frames["relief_payments"].dropna(subset=["household_id", "month"])
        p = p[p["household_id"].isin(needed)]
        return {hid: pd.PeriodIndex(g.dt.to_period("M").unique()) for hid, g in p.groupby("household_id")["month"]}
    return None


def check_two_households(frames, files, headers, report, missing: Missing = None) -> None:
    """A member listed in two roster households whose months on assistance overlap."""
    members = frames.get("relief_members")
    if members is None or "person_key" not in members or lacks(missing, "relief_members", "person_key", "household_id"):
        return
    m = members.dropna(subset=["person_key", "household_id"])
    multi = m[m.groupby("person_key")["household_id"].transform("nunique") > 1]
    if multi.empty:
        return
    months = _household_months(frames, set(multi["household_id"]), missing)
    if months is None:
        return
    column = headers.get("relief_members", {}).get("household_id", "household_id")
    for _, rows in multi.groupby("person_key", sort=False):
        seen: list[tuple[int, str]] = []
        for r, hid in zip(rows.index, rows["household_id"]):
            for r0, h0 in seen:
                if h0 == hid:
                    continue
                common = months.get(hid, pd.PeriodIndex([], freq="M")).intersection(
                    months.get(h0, pd.PeriodIndex([], freq="M")))
                if len(common):
                    report.add(Problem(files["relief_members"], int(r), column, str(hid),
                                       f"one household at a time: the same person is in household {h0} "
                                       f"(row {r0}) in {common.min().strftime('%Y-%m')}", ERROR, MSG_TWO_HOUSEHOLDS,
                                       "relief_members"))
                    break
            seen.append((r, hid))


def check_dates(frames, files, headers, report, coverage: Coverage | None, today: date | None = None,
                missing: Missing = None) -> None:
    """Dates in the future or before 1950; months and dates outside the data's coverage (not on a
    column the file lacks)."""
    today_ts = pd.Timestamp(today or date.today())
    for name, df in frames.items():
        ds = DATASETS[name]
        for c in ds.columns:
            if c.kind not in ("date", "month") or c.name not in df or lacks(missing, name, c.name):
                continue
            s = df[c.name]
            fmt = "%Y-%m" if c.kind == "month" else "%Y-%m-%d"
            flagged = pd.Series(False, index=df.index)
            if c.name not in FORWARD_LOOKING:
                future = (s > today_ts).fillna(False)
                if future.any():
                    _add(report, name, files, headers, c.name, MSG_FUTURE, f"on or before {today_ts:%Y-%m-%d}",
                         df.index[future.to_numpy()], s[future].dt.strftime(fmt).tolist())
                flagged |= future
            early = (s < EARLIEST).fillna(False)
            if early.any():
                _add(report, name, files, headers, c.name, MSG_TOO_EARLY, "a date from 1950 onwards",
                     df.index[early.to_numpy()], s[early].dt.strftime(fmt).tolist())
            flagged |= early
            if coverage is None:
                continue
            if c.kind == "month" and c.name == ds.period_column:
                out = ~flagged & ((s < coverage.start) | (s > coverage.end)).fillna(False)
                if out.any():
                    _add(report, name, files, headers, c.name, MSG_MONTH_OUTSIDE,
                         f"a month from {coverage.start:%Y-%m} to {coverage.end:%Y-%m}",
                         df.index[out.to_numpy()], s[out].dt.strftime("%Y-%m").tolist())
            elif c.kind == "date" and c.name not in FORWARD_LOOKING:
                limit = coverage.end + (INFERRED_SLACK if coverage.inferred else pd.Timedelta(0))
                late = ~flagged & (s > limit).fillna(False)
                if late.any():
                    _add(report, name, files, headers, c.name, MSG_AFTER_COVERAGE,
                         f"on or before {limit:%Y-%m-%d}"
                         + (" (a year after the last month of the data)" if coverage.inferred else ""),
                         df.index[late.to_numpy()], s[late].dt.strftime("%Y-%m-%d").tolist())


def cross_check(frames: dict[str, pd.DataFrame], files: dict[str, str], headers: dict[str, dict[str, str]],
                report: ValidationReport, coverage: Coverage | None = None, today: date | None = None,
                missing: dict[str, set[str]] | None = None) -> Coverage | None:
    """Run every cross-dataset check into `report`; return the coverage used. `missing` (dataset ->
    columns its file lacks) keeps checks off those columns: a missing column is one error, not a cascade."""
    cov = coverage or infer_coverage(frames, missing)
    check_references(frames, files, headers, report, missing)
    check_areas(frames, files, headers, report, missing)
    check_two_households(frames, files, headers, report, missing)
    check_dates(frames, files, headers, report, cov, today, missing)
    return cov
