"""Writing what the master (or a local runner) measured into the run directory.

The child's step of the run's record: the measurement files, the profile as
run (unless it was handed one: ``stampede run`` writes it before starting the
child), and ``run.json`` holding a :class:`~stampede.core.records.MeasuredRun`,
written last so that a run directory with ``run.json`` has every measurement.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from stampede.core.cpu import CpuSample
from stampede.core.machine import cpu_model
from stampede.core.protocol import (
    ARRIVALS_FILE,
    CPU_FILE,
    LATENCY_FILE,
    OUTCOMES_FILE,
    PAGES_FILE,
    PROFILE_FILE,
    TARGET_FILE,
    TIMELINE_FILE,
    USERS_FILE,
)
from stampede.core.records import (
    GeneratorFacts,
    Machine,
    MeasuredRun,
    RunRecord,
    Versions,
    WorkerLoss,
    WorkerRecord,
)
from stampede.core.rundir import RunDir, write_json, write_text
from stampede.core.validity import (
    Validity,
    check_late,
    check_sample_count,
    check_saturation,
    check_sent,
    check_served,
    check_users,
)
from stampede.core.version import installed_version
from stampede.traffic import TrafficContext

MIN_SAMPLES = 100


@dataclass(frozen=True)
class TrafficEnd:
    """How and when the test ended, as the master saw it."""

    started_at: float
    ended_at: float
    host: str
    processes: int
    interrupted: bool
    stop_reason: str
    worker_losses: tuple[WorkerLoss, ...] = ()
    on_worker_loss: str = "continue"
    workers: tuple[WorkerRecord, ...] = ()


def losses(rows: Sequence[Mapping[str, float]]) -> tuple[WorkerLoss, ...]:
    """The master's records of lost workers (``t``, ``lost``, ``left``, ``before``)."""
    return tuple(
        WorkerLoss(float(r["t"]), int(r["lost"]), int(r["left"]), int(r["before"])) for r in rows
    )


def _cpu_objects(rows: list[dict[str, float]]) -> list[CpuSample]:
    return [
        CpuSample(r["at"], r["core_percent"], r["machine_percent"], r["busiest_percent"])
        for r in rows
    ]


def _lost_workers(end: TrafficEnd) -> str | None:
    """Why load went missing, when workers were lost: when, and what happened next."""
    if not end.worker_losses:
        return None
    then = (
        "the run stopped there"
        if end.on_worker_loss == "stop"
        else "their users moved to the workers left once Locust's heartbeats missed them"
    )
    lost = ", ".join(
        f"{loss.t:.0f} s ({loss.left} of {loss.before} left)" for loss in end.worker_losses
    )
    return f"Locust worker processes were lost at {lost} and {then}"


def judge(
    ctx: TrafficContext, users: list[dict[str, float]], end: TrafficEnd, cpu: list[dict[str, float]]
) -> tuple[Validity, GeneratorFacts]:
    """The run's validity, and the generator's facts it was judged on."""
    m = ctx.measurements
    elapsed = end.ended_at - end.started_at
    ledger = m.arrivals
    on_time = ledger.sent - ledger.missed
    reasons = [
        check_late(ledger.sent, ledger.missed),
        check_saturation(_cpu_objects(cpu)),
        check_sample_count(m.latency.count(), MIN_SAMPLES),
        check_served(sum(m.statuses.values()), m.statuses[404] + m.statuses[405]),
    ]
    facts = GeneratorFacts(
        processes=end.processes,
        cpu_samples=len(cpu),
        memory_above_idle_bytes=m.memory_above_baseline(),
        lateness_tolerance_s=ctx.options.lateness_tolerance_s,
        scheduled=ledger.sent,
        late=ledger.missed,
    )
    if ctx.profile.model == "open":
        intended = round(ctx.schedule.intended_arrivals(0.0, min(elapsed, ctx.schedule.duration_s)))
        facts = replace(facts, intended_arrivals=intended, sent_on_time=on_time)
        reasons.append(check_sent(intended, on_time, because=_lost_workers(end)))
    else:
        intended_us = sum(r["intended"] for r in users)
        running_us = sum(min(r["running"], r["intended"]) for r in users)
        facts = replace(facts, intended_user_seconds=intended_us, running_user_seconds=running_us)
        reasons.append(check_users(intended_us, running_us, because=_lost_workers(end)))
    found = tuple(r for r in reasons if r is not None)
    return Validity(not found, found), facts


def measured_run(
    ctx: TrafficContext, end: TrafficEnd, validity: Validity, generator: GeneratorFacts
) -> MeasuredRun:
    """The child's step of the run's record."""
    profile, schedule = ctx.profile, ctx.schedule
    return MeasuredRun(
        profile=profile.name,
        model=profile.model,
        scale=profile.applied_scale,
        time_scale=profile.applied_time_scale,
        host=end.host,
        started_at=end.started_at,
        ended_at=end.ended_at,
        duration_s=end.ended_at - end.started_at,
        planned_duration_s=schedule.duration_s,
        origin=ctx.origin,
        interrupted=end.interrupted,
        stop_reason=end.stop_reason,
        phases=tuple((p.name, p.start_s, p.end_s) for p in schedule.phases),
        sale_opens_at_s=schedule.sale_opens_at_s,
        open_model_pool=ctx.pool_size if profile.model == "open" else None,
        generator=generator,
        validity=validity,
        versions=Versions(installed_version(), installed_version("locust"), sys.version.split()[0]),
        machine=Machine(platform.platform(), os.cpu_count(), cpu_model(), platform.node()),
        worker_losses=end.worker_losses,
        on_worker_loss=end.on_worker_loss,
        workers=end.workers,
        target=ctx.target.name,
        uncorrected_users=ctx.uncorrected,
        statuses=tuple(sorted(ctx.measurements.statuses.items())),
        timeouts=tuple(sorted(ctx.measurements.timeouts.items())),
    )


def _handed_profile(ctx: TrafficContext, out: Path) -> bool:
    """Whether ``--traffic`` is this run directory's profile.yaml (``stampede run`` wrote it)."""
    traffic = Path(ctx.options.traffic)
    return traffic.is_file() and traffic.resolve() == (out / PROFILE_FILE).resolve()


def write_artifacts(
    ctx: TrafficContext,
    out: Path,
    *,
    users: list[dict[str, float]],
    started_at: float,
    ended_at: float,
    host: str,
    processes: int,
    interrupted: bool,
    stop_reason: str,
    worker_losses: Sequence[Mapping[str, float]] = (),
    on_worker_loss: str = "continue",
    workers: tuple[WorkerRecord, ...] = (),
) -> Validity:
    """Write the measurement files, the profile as run, then ``run.json``; the validity."""
    end = TrafficEnd(
        started_at,
        ended_at,
        host,
        processes,
        interrupted,
        stop_reason,
        losses(worker_losses),
        on_worker_loss,
        workers,
    )
    m = ctx.measurements
    cpu = [*m.cpu_samples, *m.own_cpu()]
    validity, generator = judge(ctx, users, end, cpu)
    rundir = RunDir(out)
    write_json(out / LATENCY_FILE, m.latency.to_dict())
    write_json(out / TIMELINE_FILE, m.timeline.to_dict())
    write_json(out / PAGES_FILE, m.pages.totals().to_dict())
    write_json(out / ARRIVALS_FILE, m.arrivals.to_dict())
    write_json(out / OUTCOMES_FILE, m.outcomes.to_dict())
    write_json(out / USERS_FILE, {"rows": users})
    write_json(out / CPU_FILE, {"samples": cpu})
    if not _handed_profile(ctx, out):
        rundir.write_profile(ctx.profile)
    if not (out / TARGET_FILE).is_file():  # plain locust: the description it used
        write_text(out / TARGET_FILE, ctx.target_text())
    rundir.write_record(RunRecord(measured_run(ctx, end, validity, generator)))
    return validity
