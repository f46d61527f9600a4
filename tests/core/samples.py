"""Run records as ``stampede run`` writes them, for tests that need a run directory."""

from __future__ import annotations

import dataclasses

from stampede.core.records import (
    ChaosFault,
    FullScaleGenerator,
    GeneratorFacts,
    Machine,
    MeasuredRun,
    RunnerFacts,
    RunRecord,
    Versions,
    WorkerLoss,
)
from stampede.core.validity import Validity

ORIGIN = 1_764_000_000.0


def measured_run(**changes: object) -> MeasuredRun:
    """A closed-model child's record of a 60 s run; ``changes`` replace its fields."""
    run = MeasuredRun(
        profile="capacity-probe",
        model="closed",
        scale=0.005,
        time_scale=0.5,
        host="http://127.0.0.1:8000",
        started_at=ORIGIN - 0.5,
        ended_at=ORIGIN + 60.0,
        duration_s=60.5,
        planned_duration_s=60.0,
        origin=ORIGIN,
        interrupted=False,
        stop_reason="the profile's schedule ended",
        phases=(("warm-up", 0.0, 10.0), ("plateaus", 10.0, 60.0)),
        sale_opens_at_s=None,
        open_model_pool=None,
        generator=GeneratorFacts(
            processes=1,
            cpu_samples=60,
            memory_above_idle_bytes=12_000_000,
            lateness_tolerance_s=0.05,
            scheduled=0,
            late=0,
            intended_user_seconds=600.0,
            running_user_seconds=598.0,
        ),
        validity=Validity(True, ()),
        versions=Versions("0.1.0", "2.40.0", "3.11.9"),
        machine=Machine("Linux-6.1-x86_64", 2, "AMD EPYC", "ci"),
    )
    return dataclasses.replace(run, **changes)  # type: ignore[arg-type]


def runner_facts(**changes: object) -> RunnerFacts:
    """What ``stampede run`` adds, against the embedded store; ``changes`` replace fields."""
    facts = RunnerFacts(
        target_kind="embedded",
        store_workers=1,
        command="stampede run capacity-probe --scale 0.005 --time-scale 0.5",
        locust_exit_code=0,
        audit_ok=True,
        generator_sizing=FullScaleGenerator(
            measured_rps_per_core=1500.0,
            measured_memory_mb_per_user=0.25,
            memory_per_user_method="slope",
            memory_per_user_note="slope of the Locust processes' memory on running users",
            full_scale_peak_rps=60_000.0,
            full_scale_peak_users=24_000,
            workers_needed=58,
            memory_gb_needed=5.86,
        ),
        generator_peak_memory_mb=180.5,
        chaos=(),
        complete=True,
    )
    return dataclasses.replace(facts, **changes)  # type: ignore[arg-type]


def run_record() -> RunRecord:
    """A record with every optional part filled: losses, chaos, a lost target."""
    measured = measured_run(
        model="open",
        open_model_pool=40,
        sale_opens_at_s=20.0,
        generator=GeneratorFacts(1, 60, 1, 0.05, 900, 3, intended_arrivals=950, sent_on_time=897),
        worker_losses=(WorkerLoss(31.0, 1, 1, 2),),
        on_worker_loss="stop",
        validity=Validity(False, ("the CPU was saturated; why",)),
        interrupted=True,
        stop_reason="the target died: gone",
        statuses=((0, 37), (200, 900)),
        timeouts=(("GET /api/v1/products/[id]", 37),),
    )
    runner = runner_facts(
        chaos=(ChaosFault("kill-worker@sale+5s", "kill-worker", 25.0, 25.1, 25.4, "killed 42"),),
        target_lost="gone",
        store_workers=None,
        target_kind="remote",
        audit_ok=None,
        complete=False,
        write_error="cannot write report.html",
    )
    return RunRecord(measured, runner)
