"""The data folder's optional mapping file, `civmon-data.yaml`: for headers, files and codes that
neither the dataset's own names nor the built-in synonyms cover.

```yaml
relief_payments:
  files: ["*低保*发放*.xlsx"]        # globs, relative to the folder; these files are this dataset
  sheet: 发放明细                    # the sheet, when a workbook holds several
  columns: {发放年月: month, 保障类别: category}   # source header -> column
  values:
    category: {城市低保: dibao, 农村低保: dibao, 低保边缘家庭: dibian}  # source value -> code
```

It is validated like a params file: every problem at once, with the file, the line and a
"did you mean" for unknown datasets and columns.
"""

from __future__ import annotations

import difflib
import fnmatch
import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from civmon.data.spec import DATASETS
from civmon.errors import DataError
from civmon.yamllines import key_lines, line_of

MAPPING_FILE = "civmon-data.yaml"


class MappingError(DataError):
    """A mapping file that cannot be used; the message lists every problem with its line."""

    hint = f"Correct {MAPPING_FILE} (or delete it to rely on headers and synonyms) and run again."


class DatasetMapping(BaseModel):
    """How one dataset is found and read in this folder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    files: list[str] = Field(default_factory=list, description="file name globs holding this dataset")
    sheet: str | None = Field(None, description="the sheet of a workbook holding this dataset")
    columns: dict[str, str] = Field(default_factory=dict, description="source header -> column name")
    values: dict[str, dict[str, str]] = Field(default_factory=dict, description="column -> source value -> code")

    def matches(self, file_name: str) -> bool:
        return any(fnmatch.fnmatch(file_name, g) for g in self.files)


class DataMapping(BaseModel):
    """Every dataset's entry of a mapping file (empty when the folder has none)."""

    model_config = ConfigDict(frozen=True)

    datasets: dict[str, DatasetMapping] = Field(default_factory=dict)
    digest: str = ""  # sha256 of the file's bytes: a changed mapping re-reads the data

    def get(self, dataset: str) -> DatasetMapping | None:
        return self.datasets.get(dataset)


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def parse_mapping(text: str, source: str = MAPPING_FILE) -> DataMapping:
    """Validate a mapping file's text; raise MappingError listing every problem with its line."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise MappingError(f"{source}: not valid YAML: {e}") from None
    lines = key_lines(text)

    def at(*loc) -> str:
        line = line_of(lines, loc)
        return f"{source}, line {line}" if line else source

    if not isinstance(raw, dict):
        raise MappingError(f"{source}: expected one entry per dataset (dataset name: settings).")
    problems, entries = [], {}
    for name, body in raw.items():
        if name not in DATASETS:
            problems.append(f"{at(name)}: unknown dataset '{name}'{_suggest(str(name), DATASETS)}")
            continue
        try:
            entry = DatasetMapping(**(body or {}))
        except (ValidationError, TypeError) as e:
            errs = e.errors() if isinstance(e, ValidationError) else [{"loc": (), "msg": str(e), "type": ""}]
            for err in errs:
                loc = tuple(err["loc"])
                key = f" '{'.'.join(map(str, loc))}'" if loc else ""
                hint = _suggest(str(loc[-1]), DatasetMapping.model_fields) if err["type"] == "extra_forbidden" else ""
                problems.append(f"{at(name, *loc)}: {name}{key}: {err['msg']}{hint}")
            continue
        columns = DATASETS[name].column_names
        for header, col in entry.columns.items():
            if col not in columns:
                problems.append(f"{at(name, 'columns', header)}: {name}: '{header}' is mapped to unknown column "
                                f"'{col}'{_suggest(col, columns)}")
        for col in entry.values:
            if col not in columns:
                problems.append(f"{at(name, 'values', col)}: {name}: values for unknown column '{col}'"
                                f"{_suggest(col, columns)}")
        entries[name] = entry
    if problems:
        raise MappingError("\n".join(problems))
    return DataMapping(datasets=entries, digest=hashlib.sha256(text.encode()).hexdigest())


def load_mapping(folder: Path | str) -> DataMapping:
    """The folder's mapping file, validated (an empty mapping when there is none)."""
    path = Path(folder) / MAPPING_FILE
    if not path.is_file():
        return DataMapping()
    return parse_mapping(path.read_text(encoding="utf-8"), source=str(path))
