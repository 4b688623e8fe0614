"""Which reports a folder's data can feed: partial data is normal (a bureau may hold only its
relief files). A programme report needs every dataset it reads; the overview covers whatever
there is."""

from __future__ import annotations

from civmon import programmes


def missing_datasets(pid: str, present) -> list[str]:
    """The datasets programme `pid` reads that the data lacks (none for the overview)."""
    entry = programmes.get(pid)
    if entry.reads_all:
        return [d for d in programmes.SHARED_DATASETS if d not in present]
    return [d for d in entry.reads if d not in present]


def feasibility(present) -> dict[str, list[str]]:
    """Every programme of the catalogue -> the datasets it lacks (empty: its report can run)."""
    return {pid: missing_datasets(pid, set(present)) for pid in programmes.CATALOGUE}


def summary_lines(present) -> list[str]:
    """What `civmon validate` ends with: the reports the data can feed and what the others lack."""
    lines = []
    for pid, missing in feasibility(present).items():
        entry = programmes.get(pid)
        if not missing:
            lines.append(f"  can run   {pid:10s} {entry.name_zh}")
        else:
            lines.append(f"  cannot    {pid:10s} {entry.name_zh}: lacks {', '.join(missing)}")
    return lines
