"""The one number formatter: known answers for every kind of quantity."""

from __future__ import annotations

import math

import pytest

from stampede.core.numbers import count, latency, money, percent, rate


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0004, "0.4 ms"),
        (0.0032, "3.2 ms"),
        (0.604, "604 ms"),
        (1.663, "1.66 s"),
        (1.5, "1.50 s"),
        (7.7, "7.70 s"),
        (10.0, "10.0 s"),
        (125.4, "125 s"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_latency(seconds: float | None, text: str) -> None:
    assert latency(seconds) == text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.00036, "0.036%"),
        (0.0004, "0.040%"),
        (0.005, "0.50%"),
        (0.015, "1.5%"),
        (0.125, "12.5%"),
        (0.0, "0%"),
        (math.inf, "—"),
    ],
)
def test_percent(fraction: float, text: str) -> None:
    assert percent(fraction) == text


def test_counts_rates_and_money() -> None:
    assert count(103_471) == "103,471" and count(None) == "—"
    assert rate(625.4) == "625 req/s" and rate(24.46) == "24.5 req/s" and rate(0.5) == "0.50 req/s"
    assert rate(312, "arrivals/s") == "312 arrivals/s"
    assert money(230_844_503 / 100) == "2,308,445.03" and money(12, "USD") == "USD 12.00"
