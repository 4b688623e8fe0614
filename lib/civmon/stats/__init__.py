"""civmon.stats: the evaluation estimators behind the programme notebooks.

Each function takes a DataFrame (or counts) and returns a small typed result with a tidy
``to_frame()``; designs that cannot be estimated raise :class:`EstimationError` (a
ValueError) naming the problem. Conventions, chosen to match Stata, R and fixest:

* ``did``/``ols``: classical and HC1 errors as Stata ``regress`` / ``, robust`` (t(N-K));
  cluster-robust CR1 with G/(G-1) x (N-1)/(N-K) and t(G-1); fewer than 10 clusters refused.
* ``twfe``/``event_study``: unit effects absorbed; in the cluster correction fixed effects
  nested in the clusters are not counted in K (fixest, ``reghdfe``, ``xtreg, fe``).
* ``event_study``: Sun and Abraham's interaction-weighted estimator; pre-trend F(q, G-1).
* ``did_imputation``: Borusyak-Jaravel-Spiess / Gardner two-stage imputation, did2s's GMM errors
  x G/(G-1), t(G-1); ``without_earliest_cohort`` for the event study without its first cohort.
* ``its``: OLS with AR(1) errors by REML and Satterthwaite df by default (chosen by the coverage
  study, bench/its_coverage.py); GLS-REML, Prais-Winsten, SARIMAX and Newey-West on request.
* ``ols(se="hac")``: Newey-West, Bartlett weights, no df correction (Wooldridge).
* ``cox``: Efron ties (R ``coxph``); ``km``: log-transform intervals and R's median rule;
  ``ph_test``: R ``cox.zph``'s score test of proportional hazards (KM time scale by default).
* ``proportion_ci``: Wilson without continuity correction (or Clopper-Pearson);
  ``diff_proportions_ci``: Newcombe's hybrid score interval.
* ``funnel``: Spiegelhalter's interpolated exact binomial limits (his R ``qbinom.interp``),
  Winsorised over-dispersion test and multiplicative adjustment.
"""

from civmon.stats.did import did, twfe
from civmon.stats.errors import EstimationError
from civmon.stats.event_study import event_study
from civmon.stats.funnel import FunnelStats, binomial_limits, funnel
from civmon.stats.its import DEFAULT_ERRORS as ITS_DEFAULT_ERRORS
from civmon.stats.its import its, minimum_detectable_effect
from civmon.stats.proportions import diff_proportions_ci, proportion_ci, wilson_interval
from civmon.stats.regression import OlsResult, ols
from civmon.stats.results import (CoxResult, EventStudyResult, ItsResult, KmResult, PhTest, PretrendTest,
                                  Result, results_frame)
from civmon.stats.staggered import did_imputation, without_earliest_cohort
from civmon.stats.survival import cox, km, ph_test

__all__ = [
    "CoxResult", "EstimationError", "EventStudyResult", "ItsResult", "KmResult", "OlsResult",
    "ITS_DEFAULT_ERRORS", "PretrendTest", "Result", "cox", "minimum_detectable_effect", "did", "diff_proportions_ci", "event_study", "its", "km",
    "ols", "proportion_ci", "results_frame", "twfe", "wilson_interval",
    "PhTest", "did_imputation", "ph_test", "without_earliest_cohort",
    "FunnelStats", "binomial_limits", "funnel",
]
