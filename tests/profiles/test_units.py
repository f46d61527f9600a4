"""Durations and latencies as written in profiles, and back."""

from __future__ import annotations

import random

import pytest

from stampede.profiles import (
    ConstantThinkTime,
    ExponentialThinkTime,
    UniformThinkTime,
    parse_duration,
    parse_latency,
)
from stampede.profiles._units import format_duration, format_latency


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h30m", 5400),
        ("1h", 3600),
        ("2m30s", 150),
        ("1m0.5s", 60.5),
        ("500ms", 0.5),
        ("1.5s", 1.5),
        ("1s250ms", 1.25),
        (" 45s ", 45),
        (90, 90),
        (2.5, 2.5),
        ("0s", 0),
    ],
)
def test_parse_duration(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "s", "5", "-5s", "5 m", "30m1h", "1h1h", "5min", "1e3s", "true", True, None, [1]]
)
def test_parse_duration_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(("text", "seconds"), [("500ms", 0.5), ("1.2s", 1.2), ("2s", 2.0)])
def test_parse_latency(text: str, seconds: float) -> None:
    assert parse_latency(text) == seconds


@pytest.mark.parametrize("value", [500, 0.5, "500"])
def test_parse_latency_needs_a_unit(value: object) -> None:
    with pytest.raises(ValueError):
        parse_latency(value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30.0, "30s"),
        (5400.0, "1h30m"),
        (3600.0, "1h"),
        (150.0, "2m30s"),
        (7.5, "7.5s"),
        (0.25, "250ms"),
        (0.0, "0s"),
        (3725.3, "3725.3s"),
        (1e-05, "0.00001s"),
    ],
)
def test_format_duration_round_trips(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.5, "500ms"), (1.2, "1.2s"), (2.0, "2s"), (0.0125, "12.5ms")]
)
def test_format_latency_round_trips(seconds: float, text: str) -> None:
    result = format_latency(seconds)
    assert parse_latency(result) == seconds
    if text != "12.5ms":
        assert result == text


@pytest.mark.parametrize(
    ("think", "low", "high", "mean"),
    [
        (UniformThinkTime(1.0, 3.0), 1.0, 3.0, 2.0),
        (ConstantThinkTime(0.5), 0.5, 0.5, 0.5),
        (ExponentialThinkTime(1.0, max_s=2.0), 0.0, 2.0, 1.0),
    ],
)
def test_think_time_samples_stay_in_bounds(
    think: UniformThinkTime | ConstantThinkTime | ExponentialThinkTime,
    low: float,
    high: float,
    mean: float,
) -> None:
    rng = random.Random(1)
    samples = [think.sample(rng) for _ in range(2_000)]
    assert all(low <= s <= high for s in samples)
    assert think.mean_s == mean
    assert [think.sample(random.Random(3)) for _ in range(3)] == [
        think.sample(random.Random(3)) for _ in range(3)
    ]
