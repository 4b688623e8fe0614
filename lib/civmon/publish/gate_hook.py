"""The batch runner's hook into the publication gate: one callable per run, applied to each
rendered report's files, returning masked finding messages (empty: the report may be published).

The callable is a picklable object (the runner hands it to worker processes)."""

from __future__ import annotations

import os

from civmon.data.source import data_folder
from civmon.errors import MissingKeyError
from civmon.publish.gate import Scanner, scan_report


class ReportGate:
    """gate(paths) -> one masked message per finding in those files (an empty list when clean)."""

    def __init__(self, scanner: Scanner):
        self.scanner = scanner

    def __call__(self, paths) -> list[str]:
        return [f.format() for f in scan_report(list(paths), scanner=self.scanner).findings]


def scanner_for(data=None) -> Scanner:
    """A scanner for reports made from `data` ("sample" or a folder): the names and ID pseudonyms
    in its raw files and its pseudonymisation key. Without data, only the patterns (IDs, phones,
    16-hex pseudonyms) and the key in the environment, if set."""
    from civmon.data.pseudonymise import KEY_ENV

    folder = None if data is None else data_folder(str(data), must_exist=False)
    if folder is None or not folder.is_dir():
        key = os.environ.get(KEY_ENV, "")
        return Scanner(secrets={key} if key else ())
    from civmon.data.loader import resolve_key

    try:
        key = resolve_key(folder)
    except MissingKeyError:  # real data scanned without the key: names still count
        key = None
    return Scanner.for_data(folder, key=key)


def gate_for_run(params=None) -> ReportGate:
    """The gate for a run's reports, from its params (`params.data`); see `scanner_for`."""
    return ReportGate(scanner_for(getattr(params, "data", None) if params is not None else None))
