"""Writing what the master (or a local runner) measured into the run directory."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

from stampede.core.cpu import CpuSample
from stampede.core.machine import cpu_model
from stampede.core.rundir import RUN_FORMAT, RunDir, write_json, write_text
from stampede.core.validity import (
    Validity,
    check_late,
    check_sample_count,
    check_saturation,
    check_sent,
    check_users,
)
from stampede.core.version import installed_version
from stampede.traffic import TrafficContext

MIN_SAMPLES = 100


def _cpu_objects(rows: list[dict[str, float]]) -> list[CpuSample]:
    return [
        CpuSample(r["at"], r["core_percent"], r["machine_percent"], r["busiest_percent"])
        for r in rows
    ]


def judge(
    ctx: TrafficContext, users: list[dict[str, float]], elapsed: float, cpu: list[dict[str, float]]
) -> tuple[Validity, dict[str, Any]]:
    m = ctx.measurements
    ledger = m.arrivals
    recorded = m.latency.count()
    on_time = ledger.sent - ledger.missed
    facts: dict[str, Any] = {"scheduled": ledger.sent, "late": ledger.missed}
    reasons = [
        check_late(ledger.sent, ledger.missed),
        check_saturation(_cpu_objects(cpu)),
        check_sample_count(recorded, MIN_SAMPLES),
    ]
    if ctx.profile.model == "open":
        intended = ctx.schedule.intended_arrivals(0.0, min(elapsed, ctx.schedule.duration_s))
        facts.update(intended_arrivals=round(intended), sent_on_time=on_time)
        reasons.append(check_sent(round(intended), on_time))
    else:
        intended_us = sum(r["intended"] for r in users)
        running_us = sum(min(r["running"], r["intended"]) for r in users)
        facts.update(intended_user_seconds=intended_us, running_user_seconds=running_us)
        reasons.append(check_users(intended_us, running_us))
    found = tuple(r for r in reasons if r is not None)
    return Validity(not found, found), facts


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
    extra: dict[str, Any] | None = None,
) -> Validity:
    m = ctx.measurements
    cpu = [*m.cpu_samples, *m.own_cpu()]
    validity, facts = judge(ctx, users, ended_at - started_at, cpu)
    run = RunDir(out)
    write_json(out / "latency.json", m.latency.to_dict())
    write_json(out / "timeline.json", m.timeline.to_dict())
    write_json(out / "arrivals.json", m.arrivals.to_dict())
    write_json(out / "outcomes.json", m.outcomes.to_dict())
    write_json(out / "users.json", {"rows": users})
    write_json(out / "cpu.json", {"samples": cpu})
    write_text(out / "profile.yaml", ctx.profile.to_yaml())
    run.update_run(
        {
            "format": RUN_FORMAT,
            "profile": ctx.profile.name,
            "model": ctx.profile.model,
            "scale": ctx.profile.applied_scale,
            "time_scale": ctx.profile.applied_time_scale,
            "host": host,
            "started_at": started_at,
            "ended_at": ended_at,
            "duration_s": ended_at - started_at,
            "planned_duration_s": ctx.schedule.duration_s,
            "origin": ctx.origin,
            "interrupted": interrupted,
            "stop_reason": stop_reason,
            "phases": [list(p) for p in ctx.schedule.phases],
            "sale_opens_at_s": ctx.schedule.sale_opens_at_s,
            "open_model_pool": ctx.pool_size if ctx.profile.model == "open" else None,
            "generator": {
                "processes": processes,
                "cpu_samples": len(cpu),
                "memory_above_idle_bytes": m.memory_above_baseline(),
                "lateness_tolerance_s": ctx.options.lateness_tolerance_s,
                **facts,
            },
            "validity": {"valid": validity.valid, "reasons": list(validity.reasons)},
            "versions": {
                "stampede": installed_version(),
                "locust": installed_version("locust"),
                "python": sys.version.split()[0],
            },
            "machine": {
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "processor": cpu_model(),
                "hostname": platform.node(),
            },
            **(extra or {}),
        }
    )
    return validity
