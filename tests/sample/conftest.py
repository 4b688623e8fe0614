"""Fixtures of the programme sample tests: each module defines `make(seed, scale=1.0)` for its programme."""

import pytest

from .common import SEED, pseudo


@pytest.fixture(scope="module")
def parts(request):
    """The programme's raw sample at the default seed (from the test module's `make`)."""
    return request.module.make(SEED)


@pytest.fixture(scope="module")
def data(parts):
    """The same frames as the reader returns them (pseudonymised)."""
    return pseudo(parts)
