"""Small typed result objects returned by civmon.stats, each with a tidy ``to_frame()``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RESULT_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "pvalue", "n", "method"]


@dataclass(frozen=True)
class Result:
    """One estimate with its standard error, confidence interval and test of zero.

    ``pvalue`` is None where no hypothesis test applies (e.g. a proportion's interval);
    ``df`` is the t degrees of freedom used for the interval (None: normal approximation);
    ``n_clusters`` is set for cluster-robust errors; ``table`` holds the full coefficient
    table of the fitted model when there is one (not compared, not printed).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float | None
    n: int
    method: str
    term: str = "estimate"
    level: float = 0.95
    df: float | None = None
    n_clusters: int | None = None
    table: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: term, estimate, se, ci_low, ci_high, pvalue, n, method."""
        return pd.DataFrame([{c: getattr(self, c) for c in RESULT_COLUMNS}])


def results_frame(results: list[Result]) -> pd.DataFrame:
    """Stack several results into one tidy table."""
    return pd.concat([r.to_frame() for r in results], ignore_index=True)


@dataclass(frozen=True)
class PretrendTest:
    """Joint Wald test that all pre-treatment event-time effects are zero: ``stat`` = W/q on
    F(``df`` = q leads, ``df_denom``) (df_denom = G-1 with cluster-robust errors)."""

    stat: float
    df: int
    pvalue: float
    event_times: tuple[int, ...] = ()
    df_denom: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: stat, df, df_denom, pvalue."""
        return pd.DataFrame([{"stat": self.stat, "df": self.df, "df_denom": self.df_denom,
                              "pvalue": self.pvalue}])


@dataclass(frozen=True)
class EventStudyResult:
    """Dynamic effects under staggered adoption.

    ``by_event_time``: event_time, estimate, se, ci_low, ci_high, pvalue, n (treated obs);
    ``att``: overall ATT over event times 0..m of the window; ``pretrend``: joint test of the
    leads in the window (None when the window holds no lead before the reference period -1);
    ``by_cohort_time``: cohort, event_time, estimate, se, ci_low, ci_high, n.
    """

    by_event_time: pd.DataFrame
    att: Result
    pretrend: PretrendTest | None
    by_cohort_time: pd.DataFrame
    method: str
    n: int
    n_clusters: int
    control: str
    dropped_units: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The event-time table (what a notebook plots)."""
        return self.by_event_time.copy()


@dataclass(frozen=True)
class ItsDiagnostics:
    """Residual checks of an ITS fit: Durbin-Watson of the OLS residuals (2 = no lag-1
    autocorrelation); Ljung-Box Q on ``ljung_box_lags`` lags of the residuals the error model leaves
    (p < 0.05: autocorrelation it has not captured); the AR order and rho of the error model (None
    for Newey-West) and whether rho sits on its bound (a near unit root)."""

    durbin_watson: float
    ljung_box: float
    ljung_box_p: float
    ljung_box_lags: int
    ar_order: int
    rho: float | None
    rho_at_bound: bool = False


@dataclass(frozen=True)
class ItsResult:
    """Segmented-regression interrupted time series.

    ``level_change`` is the jump at the intervention, ``slope_change`` the change in trend
    per period, ``pre_slope`` the pre-intervention trend; ``fitted`` has time, observed,
    fitted, counterfactual and post for plotting; ``table`` the full coefficient table.
    """

    level_change: Result
    slope_change: Result
    pre_slope: Result
    fitted: pd.DataFrame
    table: pd.DataFrame
    hac_lags: int
    n: int
    errors: str = "newey-west"
    diagnostics: ItsDiagnostics | None = None
    vcov: np.ndarray | None = field(default=None, compare=False, repr=False)
    names: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows for the level change and the slope change."""
        return results_frame([self.level_change, self.slope_change])


@dataclass(frozen=True)
class KmResult:
    """Kaplan-Meier estimate: the survival ``table`` and the ``median`` with its CI per group."""

    table: pd.DataFrame
    median: pd.DataFrame
    level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """The median table (group, n, events, median, ci_low, ci_high)."""
        return self.median.copy()


@dataclass(frozen=True)
class CoxResult:
    """Cox model: ``table`` of coefficients and hazard ratios with CIs; ``raw`` statsmodels results."""

    table: pd.DataFrame
    raw: object = field(compare=False, repr=False)
    n: int = 0
    n_events: int = 0
    ties: str = "efron"
    loglik: float = np.nan

    def to_frame(self) -> pd.DataFrame:
        """The hazard-ratio table."""
        return self.table.copy()


@dataclass(frozen=True)
class PhTest:
    """Proportional-hazards test of a Cox model (R ``cox.zph``): ``table`` has term, chisq, df, pvalue
    per covariate; the global test over all covariates; the time ``transform`` used."""

    table: pd.DataFrame
    global_chisq: float
    global_df: int
    global_pvalue: float
    transform: str = "km"
    n_events: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The per-covariate rows and a last GLOBAL row, as cox.zph prints them."""
        glob = pd.DataFrame([{"term": "GLOBAL", "chisq": self.global_chisq, "df": self.global_df,
                              "pvalue": self.global_pvalue}])
        return pd.concat([self.table, glob], ignore_index=True)
