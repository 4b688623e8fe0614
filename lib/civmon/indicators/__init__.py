"""Indicators per programme, registered by id in `civmon.indicators.registry`."""

from civmon.indicators.registry import REGISTRY, Indicator, get, indicator

__all__ = ["REGISTRY", "Indicator", "get", "indicator"]
