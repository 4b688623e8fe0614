"""The validated store: a folder's datasets after reading, validation, place resolution and the
cross-dataset checks, kept as Parquet with one row group per township, so a report reads only the
datasets it touches and, below the district, only its township's row groups.

A store is found by a stamp of the folder (file names, sizes, modification times), the
pseudonymisation key's fingerprint and a fingerprint of the loading code; a changed file gives a
new stamp, and the per-table cache (civmon.data.cache) still spares re-reading unchanged files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from civmon.data.cache import (
    atomic_folder,
    code_fingerprint,
    key_fingerprint,
    report_from_json,
    report_to_json,
)
from civmon.data.scope import scope_frames
from civmon.data.validation import ValidationReport

STORE_VERSION = "1"
TOWNSHIP = "township_code"
ROW_GROUP_ROWS = 1 << 20
_LOADING_MODULES = ("loader", "crosschecks", "places", "discovery", "mapping", "synonyms", "scope", "store")


@lru_cache(maxsize=1)
def _loading_fingerprint() -> str:
    here = Path(__file__).parent
    h = hashlib.sha256((STORE_VERSION + code_fingerprint()).encode())
    for mod in _LOADING_MODULES:
        h.update((here / f"{mod}.py").read_bytes())
    return h.hexdigest()[:16]


def folder_stamp(folder: Path) -> list:
    """Names, sizes and modification times of a folder's files."""
    return sorted([p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in folder.iterdir() if p.is_file())


def store_id(folder: Path, key: str) -> str:
    """The store's name for this folder's current files, this key and this code."""
    text = json.dumps([str(folder.resolve()), folder_stamp(folder), key_fingerprint(key), _loading_fingerprint()])
    return "store-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _township_order(df: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str | None, int]]]:
    """The frame sorted (stably) by township, and the (township, rows) runs in that order."""
    if TOWNSHIP not in df.columns or not len(df):
        return df, [(None, len(df))]
    codes = df[TOWNSHIP].astype("string")
    order = codes.fillna("\uffff").argsort(kind="stable")
    df = df.iloc[order]
    runs = codes.iloc[order].fillna("").groupby(codes.iloc[order].fillna("").to_numpy(), sort=False).size()
    return df, [(str(t) if t != "" else None, int(n)) for t, n in runs.items()]


def write_store(root: Path, sid: str, frames: dict[str, pd.DataFrame], report: ValidationReport,
                sha256: dict[str, str], tables: list[dict]) -> Path:
    """Write a store atomically (a temporary folder renamed into place); an existing one is kept."""
    final = Path(root) / sid
    if final.exists():
        return final
    with atomic_folder(final, ".tmp-store-") as tmp:
        datasets = {}
        for name, df in frames.items():
            ordered, runs = _township_order(df)
            table = pa.Table.from_pandas(ordered, preserve_index=True)
            groups: dict[str, list[int]] = {}
            with pq.ParquetWriter(tmp / f"{name}.parquet", table.schema) as writer:
                start, group = 0, 0
                for township, n in runs:
                    if n:
                        writer.write_table(table.slice(start, n), row_group_size=ROW_GROUP_ROWS)
                        k = -(-n // ROW_GROUP_ROWS)
                        groups.setdefault(township or "", []).extend(range(group, group + k))
                        group += k
                    start += n
            cats = {c: [str(x) for x in df[c].cat.categories] for c in df.columns
                    if isinstance(df[c].dtype, pd.CategoricalDtype) and df[c].cat.categories.dtype == object
                    and all(isinstance(x, str) for x in df[c].cat.categories)}
            datasets[name] = {"rows": len(df), "groups": groups, "categories": cats,
                              "by_township": TOWNSHIP in df.columns}
        meta = {"datasets": datasets, "report": report_to_json(report), "sha256": sha256, "tables": tables}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return final


class Store:
    """An opened store: its meta data, and frames read on demand (whole, or one township's rows)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.meta = json.loads((self.path / "meta.json").read_text(encoding="utf-8"))

    @classmethod
    def open(cls, root: Path, sid: str) -> Store | None:
        try:
            return cls(Path(root) / sid)
        except (OSError, ValueError):
            return None

    @property
    def names(self) -> list[str]:
        return list(self.meta["datasets"])

    def report(self) -> ValidationReport:
        return report_from_json(self.meta["report"])

    def read(self, name: str, township: str | None = None) -> pd.DataFrame:
        """A dataset, whole (in its original row order) or only the row groups of one township."""
        info = self.meta["datasets"][name]
        pf = pq.ParquetFile(self.path / f"{name}.parquet")
        if township is None or not info["by_township"]:
            df = pf.read().to_pandas()
            if info["by_township"]:
                df = df.sort_index(kind="stable")
        else:
            groups = info["groups"].get(str(township), [])
            table = pf.read_row_groups(groups) if groups else pf.schema_arrow.empty_table()
            df = table.to_pandas()
        for col, cats in info["categories"].items():
            if col not in df:
                continue
            if isinstance(df[col].dtype, pd.CategoricalDtype):
                df[col] = df[col].cat.set_categories(cats)
            else:  # an all-empty dictionary column comes back as object
                df[col] = pd.Categorical(df[col].to_numpy(dtype=object), categories=pd.Index(cats, dtype=object))
        return df


class StoredFrames(Mapping):
    """A read-only mapping dataset -> frame over a store, each frame read when first used.

    `scoped(township)` gives the township's frames exactly as civmon.data.scope.scope_frames would,
    reading only that township's row groups of the large datasets."""

    def __init__(self, store: Store, township: str | None = None, parent: StoredFrames | None = None):
        self.store, self.township, self.parent = store, township, parent
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.store.meta["datasets"]:
            raise KeyError(name)
        if name not in self._frames:
            self._frames[name] = self._read(name)
        return self._frames[name]

    def _read(self, name: str) -> pd.DataFrame:
        if self.township is None:
            return self.store.read(name)
        if self.parent is not None and name in self.parent._frames:  # already in memory: filter it
            whole = self.parent._frames[name]
        elif self.store.meta["datasets"][name]["by_township"] and name != "kpi":
            whole = self.store.read(name, self.township)
        else:
            whole = self.parent[name] if self.parent is not None else self.store.read(name)
        return scope_frames({name: whole}, self.township)[name]

    def __iter__(self):
        return iter(self.store.names)

    def __len__(self) -> int:
        return len(self.store.names)

    def __contains__(self, name) -> bool:
        return name in self.store.meta["datasets"]

    def load_all(self) -> StoredFrames:
        """Read every dataset now (a fork server does, so its kernels inherit them)."""
        for name in self:
            self[name]
        return self

    def scoped(self, township: str | None) -> StoredFrames:
        return self if township is None else StoredFrames(self.store, township, parent=self)
