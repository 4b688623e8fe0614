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


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of a folder's files: a cheap test that nothing changed."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


# Data loaded by a batch's forked-kernel server before it forks (see civmon.run.forkserver): each
# report's kernel starts with the validated frames already in memory, shared copy-on-write. An entry
# is used only while the folder's files are unchanged.
_PRELOADED: dict[str, tuple[tuple, LoadedData]] = {}


def _load(folder: Path) -> LoadedData:
    from civmon.data.loader import load, resolve_key

    result = load(folder, key=resolve_key(folder))
    result.raise_for_errors()
    tables = [{"table": t.source.label, "dataset": t.dataset, "how": t.how, "score": t.score}
              for t in (result.discovery.tables if result.discovery else [])]
    return LoadedData(result.data, result.report, result.sha256, folder, tables)


def preload(data: str) -> None:
    """Load and keep the run's data in this process, for kernels forked from it."""
    folder = data_folder(data)
    _PRELOADED[str(folder.resolve())] = (_stamp(folder), _load(folder))


def load_data(data: str) -> LoadedData:
    """Read and validate the run's data (`sample` or a folder); raise DataValidationError listing every problem."""
    folder = data_folder(data)
    hit = _PRELOADED.get(str(folder.resolve()))
    if hit is not None and hit[0] == _stamp(folder):
        return hit[1]
    return _load(folder)
