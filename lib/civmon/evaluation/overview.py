"""The half-year overview's numbers: a scorecard of every registered indicator (with the 2023 H1
summary's published figure beside it where that applies) and the monthly series of key indicators."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civmon import programmes
from civmon.data.availability import missing_datasets
from civmon.disclosure import suppress_series
from civmon.evaluation.base import Result
from civmon.evaluation.headline import Headline, headline
from civmon.evaluation.inputs import Inputs
from civmon.indicators import all_indicators
from civmon.period import Period

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
# Series for the small multiples: stocks at month end and monthly flows that a reviewer follows.
KEY_SERIES = ["lowincome_households", "lowincome_funds", "temp_relief_funds", "one_stop_person_times",
              "care_center_service_times", "alliance_needs_collected"]
SERIES_MONTHS = 24
REFERENCE_PERIOD = "2023H1"  # the period of the published summary the sample is calibrated to


def reference_figures() -> pd.DataFrame:
    """The published figures of the 2023 H1 summary (the calibration reference of the sample)."""
    return pd.read_csv(RESOURCES / "seed_h1_2023_figures.csv")


def scorecard_order(reference_ids) -> list[str]:
    """Every registered id by programme group; the summary's own figures first, in its order; then the rest by id."""
    reg = all_indicators()
    groups = list(programmes.group_names())
    ref_order = {i: n for n, i in enumerate(reference_ids)}
    lead = {i: n for p in programmes.report_programmes() for n, i in enumerate(p.headline_ids)}

    def order(i):
        g = groups.index(reg[i].programme) if reg[i].programme in groups else 99
        return (g, 0 if i in lead or i in ref_order else 1, lead.get(i, ref_order.get(i, 0)), i)

    return sorted(reg, key=order)


def scorecard(inputs: Inputs) -> Headline:
    """Every registered indicator: value, previous, a year earlier, change, target, status; and for the
    district in the summary's period, the published figure and its bound (exact / at_least)."""
    ref = reference_figures()
    h = headline(scorecard_order(ref["indicator_id"]), inputs.data, inputs.period, inputs.params.targets,
                 suppress_below=inputs.threshold)
    frame = h.frame
    frame["headline"] = False
    if inputs.is_district and inputs.period.label == REFERENCE_PERIOD:
        ref_map = ref.set_index("indicator_id")
        frame["reference_value"] = frame["id"].map(ref_map["value"])
        frame["bound"] = frame["id"].map(ref_map["bound"])
    return Headline(frame, h.threshold)


def monthly_series(data: dict[str, pd.DataFrame], period: Period, ids=KEY_SERIES, months: int = SERIES_MONTHS,
                   threshold: int | None = None) -> pd.DataFrame:
    """Each indicator computed month by month over the `months` months ending with the period
    (columns month, id, label, unit, value); small counts suppressed with `threshold`. Indicators whose
    datasets the data lacks are left out."""
    reg = all_indicators()
    end = pd.Period(period.end, freq="M")
    rows = []
    for m in pd.period_range(end - months + 1, end, freq="M"):
        p = Period.parse(f"{m.year}-{m.month:02d}")
        for i in ids:
            if i not in reg or not set(reg[i].inputs) <= set(data):  # partial data: no empty panel
                continue
            try:
                v = reg[i].compute(data, p)
            except (KeyError, ValueError, ZeroDivisionError):
                v = None
            rows.append(dict(month=m.to_timestamp(), id=i, label=reg[i].label_zh, unit=reg[i].unit, value=v))
    return suppress_series(pd.DataFrame(rows), threshold)


@dataclass
class StatusCounts(Result):
    """How many indicators with a target met it, came near or missed it."""

    judged: int
    met: int
    near: int
    not_met: int


def status_counts(frame: pd.DataFrame) -> StatusCounts:
    """Counts of target statuses over the indicators that have a target."""
    judged = frame[frame["status"] != "none"]
    c = judged["status"].value_counts()
    return StatusCounts(len(judged), int(c.get("met", 0)), int(c.get("near", 0)), int(c.get("not_met", 0)))


@dataclass
class OverviewEvaluation:
    """The overview's numbers: the scorecard, the monthly series and the target statuses."""

    inputs: Inputs
    scorecard: Headline
    series: pd.DataFrame
    statuses: StatusCounts
    covered: list[str]  # the programmes whose data the run holds (partial data leaves some out)
    other_work: bool = True  # the data holds the bureau's table of other work (kpi)

    @property
    def headline(self) -> Headline:  # what the notebook records
        return self.scorecard

    @property
    def has_reference(self) -> bool:
        return "reference_value" in self.scorecard.frame.columns


def evaluate(inputs: Inputs) -> OverviewEvaluation:
    """The overview of one scope and period."""
    sc = scorecard(inputs)
    covered = [p.id for p in programmes.report_programmes() if not missing_datasets(p.id, inputs.data_all)]
    return OverviewEvaluation(inputs=inputs, scorecard=sc,
                              series=monthly_series(inputs.data, inputs.period, threshold=inputs.threshold),
                              statuses=status_counts(sc.frame), covered=covered,
                              other_work=all(d in inputs.data_all for d in programmes.get("overview").datasets))
