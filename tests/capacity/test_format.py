"""The plan's numbers as people read them, through the one formatter (stampede.core.numbers)."""

from __future__ import annotations

import math

import pytest

from stampede.capacity._summary import cell
from stampede.core.numbers import count, duration, money, number, signed_money


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (43180.0, 3, "43,180"),  # never 4.318e+04
        (31938.4, 4, "31,938"),
        (0.000407, 3, "0.000407"),
        (9.8e-06, 2, "0.0000098"),  # never 9.8e-06
        (0.6, 4, "0.6"),
        (151.46, 4, "151.5"),
        (2.5, 3, "2.5"),
        (0.0, 3, "0"),
        (-0.00001, 1, "-0.00001"),
        (math.inf, 3, "unbounded"),
        (math.nan, 3, "—"),
        (None, 3, "—"),
    ],
)
def test_number(value: float | None, digits: int, text: str) -> None:
    assert number(value, digits=digits) == text


def test_a_missing_number_can_be_named_in_words() -> None:
    assert number(None, missing="not known") == "not known"
    assert count(math.nan, missing="not recorded") == "not recorded"
    assert money(None, missing="not priced") == "not priced"


def test_counts_money_and_durations() -> None:
    assert count(130_300_747.4) == "130,300,747" and count(math.inf) == "unbounded"
    assert money(24402.171) == "24,402.17" and signed_money(-5598.364) == "-5,598.36"
    durations = [duration(x) for x in (45, 720, 12_600, math.inf)]
    assert durations == ["45 s", "12 min", "3.5 h", "never"]
    cells = [cell(v) for v in (None, True, 3807, 0.25, "usl")]
    assert cells == ["—", "yes", "3,807", "0.25", "usl"]
