"""Typed run parameters: the one definition of what a report run takes, validated before any kernel starts."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from civmon import programmes as catalogue
from civmon.errors import ParamsError, PeriodError
from civmon.period import ACCEPTED_FORMS, Period
from civmon.yamllines import key_lines, line_of

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PARAMS_FILE = REPO_ROOT / "params" / "default.yaml"

FORMATS = ("html", "pdf")


def _did_you_mean(word: str, known, otherwise: str = "") -> str:
    """'; did you mean 'x'?' for the closest known word, else `otherwise`."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else otherwise


class RunParams(BaseModel):
    """Everything a report run takes. `period` is a label such as 2023H1; see `Period.parse`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    district: str = Field("吴兴区", description="district name shown on the reports")
    district_code: str = Field("330502", description="district administrative code")
    period: str = Field("2023H1", description=f"reporting period: {ACCEPTED_FORMS}")
    scope: str = Field("district", description="'district', 'all' (the district and every township), or one township's name or code")
    data: str = Field("sample", description="'sample' for the built-in synthetic data, or a folder of the bureau's files")
    programmes: list[str] | Literal["available"] = Field(
        default_factory=lambda: list(catalogue.selectable()),
        description="the programme reports to run (the catalogue's ids), or 'available': every one the data can feed")
    overview: bool = Field(True, description="also render the half-year overview report")
    formats: list[Literal["html", "pdf"]] = Field(default_factory=lambda: list(FORMATS))
    language: Literal["zh"] = "zh"
    disclosure_threshold: int = Field(5, ge=1, description="counts below this are suppressed in published tables")
    area_standard_m2_per_100_households: float = Field(20.0, gt=0)
    per_capita_consumption: float | None = Field(None, gt=0, description="yuan per person per year, for adequacy")
    targets: dict[str, float] = Field(default_factory=dict, description="target value per indicator id")
    output_dir: str = Field("outputs", description="where run folders are written")
    run_name: str | None = Field(None, description="the run folder's name; default <district>-<period>")

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> str:
        try:
            return Period.parse(v).label
        except PeriodError as e:
            raise ValueError(str(e)) from None

    @field_validator("programmes", mode="before")
    @classmethod
    def _list_or_available(cls, v):
        if isinstance(v, str) and v != "available":
            raise ValueError(f"expected a list of programme ids ({', '.join(catalogue.selectable())}) or 'available', "
                             f"not '{v}'")
        return v

    @field_validator("programmes", "formats")
    @classmethod
    def _unique(cls, v):
        return v if isinstance(v, str) else list(dict.fromkeys(v))

    @field_validator("programmes")
    @classmethod
    def _known_programmes(cls, v):
        if isinstance(v, str):
            return v
        known = catalogue.selectable()
        for pid in v:
            if pid not in known:
                raise ValueError(f"unknown programme '{pid}' (one of {', '.join(known)}){_did_you_mean(pid, known)}")
        return v

    @field_validator("targets")
    @classmethod
    def _known_indicators(cls, v: dict[str, float]) -> dict[str, float]:
        from civmon.indicators import all_indicators

        known = all_indicators()
        for key in v:
            if key not in known:
                hint = _did_you_mean(key, known, "; `civmon indicators` lists the ids")
                raise ValueError(f"unknown indicator id '{key}'{hint}")
        return v

    @property
    def wants_available(self) -> bool:
        """`programmes: available`: run every programme the data can feed."""
        return self.programmes == "available"

    def with_programmes(self, programmes: list[str]) -> "RunParams":
        """The same parameters with the programme list resolved."""
        return self.model_copy(update={"programmes": list(programmes)})

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    @property
    def is_sample(self) -> bool:
        return self.data == "sample"

    @property
    def name(self) -> str:
        return self.run_name or f"{self.district_code}-{self.period}"


def _describe(err: dict, source: str, lines: dict[tuple, int]) -> str:
    loc = tuple(err["loc"])
    bad_id = re.search(r"unknown indicator id '([^']+)'", err["msg"])
    if bad_id:  # point at the offending key inside the mapping, not at the mapping
        loc = (*loc, bad_id.group(1))
    field = ".".join(str(x) for x in loc) or "(file)"
    line = line_of(lines, loc)
    where = f"{source}, line {line}" if line else source
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), RunParams.model_fields, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else f" Known keys: {', '.join(RunParams.model_fields)}."
        return f"{where}: unknown key '{loc[-1]}'.{hint}"
    msg = err["msg"].removeprefix("Value error, ")
    expected = RunParams.model_fields[loc[0]].annotation if loc and loc[0] in RunParams.model_fields else None
    exp = f" (expected {_type_name(expected)})" if expected is not None and err["type"].endswith(("_type", "_parsing")) else ""
    return f"{where}: '{field}': {msg}{exp}"


def _type_name(t: Any) -> str:
    return getattr(t, "__name__", None) or str(t).replace("typing.", "")


def parse_params(values: dict[str, Any], source: str = "parameters", text: str | None = None) -> RunParams:
    """Validate a mapping of parameters; raise ParamsError listing every problem with file and line."""
    if not isinstance(values, dict):
        raise ParamsError(f"{source}: expected a mapping of keys to values, got {type(values).__name__}.")
    try:
        return RunParams(**values)
    except ValidationError as e:
        lines = key_lines(text) if text else {}
        problems = [_describe(err, source, lines) for err in e.errors()]
        raise ParamsError("\n".join(problems)) from None


def load_params(path: str | Path, overrides: dict[str, Any] | None = None) -> RunParams:
    """Read and validate a YAML params file (plus optional overrides)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(f"{path}: no such params file.") from None
    try:
        values = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        raise ParamsError(f"{path}: not valid YAML: {e}") from None
    if isinstance(values, dict) and overrides:
        values = {**values, **overrides}
    return parse_params(values, source=str(path), text=text)


def for_notebook(run_params: dict[str, Any] | None) -> RunParams:
    """The notebook's parameters: what papermill injected, or params/default.yaml on Run All."""
    if run_params:
        return parse_params(dict(run_params), source="injected parameters")
    return load_params(DEFAULT_PARAMS_FILE)
