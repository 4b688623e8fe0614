"""Indicators per programme, registered by id in `civmon.indicators.registry`."""

from __future__ import annotations

import importlib

from civmon.indicators.registry import REGISTRY, Indicator, get, indicator
from civmon.programmes import CATALOGUE

__all__ = ["REGISTRY", "Indicator", "get", "indicator", "all_indicators"]


def all_indicators() -> dict[str, Indicator]:
    """Import every programme's indicator module (as the catalogue names them) and return the full registry."""
    for entry in CATALOGUE.values():
        if entry.indicators:
            importlib.import_module(entry.indicators)
    return REGISTRY
