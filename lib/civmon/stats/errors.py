"""The one exception type of civmon.stats: a design that cannot be estimated (see civmon.errors)."""

from civmon.errors import EstimationError

__all__ = ["EstimationError"]
