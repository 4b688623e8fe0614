"""Data contracts, readers, validation and the cache: the bureau's files in, canonical frames out.

Entry points:
- `load(folder, key=...)` -> LoadResult (.data canonical pseudonymised frames, .report, .files, .sha256)
- `validate_folder(folder)` -> ValidationReport (what `civmon validate` prints)
- `data_dictionary_markdown()` (what `civmon contracts` prints) and `write_templates(out_dir)`
Modules: spec (datasets), contracts (pandera schemas), readers (files -> cells), parsing (cells ->
dtypes), canonical (one dataset), crosschecks (across datasets), cache, loader, validation,
dictionary, messages_zh, pseudonymise.
"""

from civmon.data.crosschecks import Coverage
from civmon.data.dictionary import data_dictionary_markdown, write_templates
from civmon.data.discovery import discover_tables
from civmon.data.loader import LoadResult, is_sample, load, resolve_key, validate_folder
from civmon.data.validation import DatasetSummary, DataValidationError, Problem, ValidationReport

__all__ = [
    "load", "validate_folder", "LoadResult", "discover_tables", "is_sample", "resolve_key", "Coverage",
    "ValidationReport", "Problem", "DatasetSummary", "DataValidationError",
    "data_dictionary_markdown", "write_templates",
]
