"""The case study's style of change: known answers, including the seed dashboard's rows."""

from __future__ import annotations

import math

import pytest

from stampede.reports._improvement import improvement


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        # the seed dashboard's rows
        (2.4, 0.320, "87% ↓"),  # API p95 2.4 s -> 320 ms
        (8.2, 1.8, "78% ↓"),  # page load
        (5_000, 120_000, "24× ↑"),  # concurrent users
        (4.2 * 3600, 28 * 60, "89% ↓"),  # MTTR 4.2 h -> 28 min
        (12_400, 7_440, "40% ↓"),  # infrastructure cost
        (0.021, 0.0256, "22% ↑"),  # conversion
        (0.45, 0.28, "38% ↓"),  # cart abandonment
        (0.92, 0.9995, "8.6% ↑"),  # uptime, a relative change of the share
        # where × starts, and its decimals
        (100, 199, "99% ↑"),
        (100, 200, "2× ↑"),
        (100, 250, "2.5× ↑"),
        (100, 1_400, "14× ↑"),
        (1, 123_456, "123,456× ↑"),
        # a fall is never a multiple and never rounds up to 100%
        (1.0, 0.004, "99.6% ↓"),
        (1.0, 0.0, "100% ↓"),
        (100, 95.5, "4.5% ↓"),
        (100, 99.99, "<0.1% ↓"),
        (3, 3, "no change"),
        (0, 5, "new"),
        (0, 0, "no change"),
    ],
)
def test_known_answers(before: float, after: float, shown: str) -> None:
    assert improvement(before, after) == shown


@pytest.mark.parametrize(
    ("before", "after"), [(None, 1.0), (1.0, None), (math.inf, 1.0), (1.0, math.nan), (-1, 2)]
)
def test_what_is_not_a_change_is_a_dash(before: float | None, after: float | None) -> None:
    assert improvement(before, after) == "—"
