"""What a report notebook works with: validated params, the period, the scope and the scoped data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from civmon.params import RunParams
from civmon.period import Period
from civmon.report.info import INDICATORS_MIME, REPORT_MIME, ReportInfo

REPORTS: dict[str, tuple[str, str]] = {
    "relief": ("relief_outcomes.ipynb", "社会救助成效评估"),
    "eldercare": ("eldercare_upgrades.ipynb", "养老服务设施提升评估"),
    "migrants": ("migrant_support.ipynb", "水库移民后期扶持监测评估"),
    "overview": ("overview.ipynb", "民政工作监测概览"),
}


class ScopeError(ValueError):
    """A scope that names no known township."""


def resolve_scope(scope: str, areas: pd.DataFrame | None) -> tuple[str | None, str]:
    """Township code (None for the district) and the scope's Chinese label."""
    if scope in ("district", "", None):
        return None, "全区"
    if areas is None:
        raise ScopeError(f"scope '{scope}' needs the areas table to find the township")
    towns = areas[areas["level"] == "township"]
    hit = towns[(towns["area_code"].astype(str) == str(scope)) | (towns["area_name"].astype(str) == str(scope))]
    if hit.empty:
        names = "、".join(towns["area_name"].astype(str))
        raise ScopeError(f"scope '{scope}' is not a township of the data. Use 'district', 'all', or one of: {names}")
    row = hit.iloc[0]
    return str(row["area_code"]), str(row["area_name"])


def area_names(areas: pd.DataFrame) -> pd.Series:
    """area_code -> area_name for every area (townships, villages, communities)."""
    return pd.Series(areas["area_name"].astype(str).to_numpy(), index=areas["area_code"].astype(str).to_numpy())


def label_areas(codes: pd.Series, names: pd.Series) -> pd.Series:
    """The names of area codes (the code itself where the name is unknown)."""
    c = codes.astype(str)
    return c.map(names).fillna(c)


def scope_frames(data: dict[str, pd.DataFrame], township: str | None) -> dict[str, pd.DataFrame]:
    """Filter every dataset with a township_code column to one township (identity for the district)."""
    if township is None:
        return dict(data)
    out = {}
    for name, df in data.items():
        if "township_code" in df.columns and name != "kpi":
            out[name] = df[df["township_code"].astype(str) == township]
        elif name == "areas":
            out[name] = df[(df["area_code"].astype(str) == township) | (df["parent_code"].astype(str) == township)]
        elif name == "kpi":
            out[name] = df[df["township_code"].astype("string").fillna("") == township]
        else:
            out[name] = df
    return out


@dataclass
class ReportContext:
    """The state a report notebook needs, built once by `open_report`."""

    params: RunParams
    programme: str
    township: str | None
    scope_label: str
    data_all: dict[str, pd.DataFrame] = field(repr=False)
    validation: Any = None
    sha256: dict[str, str] = field(default_factory=dict)
    source_dir: Path | None = None

    @property
    def period(self) -> Period:
        return self.params.period_obj

    @cached_property
    def data(self) -> dict[str, pd.DataFrame]:
        return scope_frames(self.data_all, self.township)

    @property
    def title(self) -> str:
        return REPORTS[self.programme][1]

    @property
    def synthetic(self) -> bool:
        """Fed by the synthetic sample (the built-in one or a copy of it, marked SYNTHETIC_SAMPLE)."""
        from civmon.data.loader import is_sample

        return self.params.is_sample or (self.source_dir is not None and is_sample(self.source_dir))

    @property
    def source(self) -> str:
        """The source line under charts and tables."""
        if self.synthetic:
            return "civmon 内置合成示例数据（非真实统计）"
        return f"{self.params.district}民政局业务数据"

    @property
    def is_district(self) -> bool:
        return self.township is None

    def info(self) -> ReportInfo:
        p = self.period
        return ReportInfo(
            title=self.title,
            district=self.params.district,
            scope_label=self.params.district + ("" if self.is_district else self.scope_label),
            period_label=p.label_zh,
            period_range=f"{p.start:%Y年%m月%d日}至{p.end:%Y年%m月%d日}",
            data_label="内置合成示例数据（非真实记录）" if self.synthetic else f"业务数据：{self.source_dir}",
            synthetic=self.synthetic,
            programme=self.programme,
            warnings=self.n_warnings(),
        )

    def n_warnings(self) -> int:
        """Validation warnings (problem rows) in the datasets this report reads."""
        if self.validation is None:
            return 0
        from civmon.run.jobs import datasets_read

        reads = set(datasets_read(self.programme))
        return sum(1 for p in self.validation.warnings if p.dataset in reads or p.dataset is None)

    def headline(self, ids=None):
        """This report's headline figures: now, previous period, a year earlier, target status."""
        from civmon.report.headline import HEADLINE_IDS, headline

        return headline(ids or HEADLINE_IDS[self.programme], self.data, self.period, self.params.targets,
                        suppress_below=self.suppression_threshold)

    @property
    def suppression_threshold(self) -> int | None:
        """The disclosure threshold below the district level; None for the district (no suppression)."""
        return None if self.is_district else self.params.disclosure_threshold

    def area_table(self, frame: pd.DataFrame, **kw):
        """A table of persons or households by township/village, suppressed at the run's threshold."""
        from civmon.report.tables import area_table

        return area_table(frame, threshold=self.params.disclosure_threshold, **kw)

    def record(self, frame: pd.DataFrame) -> "IndicatorRecord":
        """Record indicator rows (columns id, value, ...) in the executed notebook for the run's tables."""
        return record_indicators(self, frame)

    def _repr_mimebundle_(self, include=None, exclude=None):
        info = self.info()
        text = f"{info.title} · {info.scope_label} · {info.period_label}" + (" · 示例数据（合成）" if info.synthetic else "")
        return {REPORT_MIME: asdict(info), "text/plain": text}


def data_folder(params: RunParams) -> Path:
    """The folder of raw files behind params `data` (the built-in sample is generated once, cached)."""
    if params.is_sample:
        from civmon.sample import sample_dir

        return sample_dir()
    folder = Path(params.data).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"data folder {folder} does not exist (params 'data' is 'sample' or a folder)")
    return folder


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of a folder's files: a cheap test that nothing changed."""
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


# Data loaded by a batch's forked-kernel server before it forks (see civmon.run.forkserver): each
# report's kernel starts with the validated frames already in memory, shared copy-on-write. An entry
# is used only while the folder's files are unchanged.
_PRELOADED: dict[str, tuple[tuple, tuple]] = {}


def preload(params: RunParams) -> None:
    """Load and keep the run's data in this process, for kernels forked from it."""
    folder = data_folder(params)
    _PRELOADED[str(folder.resolve())] = (_stamp(folder), _load(folder))


def _load(folder: Path) -> tuple:
    from civmon import data as cdata
    from civmon.data.loader import resolve_key

    result = cdata.load(folder, key=resolve_key(folder))
    result.raise_for_errors()
    return result.data, result.report, result.sha256, folder


def load_data(params: RunParams) -> tuple[dict[str, pd.DataFrame], Any, dict[str, str], Path]:
    """Read and validate the run's data (the built-in sample or a folder); raise on errors."""
    folder = data_folder(params)
    hit = _PRELOADED.get(str(folder.resolve()))
    if hit is not None and hit[0] == _stamp(folder):
        return hit[1]
    return _load(folder)


def open_report(params: RunParams, programme: str, data=None) -> ReportContext:
    """Build the context of one report: load data, resolve the scope. Pass `data` to skip loading."""
    validation, sha, folder = None, {}, None
    if data is None:
        data, validation, sha, folder = load_data(params)
    township, label = resolve_scope(params.scope, data.get("areas"))
    return ReportContext(params=params, programme=programme, township=township, scope_label=label,
                         data_all=data, validation=validation, sha256=sha, source_dir=folder)


class IndicatorRecord:
    """A displayable bundle of indicator values that the runner collects from executed notebooks."""

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {INDICATORS_MIME: {"indicators": self.rows}, "text/plain": f"{len(self.rows)} indicators recorded"}


def record_indicators(ctx: ReportContext, table: pd.DataFrame) -> IndicatorRecord:
    """Record a headline table (columns id, value, ...) in the executed notebook for the run's indicators.csv."""
    rows = []
    for rec in table.to_dict("records"):
        hidden = rec.pop("hidden", ()) or ()
        rec["suppressed"] = "value" in hidden
        rows.append({
            "indicator_id": rec["id"], "value": None if pd.isna(rec["value"]) else float(rec["value"]),
            "period": ctx.period.label, "scope": ctx.township or "district", "programme": ctx.programme,
            **{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()
               if k not in ("id", "value") and isinstance(v, (str, int, float, bool, type(None)))},
        })
    json.dumps(rows)  # fail here, not in the runner, if something is not serialisable
    return IndicatorRecord(rows)
