"""Recovery after a fault: how long until the store was back within its objectives.

Recovery is measured from the fault's end (for a broker fault, when the broker
answered again; its start for an instantaneous fault such as a killed worker) to
the start of the first ``window_s``-second window, beginning at or after that
moment, in which

* the share of failed requests is at most the profile's ``error_rate``, and
* every second's corrected p95 of all requests is at most the ``all`` p95 SLO.

A window must fit inside the run and hold at least one request; with no such
window the store did not recover by the end of the run (``None``). Objectives
the profile does not set are not checked. Pure functions over per-second data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stampede.core.records import ChaosFault
from stampede.reports._model import Fault, GroupTimeline, Series

RECOVERY_WINDOW_S = 5


@dataclass(frozen=True)
class Recovery:
    fault: Fault
    from_s: float
    recovered_at_s: float | None

    @property
    def seconds(self) -> float | None:
        return None if self.recovered_at_s is None else self.recovered_at_s - self.from_s

    @property
    def longest_s(self) -> float | None:
        """The later of the objectives' recovery and the store's own (None: not recovered)."""
        if self.seconds is None:
            return None
        return max(self.seconds, self.fault.store_recovery_s or 0.0)


def faults_from(records: Sequence[ChaosFault]) -> tuple[Fault, ...]:
    return tuple(
        Fault(r.spec, r.kind, r.start_s, r.end_s, r.detail, r.store_recovery_s) for r in records
    )


def _per_second(series: Series) -> dict[int, float]:
    out: dict[int, float] = {}
    for t, v in zip(series.t, series.values, strict=True):
        out[math.floor(t)] = out.get(math.floor(t), 0.0) + v
    return out


def recovered_at(
    from_s: float,
    requests: Mapping[int, float],
    failures: Mapping[int, float],
    p95_s: Mapping[int, float],
    run_end_s: float,
    max_error_rate: float | None,
    max_p95_s: float | None,
    window_s: int = RECOVERY_WINDOW_S,
) -> float | None:
    """Start of the first healthy window at or after ``from_s``, or None."""
    start = math.ceil(from_s)
    while start + window_s <= run_end_s:
        seconds = range(start, start + window_s)
        sent = sum(requests.get(s, 0.0) for s in seconds)
        failed = sum(failures.get(s, 0.0) for s in seconds)
        errors_ok = max_error_rate is None or failed <= max_error_rate * sent
        latency_ok = max_p95_s is None or all(
            p95_s.get(s, 0.0) <= max_p95_s for s in seconds if requests.get(s, 0.0) > 0
        )
        if sent > 0 and errors_ok and latency_ok:
            return float(start)
        start += 1
    return None


def recoveries(
    faults: Sequence[Fault],
    requests_per_s: Series,
    failures_per_s: Series,
    timeline: GroupTimeline | None,
    run_end_s: float,
    max_error_rate: float | None,
    max_p95_s: float | None,
    window_s: int = RECOVERY_WINDOW_S,
) -> tuple[Recovery, ...]:
    """Each injected fault's recovery, from per-second requests, failures and p95."""
    requests = _per_second(requests_per_s)
    failures = _per_second(failures_per_s)
    p95 = (
        {}
        if timeline is None
        else dict(zip(map(math.floor, timeline.t), timeline.p95, strict=True))
    )
    out = []
    for fault in faults:
        if fault.start_s is None:
            continue
        origin = fault.end_s if fault.windowed and fault.end_s is not None else fault.start_s
        at = recovered_at(
            origin, requests, failures, p95, run_end_s, max_error_rate, max_p95_s, window_s
        )
        out.append(Recovery(fault, origin, at))
    return tuple(out)
