"""civmon.stats: the evaluation estimators behind the programme notebooks.

Each function takes a DataFrame (or counts) and returns a small typed result with a tidy
``to_frame()``; designs that cannot be estimated raise :class:`EstimationError` (a
ValueError) naming the problem. Conventions, chosen to match Stata, R and fixest:

* ``did``/``ols``: classical and HC1 errors as Stata ``regress`` / ``, robust`` (t(N-K));
  cluster-robust CR1 with G/(G-1) x (N-1)/(N-K) and t(G-1); fewer than 10 clusters refused.
* ``twfe``/``event_study``: unit effects absorbed; in the cluster correction fixed effects
  nested in the clusters are not counted in K (fixest, ``reghdfe``, ``xtreg, fe``).
* ``event_study``: Sun and Abraham's interaction-weighted estimator; pre-trend F(q, G-1).
* ``its``/``ols(se="hac")``: Newey-West, Bartlett weights, no df correction (Wooldridge).
* ``cox``: Efron ties (R ``coxph``); ``km``: log-transform intervals and R's median rule.
* ``proportion_ci``: Wilson without continuity correction (or Clopper-Pearson);
  ``diff_proportions_ci``: Newcombe's hybrid score interval.
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
