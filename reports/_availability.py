"""Availability during the sale: the share of its seconds that met the objectives, and the
share of its requests served without error.

The sale runs from the doors opening (``sale_opens_at_s``; the run's start for a
profile without a flash sale) to the end of the run. Each whole second of it is
judged on what completed in it:

* its share of failed requests is at most the profile's ``error_rate``, and
* the corrected p95 of every endpoint group with a p95 objective is within it.

p99 objectives are left to the whole-run scorecard: over one second's few
requests a p99 is the slowest request. A second in which nothing completed
while users were running was not served and does not meet; one with no users
running (a ramp to zero) is not judged. Objectives the profile does not set are
not checked. Pure functions over per-second data, computed once per run by
:func:`run_availability`.

The seconds are not all of one clock: requests and p95s count by each request's
intended second (``timeline.json``), failures by the second Locust's history
counted them, after they completed (the run directory records no failure per
intended second). A request that fails late, a timeout above all, counts in one
second and fails in a later one (docs/reports.md); the recovery time
(``_recovery``) reads the same two series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.profiles import Slos
from stampede.reports._model import GroupTimeline, RunData, Series, UsersSeries


@dataclass(frozen=True)
class Availability:
    """What the sale's seconds and requests came to (run seconds ``from_s`` to ``to_s``)."""

    from_s: float
    to_s: float
    seconds_judged: int
    seconds_met: int
    requests: int
    failed: int

    @property
    def seconds_share(self) -> float | None:
        """Share of the judged seconds that met every objective (None: none judged)."""
        return self.seconds_met / self.seconds_judged if self.seconds_judged else None

    @property
    def requests_share(self) -> float | None:
        """Share of the sale's requests served without error (None: none completed)."""
        return 1 - self.failed / self.requests if self.requests else None


def _per_second(series: Series) -> dict[int, float]:
    out: dict[int, float] = {}
    for t, v in zip(series.t, series.values, strict=True):
        out[math.floor(t)] = out.get(math.floor(t), 0.0) + v
    return out


def _running(users: UsersSeries) -> dict[int, float] | None:
    """Users running per second (the last sample in it), or None when not recorded."""
    if not users.t:
        return None
    return {math.floor(t): r for t, r in zip(users.t, users.running, strict=True)}


def _p95_limits(slos: Slos, timelines: Mapping[str, GroupTimeline]) -> list[dict[int, float]]:
    """Per objective, its group's p95 per second minus the target (> 0 misses)."""
    out = []
    for slo in slos.latency:
        if slo.p95_s is None:
            continue
        tl = timelines.get(slo.group)
        if tl is None:
            continue
        out.append({math.floor(t): p - slo.p95_s for t, p in zip(tl.t, tl.p95, strict=True)})
    return out


def availability(
    from_s: float,
    to_s: float,
    requests_per_s: Series,
    failures_per_s: Series,
    timelines: Mapping[str, GroupTimeline],
    slos: Slos,
    users: UsersSeries | None = None,
) -> Availability:
    """Judge each whole second in ``[from_s, to_s)``; see the module's rules."""
    requests = _per_second(requests_per_s)
    failures = _per_second(failures_per_s)
    running = None if users is None else _running(users)
    limits = _p95_limits(slos, timelines)
    judged = met = sent_total = failed_total = 0
    for second in range(math.ceil(from_s), math.floor(to_s)):
        sent = round(requests.get(second, 0.0))
        failed = min(round(failures.get(second, 0.0)), sent)
        sent_total += sent
        failed_total += failed
        if sent == 0:
            idle = running is not None and running.get(second, 0.0) <= 0
            judged += 0 if idle or running is None else 1
            continue
        judged += 1
        errors_ok = slos.error_rate is None or failed <= slos.error_rate * sent
        latency_ok = all(over.get(second, 0.0) <= 0 for over in limits)
        met += errors_ok and latency_ok
    return Availability(from_s, to_s, judged, met, sent_total, failed_total)


def run_availability(data: RunData) -> Availability:
    """The availability of one run's sale, judged on its own profile's objectives."""
    return availability(
        data.sale_opens_at_s or 0.0,
        data.duration_s,
        data.requests_per_s,
        data.failures_per_s,
        data.timelines,
        data.slos,
        data.users,
    )
