"""Judging a run by its service-level objectives: a pure function over plain data.

Each objective gets a measured value, a margin (headroom as a fraction of the
target: positive passes, negative misses) and, where it has one, the share of
its error budget used. A p95 objective allows 5 % of requests to be slower
than its target; if 2.5 % were, half its budget is used. An error-rate
objective's budget is the rate itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from stampede.core.numbers import latency, percent
from stampede.core.numbers import rate as req_rate
from stampede.profiles import Slos
from stampede.reports._hist import Distribution

Unit = Literal["s", "fraction", "rps"]


@dataclass(frozen=True)
class SloMeasurements:
    """What the objectives are judged on.

    ``distributions`` holds the latency of each endpoint group (``all`` is
    every request): corrected, or uncorrected when ``kind`` says so (plain
    Locust users ran); ``throughput_rps`` is the sustained peak.
    """

    distributions: Mapping[str, Distribution]
    requests: int
    failures: int
    throughput_rps: float
    #: requests of each endpoint group that timed out (their latency is only a bound)
    timeouts: Mapping[str, int] = field(default_factory=dict)
    kind: str = "corrected"
    #: the corrected page-load time of each page type (``all``: every page view)
    page_loads: Mapping[str, Distribution] = field(default_factory=dict)


@dataclass(frozen=True)
class SloResult:
    """One objective judged: ``key`` is its path in a profile's ``slos:`` block."""

    key: str
    name: str
    unit: Unit
    target: float
    measured: float | None
    passed: bool
    margin: float | None
    budget_used: float | None
    detail: str
    #: requests of the objective's group that timed out
    timed_out: int = 0
    #: the measured percentile falls among them: it is at least that, not a measurement
    at_least: bool = False


def _ms(seconds: float) -> str:
    return latency(seconds)


def _bound(dist: Distribution, q: int, timeouts: int) -> str:
    """``≥ `` when the percentile falls among timed-out requests (the slowest)."""
    return "≥ " if timeouts > (1 - q / 100) * dist.total else ""


def _timed_out(timeouts: int) -> str:
    return f" ({timeouts:,} timed out)" if timeouts else ""


UNCORRECTED_NOTE = (
    "; uncorrected, from each request's send (plain Locust users ran, so no corrected "
    "latency exists)"
)


def _latency(
    group: str,
    q: int,
    target: float,
    dist: Distribution | None,
    timeouts: int = 0,
    kind: str = "corrected",
    pages: bool = False,
) -> SloResult:
    key = f"{'page_load' if pages else 'latency'}.{group}.p{q}"
    who = f"{group} {'page views' if pages else 'requests'}"
    what = "page-load time" if pages else "latency"
    name = f"p{q} {what}, {who}"
    if dist is None or dist.total == 0:
        return SloResult(
            key,
            name,
            "s",
            target,
            None,
            False,
            None,
            None,
            f"no {who} completed, so their p{q} cannot be judged",
        )
    measured = dist.percentile(q)
    allowed = 1 - q / 100
    passed = measured <= target
    verb = "within" if passed else "over"
    return SloResult(
        key=key,
        name=name,
        unit="s",
        target=target,
        measured=measured,
        passed=passed,
        margin=(target - measured) / target if target > 0 else None,
        budget_used=dist.fraction_over(target) / allowed,
        detail=f"p{q} {what} of {who} was {_bound(dist, q, timeouts)}{_ms(measured)}, {verb} the "
        f"{_ms(target)} objective{_timed_out(timeouts)}"
        f"{UNCORRECTED_NOTE if kind == 'uncorrected' else ''}",
        timed_out=timeouts,
        at_least=bool(_bound(dist, q, timeouts)),
    )


def _error_rate(target: float, requests: int, failures: int) -> SloResult:
    name = "error rate"
    if requests == 0:
        return SloResult(
            "error_rate",
            name,
            "fraction",
            target,
            None,
            False,
            None,
            None,
            "no requests completed, so the error rate cannot be judged",
        )
    rate = failures / requests
    passed = rate <= target
    if target > 0:
        margin: float | None = (target - rate) / target
        budget: float | None = rate / target
    else:
        margin = budget = 0.0 if rate == 0 else None
    verb = "within" if passed else "over"
    return SloResult(
        key="error_rate",
        name=name,
        unit="fraction",
        target=target,
        measured=rate,
        passed=passed,
        margin=margin,
        budget_used=budget,
        detail=f"{failures:,} of {requests:,} requests failed ({percent(rate)}), {verb} the "
        f"{percent(target)} objective",
    )


def _throughput(target: float, measured: float) -> SloResult:
    passed = measured >= target
    verb = "meeting" if passed else "below"
    return SloResult(
        key="min_throughput",
        name="throughput (busiest 10 s)",
        unit="rps",
        target=target,
        measured=measured,
        passed=passed,
        margin=(measured - target) / target if target > 0 else None,
        budget_used=None,
        detail=f"the busiest 10 s carried {req_rate(measured)}, {verb} the objective of "
        f"{req_rate(target)}",
    )


def evaluate_slos(slos: Slos, measured: SloMeasurements) -> tuple[SloResult, ...]:
    """Judge every objective of ``slos`` on ``measured``, in the profile's order.

    Parameters
    ----------
    slos
        The objectives (a profile's ``slos:`` block, already scaled).
    measured
        Latency distributions per endpoint group, request and failure counts
        and the sustained peak throughput.

    Returns
    -------
    tuple of SloResult
        Latency objectives (p95 before p99, per group), then page-load
        objectives (per page type), then the error rate, then the throughput.
        An objective with nothing to judge it on fails.
    """
    results = []
    for slo in slos.latency:
        group = slo.group
        dist = measured.distributions.get(group)
        for q, target in ((95, slo.p95_s), (99, slo.p99_s)):
            if target is not None:
                found = measured.timeouts.get(group, 0)
                results.append(_latency(group, q, target, dist, found, measured.kind))
    for slo in slos.page_load:
        pages = measured.page_loads.get(slo.group)
        for q, target in ((95, slo.p95_s), (99, slo.p99_s)):
            if target is not None:
                results.append(_latency(slo.group, q, target, pages, pages=True))
    if slos.error_rate is not None:
        results.append(_error_rate(slos.error_rate, measured.requests, measured.failures))
    if slos.min_throughput is not None:
        results.append(_throughput(slos.min_throughput, measured.throughput_rps))
    return tuple(results)
