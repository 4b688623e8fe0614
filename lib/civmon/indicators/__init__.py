"""Indicators per programme, registered by id in `civmon.indicators.registry`."""

from __future__ import annotations

import importlib

from civmon.indicators.registry import REGISTRY, Indicator, get, indicator

PROGRAMME_MODULES = ("relief", "eldercare", "migrants", "kpi")

__all__ = ["REGISTRY", "Indicator", "get", "indicator", "all_indicators"]


def all_indicators() -> dict[str, Indicator]:
    """Import every programme's indicator module and return the full registry."""
    for name in PROGRAMME_MODULES:
        try:
            importlib.import_module(f"civmon.indicators.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"civmon.indicators.{name}":
                raise
    return REGISTRY
