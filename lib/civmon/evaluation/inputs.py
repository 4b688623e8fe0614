"""What an evaluation reads: the validated run parameters, the period, the scope and the scoped frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from civmon.data.scope import resolve_scope, scope_frames
from civmon.params import RunParams
from civmon.period import Period


@dataclass
class Inputs:
    """One report's inputs. `data` is scoped to the township (the district: everything); `data_all`
    is the whole district (area names, district-wide comparisons)."""

    params: RunParams
    programme: str
    township: str | None
    scope_label: str
    data_all: dict[str, pd.DataFrame] = field(repr=False)
    synthetic: bool = True

    @property
    def period(self) -> Period:
        return self.params.period_obj

    @cached_property
    def data(self) -> dict[str, pd.DataFrame]:
        if hasattr(self.data_all, "scoped"):  # a validated store: read only the township's rows
            return self.data_all.scoped(self.township)
        return scope_frames(self.data_all, self.township)

    @property
    def is_district(self) -> bool:
        return self.township is None

    @property
    def threshold(self) -> int | None:
        """The disclosure threshold below the district level; None for the district (no suppression)."""
        return None if self.is_district else self.params.disclosure_threshold



def inputs_for(params: RunParams, programme: str, data: dict[str, pd.DataFrame], synthetic: bool = True) -> Inputs:
    """Inputs of one report from already loaded frames (tests and researchers)."""
    township, label = resolve_scope(params.scope, data.get("areas"))
    return Inputs(params=params, programme=programme, township=township, scope_label=label, data_all=data,
                  synthetic=synthetic)
