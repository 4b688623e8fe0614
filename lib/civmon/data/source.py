"""Where a run's data comes from and how it is loaded: the built-in sample or a bureau's folder,
read, validated and pseudonymised once, optionally preloaded by the fork server for its kernels.

Used alike by the CLI, the batch runner, the fork server, the publication gate and notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from civmon.errors import DataSourceError

SAMPLE = "sample"


def data_folder(data: str, must_exist: bool = True) -> Path:
    """The folder of raw files behind params `data`: the built-in sample (generated once, cached) or a folder."""
    if str(data) == SAMPLE:
        from civmon.sample import sample_dir

        return sample_dir()
    folder = Path(data).expanduser()
    if must_exist and not folder.is_dir():
        raise DataSourceError(f"data folder {folder} does not exist (params 'data' is 'sample' or a folder)")
    return folder


@dataclass
class LoadedData:
    """A run's validated frames with their validation report, input digests and source folder."""

    frames: dict[str, pd.DataFrame]
    validation: object
    sha256: dict[str, str]
    folder: Path
    tables: list[dict] = field(default_factory=list)  # each table: what it was taken for, how, how sure

    def __iter__(self):  # data, report, digests, folder = load_data(...)
        return iter((self.frames, self.validation, self.sha256, self.folder))


def _stamp(folder: Path) -> list:
    """A cheap test that nothing in the folder changed (the validated store's stamp)."""
    from civmon.data.store import folder_stamp

    return folder_stamp(folder)


# Data loaded by a batch's forked-kernel server before it forks (see civmon.run.forkserver): each
# report's kernel starts with the validated frames already in memory, shared copy-on-write. An entry
# is used only while the folder's files are unchanged.
_PRELOADED: dict[str, tuple[tuple, LoadedData]] = {}


# A fork server preloads every dataset only when the store holds at most this many rows in all:
# then its kernels inherit the frames; beyond it each kernel reads its own datasets and township.
PRELOAD_MAX_ROWS = 5_000_000


def _load(folder: Path) -> LoadedData:
    """The folder's validated store (built on first use): frames read when first used."""
    from civmon.data.cache import default_cache_dir
    from civmon.data.loader import load, resolve_key
    from civmon.data.store import Store, StoredFrames, store_id, write_store

    key = resolve_key(folder)
    root, sid = default_cache_dir(), store_id(folder, key)
    store = Store.open(root, sid)
    if store is None:
        result = load(folder, key=key)
        result.raise_for_errors()
        tables = [{"table": t.source.label, "dataset": t.dataset, "how": t.how, "score": t.score}
                  for t in (result.discovery.tables if result.discovery else [])]
        try:
            write_store(root, sid, result.data, result.report, result.sha256, tables)
        except OSError:  # a read-only cache: this run still has its frames
            pass
        return LoadedData(result.data, result.report, result.sha256, folder, tables)
    return LoadedData(StoredFrames(store), store.report(), store.meta["sha256"], folder, store.meta["tables"])


def preload(data: str) -> None:
    """Load and keep the run's data in this process, for kernels forked from it: the store's index
    always, every frame only when the data are small (PRELOAD_MAX_ROWS)."""
    folder = data_folder(data)
    loaded = _load(folder)
    if hasattr(loaded.frames, "load_all") and \
            sum(d["rows"] for d in loaded.frames.store.meta["datasets"].values()) <= PRELOAD_MAX_ROWS:
        loaded.frames.load_all()
    _PRELOADED[str(folder.resolve())] = (_stamp(folder), loaded)


def load_data(data: str) -> LoadedData:
    """The run's validated data (`sample` or a folder); raise DataValidationError listing every problem.
    Frames come from the folder's validated store and are read when first used."""
    folder = data_folder(data)
    hit = _PRELOADED.get(str(folder.resolve()))
    if hit is not None and hit[0] == _stamp(folder):
        return hit[1]
    return _load(folder)
