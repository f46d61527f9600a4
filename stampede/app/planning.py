"""Plan capacity from a run directory: the glue between ``stampede run`` and ``capacity``.

:func:`~stampede.app.plan_input.read_run` gathers what a plan needs from a run
directory; :func:`plan_run` hands that to :func:`capacity.make_plan`, with the
topology corrected by what the run measured, and writes ``RUN_DIR/capacity/``
with :func:`capacity.write_plan` (``plan.json`` with the run's
:class:`~stampede.core.plan_document.PlanSource`);
:func:`stampede.app.plan_summary.summary_lines` is what the command prints.
The models stay pure; reading and writing files happens here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from stampede.app.plan_input import ProbeRun, RunAnswers, TimelineLatency, read_run
from stampede.app.verify import forget_verification
from stampede.capacity import (
    BusinessDemand,
    CapacityPlan,
    DrainChoice,
    PlanConfig,
    PlateauDetection,
    ProbeFacts,
    SaleWindow,
    SharedTiers,
    Topology,
    choose_drain,
    default_topology,
    load_prices,
    load_topology,
    make_plan,
    with_drain,
    write_plan,
)
from stampede.core.errors import ConfigError
from stampede.core.plan_document import PlanSource
from stampede.core.protocol import PLAN_DIR
from stampede.profiles import parse_duration, parse_latency

DEFAULT_TARGET_USERS = 120_000
#: leading seconds of a plateau slower than this × its steady latency are a login burst
SETTLE_FACTOR = 2.0
#: Locust's rolling percentile window plus a warm-up: shorter holds blur per-service p95s
MIN_TRUSTED_HOLD_S = 20.0
_SLO = re.compile(r"\s*p95\s*=\s*(\S+)\s*")


@dataclass(frozen=True)
class PlanRequest:
    """The inputs of ``stampede plan``: a run directory and optional overrides."""

    run_dir: Path
    target_users: float = DEFAULT_TARGET_USERS
    slo_p95_ms: float | None = None
    prices: Path | None = None
    topology: Path | None = None
    charts: bool = True
    baseline_users: float | None = None
    sale_start: datetime | None = None
    sale_duration_s: int = 3600
    #: one Kubernetes autoscaler per Deployment: KEDA (pre-warm + reactive) or a reactive HPA
    autoscaler: Literal["hpa", "keda"] = "keda"
    #: conversion, visit length, pace and the ordinary day: the business's demand
    business: BusinessDemand = dataclasses.field(default_factory=BusinessDemand)


@dataclass(frozen=True)
class PlanOutcome:
    """A plan, the run it came from, and the files written."""

    plan: CapacityPlan
    facts: ProbeRun
    out_dir: Path
    files: tuple[Path, ...]


def parse_slo(text: str) -> float:
    """Milliseconds in an objective written ``p95=500ms`` (or ``p95=1.2s``)."""
    match = _SLO.fullmatch(text)
    try:
        seconds = parse_latency(match.group(1)) if match else -1.0
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise ConfigError(
            f"--slo {text!r} is not an objective; write the p95 with a unit, "
            "e.g. --slo p95=500ms or --slo p95=1.2s."
        )
    return seconds * 1000.0


def parse_sale_duration(text: str) -> int:
    """Whole seconds in a sale's length written ``1h``, ``90m`` or ``3600``."""
    try:
        seconds = parse_duration(text)
    except ValueError:
        seconds = -1.0
    if seconds < 1:
        raise ConfigError(
            f"--sale-duration {text!r} is not a length of time; write it with a unit, "
            "e.g. --sale-duration 1h or --sale-duration 45m."
        )
    return round(seconds)


def parse_share(text: str, flag: str) -> float:
    """A share written ``2.56%`` or ``0.0256``, in [0, 1]."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100.0 if raw.endswith("%") else float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(
            f"{flag} {text!r} is not a share; write a percentage or a fraction between 0 and "
            f"1, e.g. {flag} 2.56% or {flag} 0.0256."
        )
    return value


def business_demand(
    conversion: str,
    visit_length: str,
    pace: float | None,
    baseline_share: str | None,
    daily_visits: float | None,
    baseline_users: float | None,
) -> BusinessDemand:
    """The business's demand from ``stampede plan``'s flags; one way to give the baseline."""
    given = [
        flag
        for flag, value in (
            ("--baseline-users", baseline_users),
            ("--daily-visits", daily_visits),
            ("--baseline-share", baseline_share),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigError(
            f"{' and '.join(given)} both set the ordinary day; give one of --baseline-users, "
            "--daily-visits or --baseline-share."
        )
    try:
        visit_s = parse_duration(visit_length)
    except ValueError:
        visit_s = -1.0
    if visit_s <= 0:
        raise ConfigError(
            f"--visit-length {visit_length!r} is not a length of time; write it with a unit, "
            "e.g. --visit-length 5m or --visit-length 90s."
        )
    share = parse_share(baseline_share, "--baseline-share") if baseline_share else None
    if share == 0:
        raise ConfigError("--baseline-share 0 leaves no ordinary day; give a share above 0.")
    return BusinessDemand(
        conversion=parse_share(conversion, "--conversion"),
        visit_s=visit_s,
        pace_rps=pace,
        daily_visits=daily_visits,
        **({"baseline_share": share} if share is not None else {}),
    )


def plateau_windows(hold_s: float | None) -> tuple[float, float]:
    """(warm-up, shortest window) in seconds for plateaus held ``hold_s`` each.

    A fifth of the hold is warm-up and a quarter must remain, capped at the
    10 s and 20 s that suit the probe's full-length 50 s holds.
    """
    if hold_s is None:
        return 10.0, 20.0
    return min(10.0, hold_s / 5.0), min(20.0, hold_s / 4.0)


def drain_choice(topology: Topology | None, facts: ProbeRun) -> DrainChoice:
    """The outbox drain rate for the plan: the run's queue consumers' measured one, if any."""
    topology = topology or default_topology(facts.services.names)
    queue = facts.queue
    measured = queue.drain_rate() if queue is not None else None
    return choose_drain(topology, measured, queue.queue if queue is not None else None)


def measured_topology(topology: Topology | None, facts: ProbeRun) -> Topology:
    """``topology`` (or the default) with what the run measured in place of assumptions.

    A run against the embedded store with ``--workers N`` measured N replicas
    of every service at once, every run measured its mean response body,
    which prices the data transferred out, and a run with a queue measured how
    fast its consumers drain it. A topology that names its own
    ``measured_replicas``, ``bytes_per_response`` or ``outbox_drain_per_s`` keeps them.
    """
    drain = drain_choice(topology, facts)
    topology = with_drain(topology or default_topology(facts.services.names), drain)
    if (
        facts.response_bytes is not None
        and topology.shared.bytes_per_response == SharedTiers().bytes_per_response
    ):
        shared = dataclasses.replace(topology.shared, bytes_per_response=facts.response_bytes)
        topology = dataclasses.replace(topology, shared=shared)
    if facts.store_workers is None:
        return topology
    services = dict(topology.services)
    for name in facts.services.measured:
        if name in services and services[name].measured_replicas == 1:
            services[name] = dataclasses.replace(
                services[name], measured_replicas=facts.store_workers
            )
    return dataclasses.replace(topology, services=services)


def shared_cpu_services(facts: ProbeRun) -> tuple[str, ...]:
    """The services measured in an embedded store whose CPU cores the generator shared.

    A run records its isolation (``run.json`` ``isolation``); an embedded run
    without that record was made before probes were pinned, so it shared them.
    """
    runner = facts.record.runner
    if runner is None or runner.target_kind != "embedded":
        return ()
    if runner.isolation is not None and runner.isolation.pinned:
        return ()
    return facts.services.measured


def isolation_warning(facts: ProbeRun) -> str | None:
    """The mark of a probe whose generator and embedded store competed for CPU."""
    services = shared_cpu_services(facts)
    if not services:
        return None
    assert facts.record.runner is not None
    isolation = facts.record.runner.isolation
    why = isolation.note if isolation is not None else "the run records no CPU pinning"
    return (
        f"the probe's generator and the embedded store shared CPU cores ({why}): the "
        f"throughput per replica of {', '.join(services)} was measured while the generator "
        "took part of the store's CPU, so it is a lower bound; probe on a machine with at "
        "least 2 cores (the run then pins them apart) before trusting those replica counts."
    )


def run_warnings(facts: ProbeRun) -> list[str]:
    """Caveats about the run itself, printed before the plan's own warnings."""
    notes = []
    shared = isolation_warning(facts)
    if shared is not None:
        notes.append(shared)
    if not facts.valid:
        notes.append(
            "the run is marked invalid ("
            + ("; ".join(facts.reasons) or "see run.json")
            + "); its load was not what the profile asked for, so treat the plan as a draft."
        )
    if facts.hold_s is not None and facts.hold_s < MIN_TRUSTED_HOLD_S:
        notes.append(
            f"plateaus were held {facts.hold_s:g} s (time scale {facts.time_scale:g}), under "
            f"{MIN_TRUSTED_HOLD_S:g} s: per-service p95s include each step's login burst and "
            "quiet services are measured from few requests; plan from a run at the profile's "
            "own time scale before trusting the replica counts."
        )
    if facts.timeline is None:
        notes.append(
            "the run has no timeline.json, so plateau p95s are medians of Locust's rolling "
            "10 s window, which reaches into the previous step; run with `stampede run` "
            "for exact ones."
        )
    if facts.store_workers is not None and facts.store_cpu is None:
        notes.append(
            "the services shared each store worker and the run has no store-cpu.json, so "
            "each is sized at the throughput it had while sharing: that over-counts replicas "
            "by up to the number of services; plan from a run made by this version."
        )
    if facts.store_workers is None:
        notes.append(
            "the run does not say how many store workers served it (a --host run); the plan "
            "takes the topology's measured_replicas (1 unless set)."
        )
    return notes


def plan_source(facts: ProbeRun, topology: Topology | None = None) -> PlanSource:
    """The run's provenance, as written into plan.json and summary.md."""
    return PlanSource(
        run_dir=str(facts.path),
        profile=facts.profile,
        valid=facts.valid,
        invalid_because="; ".join(facts.reasons) or None,
        scale=facts.scale,
        time_scale=facts.time_scale,
        profile_think_time_s=round(facts.think_time_s, 3),
        plateau_hold_s=facts.hold_s,
        store_workers=facts.store_workers,
        response_bytes_measured=(
            round(facts.response_bytes, 1) if facts.response_bytes is not None else None
        ),
        plateau_p95="exact (corrected)" if facts.timeline is not None else "Locust rolling",
        run_warnings=tuple(run_warnings(facts)),
        outbox_drain=drain_choice(topology, facts).reason,
        shared_cpu_services=shared_cpu_services(facts),
    )


def plan_run(request: PlanRequest) -> PlanOutcome:
    """Plan capacity from the run in ``request.run_dir`` and write ``RUN_DIR/capacity/``.

    Raises
    ------
    ConfigError
        On a missing run directory or history, too few plateaus, a bad price
        sheet or topology, or no p95 objective.
    """
    facts = read_run(request.run_dir)
    slo = request.slo_p95_ms if request.slo_p95_ms is not None else facts.slo_p95_ms
    if slo is None:
        raise ConfigError(
            f"the profile of {facts.path} sets no p95 for the 'all' group; "
            "pass one with --slo p95=500ms."
        )
    prices = load_prices(request.prices)
    names = facts.services.names
    topology = load_topology(request.topology, names) if request.topology is not None else None
    warmup_s, min_duration_s = plateau_windows(facts.hold_s)
    latency = TimelineLatency(facts.timeline) if facts.timeline is not None else None
    answers = None
    if facts.outcomes is not None and latency is not None:
        answers = RunAnswers(facts.outcomes, latency)
    config = PlanConfig(
        target_users=request.target_users,
        slo_p95_ms=slo,
        baseline_users=request.baseline_users,
        business=request.business,
        sale=SaleWindow(request.sale_start, request.sale_duration_s),
        run=ProbeFacts(
            think_time_s=facts.think_time_s,
            latency=latency,
            store_cpu=facts.store_cpu,
            generator=facts.generator,
            services=facts.services,
            levels=facts.levels,
            outcomes=answers,
        ),
        plateaus=PlateauDetection(warmup_s, min_duration_s, SETTLE_FACTOR),
        prices=prices,
        topology=measured_topology(topology, facts),
    )
    plan = make_plan(facts.history, config)
    out = facts.path / PLAN_DIR
    forget_verification(out)  # it confirmed the plan this one replaces
    files = write_plan(
        plan,
        out,
        charts=request.charts,
        source=plan_source(facts, topology),
        autoscaler=request.autoscaler,
    )
    return PlanOutcome(plan, facts, out, tuple(files))
