"""The progress line a run prints every few seconds, made from plain numbers.

The Locust side reads the runner and the measurements into a `Progress`;
formatting it is a pure function, so the line is tested without a run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stampede.core.latency import LatencyTimeline
from stampede.core.numbers import latency, percent

#: the progress line's p95 covers requests completed in the last this many seconds
RECENT_S = 5


@dataclass(frozen=True)
class Progress:
    """What one progress line shows; latencies in milliseconds, ``failure_ratio`` in [0, 1]."""

    run_time_s: float
    duration_s: float
    phase: str  # "done" once the schedule is over
    users: int
    arrivals_per_s: float | None  # the open model's intended rate; None (or 0) shows nothing
    requests_per_s: float
    p95_ms: float
    corrected_p95_ms: float
    failure_ratio: float
    paid: int
    sold_out: int
    rate_limited: int
    #: the users the schedule intends now (closed model); None shows nothing
    intended_users: int | None = None


def progress_line(p: Progress) -> str:
    """One line: time, phase, users, rates, recent p95 (as sent and corrected), outcomes."""
    rate = f"  arrivals {p.arrivals_per_s:6.1f}/s" if p.arrivals_per_s else ""
    # users still stopping (or still starting) are running, not what the schedule wants now
    intended = p.intended_users
    users = f"{p.users:>6}"
    if intended is not None and abs(p.users - intended) > max(1, 0.05 * intended):
        users += f" (schedule {intended})"
    return (
        f"[{p.run_time_s:5.0f}s/{p.duration_s:.0f}s] {p.phase:<11} users {users}"
        f"{rate}  req/s {p.requests_per_s:7.1f}  p95 {latency(p.p95_ms / 1000):>7}"
        f" (corrected {latency(p.corrected_p95_ms / 1000):>7})  failures "
        f"{percent(p.failure_ratio):>6}  paid {p.paid}  sold out {p.sold_out}  "
        f"429s {p.rate_limited}"
    )


def recent_p95_ms(
    timeline: LatencyTimeline, now: float, seconds: int = RECENT_S
) -> tuple[float, float]:
    """(as sent, corrected) p95 in ms of the intervals from ``seconds`` before ``now``'s on.

    ``now`` is on the timeline's clock (Unix time for a run's); 0 and 0 when
    nothing completed in that window.
    """
    recent = timeline.window(float(math.floor(now) - seconds), math.inf)
    if not recent.count():
        return 0.0, 0.0
    return recent.summary("uncorrected").p95 * 1000, recent.summary("corrected").p95 * 1000
