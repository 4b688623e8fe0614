"""What a report says about itself (title, scope, period, synthetic or not); light enough for kernels to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import civmon

REPORT_MIME = "application/vnd.civmon.report+json"
INDICATORS_MIME = "application/vnd.civmon.indicators+json"
SAMPLE_BANNER = "示例数据（合成），非真实统计"


@dataclass
class ReportInfo:
    """What the title block, running header and banner show; recorded by the notebook itself."""

    title: str = "监测评估报告"
    district: str = "吴兴区"
    scope_label: str = "全区"
    period_label: str = ""
    period_range: str = ""
    data_label: str = ""
    synthetic: bool = True
    generated: str = field(default_factory=lambda: date.today().isoformat())
    version: str = civmon.__version__
    programme: str = ""
    warnings: int = 0  # data-quality warnings in the datasets this report reads
