"""civmon.stats: the evaluation estimators behind the programme notebooks.

Each function takes a DataFrame (or counts) and returns a small typed result with a tidy
``to_frame()``; designs that cannot be estimated raise :class:`EstimationError`.
"""

from civmon.stats.did import did, twfe
from civmon.stats.errors import EstimationError
from civmon.stats.event_study import event_study
from civmon.stats.its import its
from civmon.stats.proportions import diff_proportions_ci, proportion_ci, wilson_interval
from civmon.stats.regression import OlsResult, ols
from civmon.stats.results import (CoxResult, EventStudyResult, ItsResult, KmResult, PretrendTest,
                                  Result, results_frame)
from civmon.stats.survival import cox, km

__all__ = [
    "CoxResult", "EstimationError", "EventStudyResult", "ItsResult", "KmResult", "OlsResult",
    "PretrendTest", "Result", "cox", "did", "diff_proportions_ci", "event_study", "its", "km",
    "ols", "proportion_ci", "results_frame", "twfe", "wilson_interval",
]
