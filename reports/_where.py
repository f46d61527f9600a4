"""Where a run missed its objectives: the phases and the time window of each miss.

The objectives are judged over the whole run (:mod:`reports._slo`). Here each
phase of the schedule is judged again by the same objectives on its own requests
(its exact latency histograms and its failures), so a miss can be placed: the
phases that missed it on their own and the window of intervals over its target
within them ("during doors-open (45–62 s)"), and the phases that met every
objective. Throughput and page-load time are judged over the whole run and are
not placed (page views are not kept per interval).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from stampede.profiles import Slos
from stampede.reports._format import ms, pct, value
from stampede.reports._model import Phase, RunData, Series
from stampede.reports._slo import SloMeasurements, SloResult, evaluate_slos


@dataclass(frozen=True)
class Miss:
    """A missed objective of the whole run, placed in the phases that missed it."""

    result: SloResult
    phases: tuple[str, ...] = ()
    #: first to last interval over the target within those phases, in run seconds
    window: tuple[float, float] | None = None


@dataclass(frozen=True)
class Placement:
    """Every missed objective, placed; and the phases that met every objective."""

    misses: tuple[Miss, ...]
    clean_phases: tuple[str, ...]
    phases_judged: int


def _between(series: Series, start: float, end: float) -> float:
    """The integral of a per-second rate ``series`` over the points in ``[start, end)``
    (each point's rate holds from its time to the next point's; the last's for a second)."""
    total = 0.0
    ends = (*series.t[1:], series.t[-1] + 1.0) if series.t else ()
    for t, until, rate in zip(series.t, ends, series.values, strict=True):
        if start <= t < end:
            total += rate * (until - t)
    return total


def phase_results(data: RunData, slos: Slos, phase: Phase) -> tuple[SloResult, ...]:
    distributions = data.phase_distributions.get(phase.name, {})
    everything = distributions.get("all")
    requests = everything.total if everything is not None else 0
    failures = round(_between(data.failures_per_s, phase.start_s, phase.end_s))
    measured = SloMeasurements(distributions, requests, min(failures, requests), 0.0)
    whole_run = dataclasses.replace(slos, min_throughput=None, page_load=())
    return evaluate_slos(whole_run, measured)


def _interval_over(data: RunData, result: SloResult) -> tuple[tuple[float, ...], float]:
    """The start times of intervals over ``result``'s target, and the interval's length."""
    parts = result.key.split(".")
    if parts[0] == "latency" and len(parts) == 3:
        timeline = data.timelines.get(parts[1])
        if timeline is None:
            return (), 1.0
        values = timeline.p95 if parts[2] == "p95" else timeline.p99
        step = min((b - a for a, b in zip(timeline.t, timeline.t[1:], strict=False)), default=1.0)
        over = tuple(t for t, v in zip(timeline.t, values, strict=True) if v > result.target)
        return over, step
    if result.key == "error_rate":
        rates = dict(zip(data.requests_per_s.t, data.requests_per_s.values, strict=True))
        over = tuple(
            t
            for t, failed in zip(data.failures_per_s.t, data.failures_per_s.values, strict=True)
            if failed > result.target * rates.get(float(round(t)), failed)
        )
        return over, 1.0
    return (), 1.0


def _window(data: RunData, result: SloResult, phases: Sequence[Phase]) -> tuple[float, float]:
    over, step = _interval_over(data, result)
    inside = [t for t in over if any(p.start_s <= t < p.end_s for p in phases)]
    if not inside:
        return phases[0].start_s, phases[-1].end_s
    return min(inside), min(max(inside) + step, phases[-1].end_s)


def place_misses(data: RunData, judged: Sequence[SloResult], slos: Slos) -> Placement:
    """Place each missed objective of ``judged`` (the whole run's, by ``slos``) in the
    run's phases."""
    phases = [p for p in data.phases if p.start_s < data.duration_s]
    by_phase = {p.name: phase_results(data, slos, p) for p in phases}
    misses = []
    for result in judged:
        if result.passed:
            continue
        missing = [
            p for p in phases if any(r.key == result.key and not r.passed for r in by_phase[p.name])
        ]
        if not missing or result.key == "min_throughput" or result.key.startswith("page_load"):
            misses.append(Miss(result))
            continue
        misses.append(Miss(result, tuple(p.name for p in missing), _window(data, result, missing)))
    clean = tuple(
        p.name
        for p in phases
        if by_phase[p.name] and all(r.passed for r in by_phase[p.name]) and _has_requests(data, p)
    )
    return Placement(tuple(misses), clean, len(phases))


def _has_requests(data: RunData, phase: Phase) -> bool:
    found = data.phase_distributions.get(phase.name, {}).get("all")
    return found is not None and found.total > 0


def short(result: SloResult) -> str:
    """An objective as measured against its target: ``checkout p99 1.66 s > 1.50 s``."""
    parts = result.key.split(".")
    if parts[0] == "page_load" and len(parts) == 3:
        who = f"{'all' if parts[1] == 'all' else parts[1]} page load {parts[2]}"
        if result.measured is None:
            return f"{who}: no page views completed"
        return f"{who} {ms(result.measured)} > {ms(result.target)}"
    if parts[0] == "latency" and len(parts) == 3:
        who = "all requests'" if parts[1] == "all" else parts[1]
        if result.measured is None:
            return f"{who} {parts[2]}: no requests completed"
        if result.at_least:  # among timed-out requests: a bound, not a measurement
            return (
                f"{who} {parts[2]} ≥ {ms(result.measured)} > {ms(result.target)} "
                f"({result.timed_out:,} timed out)"
            )
        return f"{who} {parts[2]} {ms(result.measured)} > {ms(result.target)}"
    if result.key == "error_rate":
        if result.measured is None:
            return "error rate: no requests completed"
        return f"error rate {pct(result.measured)} > {pct(result.target)}"
    return (
        f"throughput (busiest 10 s) {value(result.measured, result.unit)} < "
        f"{value(result.target, result.unit)}"
    )


def _names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" and {names[-1]}"


def where(miss: Miss) -> str:
    """``during doors-open (45–62 s)``, or ``over the whole run`` when no phase missed it."""
    if miss.window is None:
        return "over the whole run"
    start, end = miss.window
    return f"during {_names(miss.phases)} ({start:.0f}–{end:.0f} s)"


def met_every_objective(placement: Placement) -> str:
    """``the sale phase met every objective``, or "" when none did or there is one phase."""
    clean = placement.clean_phases
    if not clean or placement.phases_judged < 2 or not placement.misses:
        return ""
    noun = "phase" if len(clean) == 1 else "phases"
    return f"the {_names(clean)} {noun} met every objective"
