"""Data contracts, readers, validation and the cache: the bureau's files in, canonical frames out.

Entry points: `load(folder, key=...)` -> LoadResult, `validate_folder(folder)` -> ValidationReport,
`data_dictionary_markdown()` and `write_templates(out_dir)`.
"""

from civmon.data.dictionary import data_dictionary_markdown, write_templates
from civmon.data.loader import LoadResult, discover, is_sample, load, resolve_key, validate_folder
from civmon.data.validation import DataValidationError, Problem, ValidationReport

__all__ = [
    "load", "validate_folder", "LoadResult", "discover", "is_sample", "resolve_key",
    "ValidationReport", "Problem", "DataValidationError", "data_dictionary_markdown", "write_templates",
]
