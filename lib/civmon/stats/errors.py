"""The one exception type of civmon.stats: a design that cannot be estimated."""


class EstimationError(ValueError):
    """Raised when data cannot support the requested estimate; the message names the problem.

    A ValueError subclass so callers that already guard against bad input catch it too.
    """
