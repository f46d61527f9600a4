"""The progress line from plain numbers, and the recent p95 it shows, worked by hand."""

from __future__ import annotations

import pytest

from stampede.core.latency import LatencyTimeline
from stampede.core.target_description import reference_description
from stampede.traffic import Progress, progress_line, recent_p95_ms, shown_outcomes

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
    outcomes=(("paid", 3), ("sold_out", 1)),
)


def test_a_closed_models_progress_line() -> None:
    assert progress_line(SALE) == (
        "[   42s/25s] sale        users      8  req/s    31.3  p95   12 ms"
        " (corrected  131 ms)  failures   1.2%  paid 3  sold out 1"
    )


def test_an_open_models_line_shows_the_intended_arrival_rate() -> None:
    line = progress_line(
        Progress(3.0, 1800.0, "ramp-up", 400, 7.5, 7.4, 80.0, 95.0, 0.0, (("rate_limited", 12),))
    )
    assert line == (
        "[    3s/1800s] ramp-up     users    400  arrivals    7.5/s  req/s     7.4"
        "  p95   80 ms (corrected   95 ms)  failures     0%  rate limited 12"
    )


@pytest.mark.parametrize("rate", [None, 0.0])
def test_no_arrival_rate_when_there_is_none(rate: float | None) -> None:
    line = progress_line(Progress(30, 30, "done", 0, rate, 0.0, 0.0, 0.0, 1.0))
    assert line == (
        "[   30s/30s] done        users      0  req/s     0.0  p95  0.0 ms"
        " (corrected  0.0 ms)  failures   100%"
    )


def test_users_still_stopping_are_shown_beside_the_schedule() -> None:
    """The decay wants 25 users while 600 are still stopping: both are on the line, and a
    10 s (timed-out) p95 reads in seconds like every other latency."""
    decay = Progress(
        230, 240, "decay", 600, None, 222.5, 85, 10_000, 0.0003, (("order_paid", 6359),), 25
    )
    assert progress_line(decay) == (
        "[  230s/240s] decay       users    600 (schedule 25)  req/s   222.5  p95   85 ms"
        " (corrected  10.0 s)  failures 0.030%  order paid 6,359"
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


def test_the_recent_p95_reaches_back_as_far_as_the_clients_timeout() -> None:
    """A target that answers nothing: the requests meant for 100-104 s time out 10 s later
    and are filed under 100-104; at 115.5 nothing meant for the last 5 s has answered yet,
    and the line must still show the timeouts, not a p95 of nothing."""
    timeline = LatencyTimeline(1.0, origin=0.0)
    for second in range(100, 105):
        timeline.record("GET /", second, second, second + 10.0)
    assert recent_p95_ms(timeline, 115.5) == (0.0, 0.0)  # 110 on: nothing there
    uncorrected, corrected = recent_p95_ms(timeline, 115.5, timeout_s=10.0)  # 100 on
    assert uncorrected == corrected == pytest.approx(10_000, rel=0.01)


def test_timed_out_requests_are_counted_and_make_the_p95_a_bound() -> None:
    """37 of 200 requests since the last line timed out (over 5%): the p95 is at least the
    10 s timeout, not a measurement, and the line says how many."""
    line = progress_line(
        Progress(
            60,
            120,
            "sale",
            50,
            None,
            40.0,
            10_000,
            10_000,
            0.19,
            timed_out=37,
            recent_requests=200,
        )
    )
    assert "p95 ≥ 10.0 s, 37 timed out (corrected ≥ 10.0 s)" in line
    few = progress_line(
        Progress(60, 120, "sale", 50, None, 40.0, 80, 90, 0.0, timed_out=2, recent_requests=200)
    )
    assert "p95 80 ms, 2 timed out (corrected   90 ms)" in few and "≥" not in few


def test_plain_locust_users_show_no_corrected_p95() -> None:
    line = progress_line(Progress(5, 12, "sale", 6, None, 70.0, 15, 15, 0.0, corrected=False))
    assert "p95   15 ms (uncorrected only: plain Locust users)" in line
    assert "corrected 15" not in line


@pytest.mark.parametrize(
    ("totals", "shown"),
    [
        ({}, (("order_paid", 0),)),
        (
            {"order_paid": 4, "rate_limited": 9, "viewed_product": 30, "sold_out": 1},
            (("order_paid", 4), ("rate_limited", 9), ("sold_out", 1)),
        ),
    ],
)
def test_the_counters_are_the_descriptions_goal_and_the_outcomes_seen(
    totals: dict[str, int], shown: tuple[tuple[str, int], ...]
) -> None:
    """The reference store's: its funnel's goal (order_paid) always, then the outcomes its
    description names in its order (rate_limited before sold_out), once they happened."""
    ref = reference_description()
    assert shown_outcomes(ref.funnel, tuple(o.name for o in ref.outcomes), totals) == shown


def test_a_target_without_a_funnel_shows_only_the_outcomes_seen() -> None:
    assert shown_outcomes((), ("sold_out", "limit_exceeded"), {"limit_exceeded": 2}) == (
        ("limit_exceeded", 2),
    )
