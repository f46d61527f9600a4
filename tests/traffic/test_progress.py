"""The progress line from plain numbers, and the recent p95 it shows, worked by hand."""

from __future__ import annotations

import pytest

from stampede.core.latency import LatencyTimeline
from stampede.traffic import Progress, progress_line, recent_p95_ms

SALE = Progress(
    run_time_s=42.4,
    duration_s=25,
    phase="sale",
    users=8,
    arrivals_per_s=None,
    requests_per_s=31.3,
    p95_ms=12.4,
    corrected_p95_ms=130.6,
    failure_ratio=0.0125,
    paid=3,
    sold_out=1,
    rate_limited=0,
)


def test_a_closed_models_progress_line() -> None:
    assert progress_line(SALE) == (
        "[   42s/25s] sale        users      8  req/s    31.3  p95   12 ms"
        " (corrected  131 ms)  failures   1.2%  paid 3  sold out 1  429s 0"
    )


def test_an_open_models_line_shows_the_intended_arrival_rate() -> None:
    line = progress_line(Progress(3.0, 1800.0, "ramp-up", 400, 7.5, 7.4, 80.0, 95.0, 0.0, 0, 0, 12))
    assert line == (
        "[    3s/1800s] ramp-up     users    400  arrivals    7.5/s  req/s     7.4"
        "  p95   80 ms (corrected   95 ms)  failures     0%  paid 0  sold out 0  429s 12"
    )


@pytest.mark.parametrize("rate", [None, 0.0])
def test_no_arrival_rate_when_there_is_none(rate: float | None) -> None:
    line = progress_line(Progress(30, 30, "done", 0, rate, 0.0, 0.0, 0.0, 1.0, 0, 0, 0))
    assert line == (
        "[   30s/30s] done        users      0  req/s     0.0  p95  0.0 ms"
        " (corrected  0.0 ms)  failures   100%  paid 0  sold out 0  429s 0"
    )


def test_users_still_stopping_are_shown_beside_the_schedule() -> None:
    """The decay wants 25 users while 600 are still stopping: both are on the line, and a
    10 s (timed-out) p95 reads in seconds like every other latency."""
    decay = Progress(230, 240, "decay", 600, None, 222.5, 85, 10_000, 0.0003, 6359, 237, 0, 25)
    assert progress_line(decay) == (
        "[  230s/240s] decay       users    600 (schedule 25)  req/s   222.5  p95   85 ms"
        " (corrected  10.0 s)  failures 0.030%  paid 6359  sold out 237  429s 0"
    )
    assert "schedule" not in progress_line(SALE)


def test_the_recent_p95_covers_the_last_five_whole_seconds() -> None:
    timeline = LatencyTimeline(1.0, origin=0.0)
    timeline.record("GET /", 100.30, 100.49, 100.50)  # 200 ms corrected, 10 ms as sent
    timeline.record("GET /", 104.00, 104.00, 104.01)  # 10 ms both
    timeline.record("GET /", 99.00, 99.00, 99.99)  # a second before the window: left out
    # now 105.7: the intervals from 100 on; p95 of two values is the larger
    uncorrected, corrected = recent_p95_ms(timeline, 105.7)
    assert uncorrected == pytest.approx(10, rel=0.01)
    assert corrected == pytest.approx(200, rel=0.01)
    assert recent_p95_ms(timeline, 106.0) == pytest.approx((10, 10), rel=0.01)
    assert recent_p95_ms(timeline, 200.0) == (0.0, 0.0)
