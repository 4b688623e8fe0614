"""What a report notebook works with: the evaluation's inputs plus what the report says about
itself (title, source line, validation warnings, provenance) and the indicator records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from civmon import programmes
from civmon.data.scope import resolve_scope
from civmon.data.source import load_data
from civmon.evaluation.inputs import Inputs
from civmon.params import RunParams
from civmon.report.info import INDICATORS_MIME, REPORT_MIME, ReportInfo

SAMPLE_SOURCE = "civmon 内置合成示例数据（非真实统计）"


def source_line(synthetic: bool, district: str) -> str:
    """The source line under charts and tables."""
    return SAMPLE_SOURCE if synthetic else f"{district}民政局业务数据"


@dataclass
class ReportContext(Inputs):
    """The state a report notebook needs, built once by `open_report`."""

    validation: Any = None
    sha256: dict[str, str] = field(default_factory=dict)
    source_dir: Path | None = None
    tables: list[dict] = field(default_factory=list)  # each input table: what it was taken for and how

    @property
    def programme_entry(self) -> programmes.Programme:
        return programmes.get(self.programme)

    @property
    def title(self) -> str:
        return self.programme_entry.name_zh

    @property
    def source(self) -> str:
        """The source line under charts and tables."""
        return source_line(self.synthetic, self.params.district)

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
        reads = set(programmes.datasets_read(self.programme))
        return sum(1 for p in self.validation.warnings if p.dataset in reads or p.dataset is None)

    def evaluate(self):
        """The programme's evaluation of this report's inputs (see the catalogue's `evaluation`)."""
        return self.programme_entry.evaluation_module().evaluate(self)

    def record(self, frame) -> "IndicatorRecord":
        """Record indicator rows (a frame with columns id, value, ..., or a Headline) for the run's tables."""
        return record_indicators(self, getattr(frame, "frame", frame))

    def _repr_mimebundle_(self, include=None, exclude=None):
        info = self.info()
        text = f"{info.title} · {info.scope_label} · {info.period_label}" + (" · 示例数据（合成）" if info.synthetic else "")
        return {REPORT_MIME: asdict(info), "text/plain": text}


def open_report(params: RunParams, programme: str, data=None) -> ReportContext:
    """Build the context of one report: load data, resolve the scope. Pass `data` to skip loading."""
    from civmon.data.loader import is_sample

    validation, sha, folder, tables = None, {}, None, []
    if data is None:
        loaded = load_data(params.data)
        data, validation, sha, folder, tables = (loaded.frames, loaded.validation, loaded.sha256, loaded.folder,
                                                 loaded.tables)
    programmes.get(programme)
    township, label = resolve_scope(params.scope, data.get("areas"))
    synthetic = params.is_sample or (folder is not None and is_sample(folder))
    return ReportContext(params=params, programme=programme, township=township, scope_label=label,
                         data_all=data, synthetic=synthetic, validation=validation, sha256=sha, source_dir=folder,
                         tables=tables)


class IndicatorRecord:
    """A displayable bundle of indicator values that the runner collects from executed notebooks."""

    def __init__(self, rows: list[dict]):
        self.rows = rows

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {INDICATORS_MIME: {"indicators": self.rows}, "text/plain": f"{len(self.rows)} indicators recorded"}


def record_indicators(ctx: Inputs, table: pd.DataFrame) -> IndicatorRecord:
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
