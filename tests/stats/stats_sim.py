"""Simulated panels with planted effects, shared by the civmon.stats tests (a helper module,
not a conftest, so its name cannot clash with other test directories)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_staggered_panel(rng: np.random.Generator, n_units: int, n_periods: int,
                         cohorts: list[float], effect, missing: float = 0.0,
                         noise: float = 1.0) -> pd.DataFrame:
    """Unit x period panel: y = unit effect + time effect + effect(cohort, event time) + noise.

    ``cohorts`` lists first-treated periods (np.nan = never treated), assigned in equal shares;
    ``effect(g, e)`` is the planted effect (vectorised, applied where e >= 0);
    ``missing`` drops that share of rows at random (an unbalanced panel).
    """
    g_unit = np.asarray(cohorts, dtype=float)[np.arange(n_units) % len(cohorts)]
    unit = np.repeat(np.arange(n_units), n_periods)
    time = np.tile(np.arange(n_periods), n_units)
    g = g_unit[unit]
    e = time - g
    treated = np.isfinite(g) & (e >= 0)
    eff = np.zeros(len(unit))
    eff[treated] = effect(g[treated], e[treated])
    y = (rng.normal(0, 1, n_units)[unit] + 0.1 * time + rng.normal(0, 0.5, n_periods)[time]
         + eff + rng.normal(0, noise, len(unit)))
    df = pd.DataFrame({"unit": unit, "time": time, "first_treated": g, "y": y,
                       "treated": treated.astype(int), "true_effect": eff})
    if missing:
        df = df[rng.random(len(df)) >= missing].reset_index(drop=True)
    return df
