"""After the traffic: the runner's step of a run's record, written once.

``stampede run`` reads the child's :class:`~stampede.core.records.MeasuredRun`
from ``run.json``, writes what it learned after the traffic (the store's audit
and summary, the chaos faults), the report, and then the final
:class:`~stampede.core.records.RunRecord`, once: ``complete`` is true only when
every file of the run was written, false with the error when one was not.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stampede.app.generator_sizing import full_scale_workers, measured_footprint
from stampede.core.errors import ConfigError, StampedeError, TargetError
from stampede.core.protocol import (
    AUDIT_FILE,
    CHAOS_FILE,
    LOCUST_ERR,
    LOCUST_LOG,
    RUN_FILE,
    STORE_SUMMARY_FILE,
    WRITE_FAILED,
)
from stampede.core.records import ChaosFault, CoreIsolation, MeasuredRun, RunnerFacts, RunRecord
from stampede.core.rundir import RunDir, write_json
from stampede.reports import load_run, recovery_seconds

#: writes the report of a run directory from the record given (not yet on disk); its path,
#: or None when the reports cannot be written in this installation
Report = Callable[[Path, RunRecord], Path | None]


@dataclass(frozen=True)
class LocustExit:
    """How the Locust child ended: its exit code, whether it was stopped, and why."""

    code: int
    interrupted: bool
    peak_memory: int
    target_lost: str | None


@dataclass(frozen=True)
class AfterTraffic:
    """What the runner learned once the traffic stopped."""

    kind: str
    ended: LocustExit
    audit: dict[str, Any] | None
    summary: dict[str, Any] | None
    faults: tuple[dict[str, Any], ...]
    #: the store's and the generator's CPU cores (None: a --host run)
    isolation: CoreIsolation | None = None


@dataclass(frozen=True)
class RunSources:
    """The files a run came from besides its profile: the user's locustfile (None: the
    bundled scenarios), its SHA-256, and the target description file (None: the reference's)."""

    locustfile: str | None = None
    locustfile_sha256: str | None = None
    target_file: str | None = None


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    record: RunRecord
    report: Path | None = None

    @property
    def interrupted(self) -> bool:
        return self.record.measured.interrupted

    @property
    def target_lost(self) -> bool:
        runner = self.record.runner
        return runner is not None and runner.target_lost is not None


def _measured(rundir: RunDir, ended: LocustExit) -> MeasuredRun:
    """The child's record, or why there is none."""
    if not rundir.has(RUN_FILE):
        if ended.code == WRITE_FAILED:
            raise ConfigError(
                f"cannot write the run directory {rundir.path}: Locust could not save its "
                "measurements (its error is above); nothing there is a complete run"
            )
        raise TargetError(
            f"Locust exited with code {ended.code} before measuring anything; see "
            f"{rundir.file(LOCUST_LOG)} and {rundir.file(LOCUST_ERR)}"
        )
    return rundir.record().measured


def _ended(measured: MeasuredRun, ended: LocustExit) -> MeasuredRun:
    """The child's record, told what it could not know: that the runner stopped it."""
    interrupted = ended.interrupted or measured.interrupted
    reason = measured.stop_reason
    if ended.target_lost is not None:
        reason = f"the target died: {ended.target_lost}"
    return dataclasses.replace(measured, interrupted=interrupted, stop_reason=reason)


def _runner_facts(
    rundir: RunDir,
    measured: MeasuredRun,
    after: AfterTraffic,
    command: str,
    store_workers: int,
    sources: RunSources,
) -> RunnerFacts:
    ended = after.ended
    return RunnerFacts(
        target_kind=after.kind,
        # the replicas a capacity plan measured: every service ran in each worker
        store_workers=store_workers if after.kind == "embedded" else None,
        command=command,
        locust_exit_code=ended.code,
        audit_ok=None if after.audit is None else bool(after.audit.get("ok")),
        generator_sizing=full_scale_workers(measured_footprint(rundir, measured)),
        generator_peak_memory_mb=round(ended.peak_memory / 2**20, 1),
        chaos=tuple(ChaosFault(**fault) for fault in after.faults),
        complete=False,
        target_lost=ended.target_lost,
        locustfile=sources.locustfile,
        locustfile_sha256=sources.locustfile_sha256,
        target_file=sources.target_file,
        isolation=after.isolation,
    )


def _with_recoveries(rundir: RunDir, record: RunRecord) -> RunRecord:
    """The record with each fault's recovery, judged on the measurements as the report does."""
    runner = record.runner
    if runner is None or not runner.chaos:
        return record
    try:
        found = recovery_seconds(load_run(rundir.path, record))
    except StampedeError:
        return record  # the report, written next, says what is wrong with the files
    chaos = tuple(
        dataclasses.replace(fault, recovery_s=found.get(fault.spec)) for fault in runner.chaos
    )
    return RunRecord(record.measured, dataclasses.replace(runner, chaos=chaos))


def _write_learned(rundir: RunDir, after: AfterTraffic, record: RunRecord) -> None:
    if after.audit is not None:
        write_json(rundir.file(AUDIT_FILE), after.audit)
    if after.summary is not None:
        write_json(rundir.file(STORE_SUMMARY_FILE), after.summary)
    if record.runner is not None and record.runner.chaos:
        faults = [dict(vars(fault)) for fault in record.runner.chaos]
        write_json(rundir.file(CHAOS_FILE), {"faults": faults})


def finish_run(
    rundir: RunDir,
    after: AfterTraffic,
    *,
    command: str,
    store_workers: int,
    report: Report | None,
    sources: RunSources = RunSources(),
) -> RunResult:
    """Write what the runner learned, the report, then the final record (once)."""
    measured = _measured(rundir, after.ended)
    runner = _runner_facts(rundir, measured, after, command, store_workers, sources)
    measured = _ended(measured, after.ended)
    record = _with_recoveries(rundir, RunRecord(measured, runner))
    runner = record.runner or runner
    written: Path | None = None
    try:
        _write_learned(rundir, after, record)
        if report is not None:
            written = report(rundir.path, record)
    except StampedeError as exc:
        # best effort: the disk that refused a file may refuse this too
        with contextlib.suppress(StampedeError):
            failed = dataclasses.replace(runner, write_error=str(exc))
            rundir.write_record(RunRecord(measured, failed))
        raise
    record = RunRecord(measured, dataclasses.replace(runner, complete=True))
    rundir.write_record(record)
    return RunResult(rundir.path, record, written)
