"""Evaluation: per programme, the numbers of each report section as frames with English column
names, the estimation designs and the scoring, returned as result objects that carry their method
note and caveats. Phrasing (civmon.report) turns these into Chinese text and computes nothing."""

from civmon.evaluation.base import Result
from civmon.evaluation.inputs import Inputs

__all__ = ["Inputs", "Result"]
