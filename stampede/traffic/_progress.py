"""The progress line a run prints every few seconds, made from plain numbers.

The Locust side reads the runner and the measurements into a `Progress`;
formatting it is a pure function, so the line is tested without a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.core.latency import LatencyTimeline
from stampede.core.numbers import latency, percent

#: the progress line's p95 covers requests meant to start in the last this many seconds
#: (and as many more as the client's timeout: see recent_p95_ms)
RECENT_S = 5


@dataclass(frozen=True)
class Progress:
    """What one progress line shows; latencies in milliseconds, ``failure_ratio`` in [0, 1].

    ``outcomes`` are (name, count so far) in the target description's order;
    ``timed_out`` the requests that timed out since the last line, of
    ``recent_requests``; ``corrected`` is False when plain Locust users run
    (their latency has no intended start, so no corrected p95 exists).
    """

    run_time_s: float
    duration_s: float
    phase: str  # "done" once the schedule is over
    users: int
    arrivals_per_s: float | None  # the open model's intended rate; None (or 0) shows nothing
    requests_per_s: float
    p95_ms: float
    corrected_p95_ms: float
    failure_ratio: float
    outcomes: tuple[tuple[str, int], ...] = ()
    #: the users the schedule intends now (closed model); None shows nothing
    intended_users: int | None = None
    timed_out: int = 0
    recent_requests: int = 0
    corrected: bool = True


#: a p95 among more timed-out requests than this share is only a lower bound
BOUND_SHARE = 0.05


def progress_line(p: Progress) -> str:
    """One line: time, phase, users, rates, recent p95 (as sent and corrected), outcomes."""
    rate = f"  arrivals {p.arrivals_per_s:6.1f}/s" if p.arrivals_per_s else ""
    # users still stopping (or still starting) are running, not what the schedule wants now
    intended = p.intended_users
    users = f"{p.users:>6}"
    if intended is not None and abs(p.users - intended) > max(1, 0.05 * intended):
        users += f" (schedule {intended})"
    bound = "≥ " if p.timed_out > BOUND_SHARE * max(p.recent_requests, 1) else ""
    p95 = f"{bound}{latency(p.p95_ms / 1000)}"
    if p.timed_out:
        p95 += f", {p.timed_out:,} timed out"
    corrected = (
        f"corrected {bound + latency(p.corrected_p95_ms / 1000):>7}"
        if p.corrected
        else "uncorrected only: plain Locust users"
    )
    counted = "".join(f"  {name.replace('_', ' ')} {n:,}" for name, n in p.outcomes)
    return (
        f"[{p.run_time_s:5.0f}s/{p.duration_s:.0f}s] {p.phase:<11} users {users}"
        f"{rate}  req/s {p.requests_per_s:7.1f}  p95 {p95:>7} ({corrected})  failures "
        f"{percent(p.failure_ratio):>6}{counted}"
    )


def shown_outcomes(
    goal: tuple[str, ...], described: tuple[str, ...], totals: Mapping[str, int]
) -> tuple[tuple[str, int], ...]:
    """The counters of a progress line: the funnel's last step (always, when the target
    description has a funnel), then each outcome the description names that has happened."""
    names = list(goal[-1:])
    names += [n for n in dict.fromkeys(described) if totals.get(n, 0) and n not in names]
    return tuple((name, int(totals.get(name, 0))) for name in names)


def recent_p95_ms(
    timeline: LatencyTimeline, now: float, seconds: int = RECENT_S, timeout_s: float = 0.0
) -> tuple[float, float]:
    """(as sent, corrected) p95 in ms of the intervals from ``seconds`` + ``timeout_s``
    before ``now``'s on.

    A request is filed under the second it was meant to start, so one that timed
    out after ``timeout_s`` (the client's) lands that far back; without looking
    back as far, a target that answers nothing would show no slow request at all.
    ``now`` is on the timeline's clock (Unix time for a run's); 0 and 0 when
    nothing was recorded in that window.
    """
    back = seconds + math.ceil(timeout_s)
    recent = timeline.window(float(math.floor(now) - back), math.inf)
    if not recent.count():
        return 0.0, 0.0
    return recent.summary("uncorrected").p95 * 1000, recent.summary("corrected").p95 * 1000
