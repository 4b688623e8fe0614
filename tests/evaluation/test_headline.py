"""Headline figures: status against a target."""

import pytest

from civmon.evaluation.headline import target_status


@pytest.mark.parametrize("value,target,higher,expected", [
    (95, 90, True, "met"), (90, 90, True, "met"), (85, 90, True, "near"), (70, 90, True, "not_met"),
    (3, 5, False, "met"), (5.4, 5, False, "near"), (9, 5, False, "not_met"),
    (3, None, True, "none"), (None, 5, True, "none"), (3, 5, None, "none"),
])
def test_target_status(value, target, higher, expected):
    assert target_status(value, target, higher) == expected
