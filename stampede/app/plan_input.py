"""What a capacity plan takes from one run directory, read once: :func:`read_run`.

The run's record (``run.json``: validity, scales, store workers, the generator
measured), its profile (think times, the p95 objective, plateau holds; an
open model's planned plateaus), its target description (``target.yaml``: the
services to plan), the stats history, the exact per-second latency
histograms, the business outcomes (``outcomes.json``: which successes were
no ordinary success), the store's CPU, the mean response body and the
notifications queue (``queue.json``: its consumers' drain rate), as one
:class:`ProbeRun`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from stampede.capacity import (
    Endpoint,
    GeneratorMeasurement,
    LevelWindow,
    ServiceMap,
    load_stats_history,
    reference_services,
)
from stampede.core.errors import ConfigError
from stampede.core.latency import Kind, LatencyRecorder, LatencyTimeline
from stampede.core.outcomes import OutcomeCounter
from stampede.core.protocol import (
    HISTORY_FILE,
    OUTCOMES_FILE,
    STATS_FILE,
    STORE_CPU_FILE,
    TIMELINE_FILE,
)
from stampede.core.queue_samples import QueueRecord, read_queue
from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir
from stampede.profiles import ALL_GROUP, Profile, Schedule, load_profile

PROBE_COMMAND = "stampede run capacity-probe"


@dataclass(frozen=True)
class ProbeRun:
    """One run directory as a capacity plan sees it: its record, profile and series."""

    path: Path
    record: RunRecord
    history: pd.DataFrame
    slo_p95_ms: float | None
    think_time_s: float
    hold_s: float | None
    timeline: LatencyTimeline | None = None
    store_cpu: pd.DataFrame | None = None
    #: mean response body of the run's requests (Locust's "Average Content Size")
    response_bytes: float | None = None
    #: the services of the run's target description, as the planner reads them
    services: ServiceMap = dataclasses.field(default_factory=reference_services)
    #: an open-model run's planned plateaus, in Unix seconds (None: a closed model)
    levels: tuple[LevelWindow, ...] | None = None
    #: the run's business outcomes (None: the run recorded none)
    outcomes: OutcomeCounter | None = None
    #: the notifications queue, one sample a second (None: the run had no queue)
    queue: QueueRecord | None = None

    @property
    def profile(self) -> str:
        return self.record.measured.profile

    @property
    def valid(self) -> bool:
        return self.record.measured.validity.valid

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.record.measured.validity.reasons

    @property
    def scale(self) -> float:
        return self.record.measured.scale

    @property
    def time_scale(self) -> float:
        return self.record.measured.time_scale

    @property
    def store_workers(self) -> int | None:
        """The embedded store's server processes (None: a --host run, or not recorded)."""
        runner = self.record.runner
        workers = runner.store_workers if runner is not None else None
        return workers if workers is not None and workers > 0 else None

    @property
    def generator(self) -> GeneratorMeasurement | None:
        """The generator's measured throughput per core and memory per user, if measured."""
        if self.record.runner is None:
            return None
        sizing = self.record.runner.generator_sizing
        rps, memory = sizing.measured_rps_per_core, sizing.measured_memory_mb_per_user
        if rps <= 0 or memory <= 0:
            return None
        # the runner measures requests per second of one fully busy core
        return GeneratorMeasurement(rps, 1.0, memory)


class TimelineLatency:
    """Exact p95s of any window, from a run's per-second latency histograms.

    Parameters
    ----------
    timeline
        The run's ``timeline.json`` (one interval a second, Unix time).
    kind
        ``"corrected"`` (from the moment each request was due: what a user
        waited) or ``"uncorrected"`` (from the moment it was sent).
    """

    def __init__(self, timeline: LatencyTimeline, kind: Kind = "corrected") -> None:
        self.timeline = timeline
        self.kind: Kind = kind
        self._windows: dict[tuple[int, int], LatencyRecorder] = {}

    def p95_ms(self, endpoints: Collection[Endpoint] | None, start_s: int, end_s: int) -> float:
        """The p95 in ms of ``endpoints`` (``None``: all) meant to start in ``[start_s, end_s)``."""
        window = self._windows.get((start_s, end_s))
        if window is None:
            window = self._windows[start_s, end_s] = self.timeline.window(start_s, end_s)
        if endpoints is not None:
            window = window.select(f"{kind} {name}" for kind, name in endpoints)
        if window.count(self.kind) == 0:
            return float("nan")
        return window.percentiles([95.0], self.kind)[95.0] * 1000.0

    def count(self, request: str, start_s: int, end_s: int) -> int:
        """Requests named ``request`` (``"POST /basket/pay"``) completed in ``[start_s, end_s)``."""
        window = self._windows.get((start_s, end_s))
        if window is None:
            window = self._windows[start_s, end_s] = self.timeline.window(start_s, end_s)
        return window.select([request]).count(self.kind)


class RunAnswers:
    """The share of a request's answers that were business outcomes the task accepted,
    from the run's ``outcomes.json`` over its ``timeline.json`` (both on the run's clock)."""

    def __init__(self, outcomes: OutcomeCounter, latency: TimelineLatency) -> None:
        self.outcomes = outcomes
        self.latency = latency

    def share(self, request: str, start_s: int, end_s: int) -> float:
        completed = self.latency.count(request, start_s, end_s)
        if completed == 0:
            return 0.0
        return min(self.outcomes.answers(request, start_s, end_s) / completed, 1.0)


def _hold_s(profile: Profile) -> float | None:
    """The shortest stage that holds the previous stage's users or arrival rate (a hold)."""
    holds = [
        b.duration_s
        for a, b in zip(profile.stages, profile.stages[1:], strict=False)
        if (b.users, b.arrivals_per_s) == (a.users, a.arrivals_per_s)
    ]
    return min(holds) if holds else None


def _levels(profile: Profile, origin: float) -> tuple[LevelWindow, ...] | None:
    """An open model's planned plateaus in Unix seconds; None for a closed model."""
    if profile.model != "open":
        return None
    return tuple(
        LevelWindow(p.level, origin + p.start_s, origin + p.end_s)
        for p in Schedule.from_profile(profile).plateaus
    )


def _think_time_s(profile: Profile) -> float:
    """Mean think time between a user's actions, weighted by the mix."""
    return sum(m.weight * m.think_time.mean_s for m in profile.mix)


def _slo_ms(profile: Profile) -> float | None:
    slo = profile.slos.latency_for(ALL_GROUP)
    return slo.p95_s * 1000.0 if slo is not None and slo.p95_s is not None else None


def _open_run_dir(path: Path) -> RunDir:
    if not path.is_dir():
        raise ConfigError(
            f"run directory {path} does not exist; make one with `{PROBE_COMMAND}` "
            "and pass the directory it prints."
        )
    return RunDir(path).check()


def read_run(path: Path) -> ProbeRun:
    """Read what a plan needs from the run directory at ``path``.

    Raises
    ------
    ConfigError
        If the directory, its run.json, its profile.yaml or its stats history is
        missing, or its run.json is malformed.
    """
    rundir = _open_run_dir(path)
    history_file = rundir.file(HISTORY_FILE)
    if not history_file.is_file():
        raise ConfigError(
            f"{path} has no stats history ({HISTORY_FILE}); run the capacity-probe profile "
            f"(`{PROBE_COMMAND}`), which records it."
        )
    record = rundir.record()
    profile = rundir.profile(load_profile)
    return ProbeRun(
        path=path,
        record=record,
        history=load_stats_history(history_file),
        slo_p95_ms=_slo_ms(profile),
        think_time_s=_think_time_s(profile),
        hold_s=_hold_s(profile),
        timeline=rundir.timeline() if rundir.has(TIMELINE_FILE) else None,
        store_cpu=_store_cpu(rundir),
        response_bytes=_response_bytes(rundir),
        services=ServiceMap(rundir.target()),
        levels=_levels(profile, record.measured.origin),
        outcomes=_outcomes(rundir),
        queue=read_queue(path),
    )


def _outcomes(rundir: RunDir) -> OutcomeCounter | None:
    """The run's business outcomes (outcomes.json), or None when it recorded none."""
    if not rundir.has(OUTCOMES_FILE):
        return None
    try:
        return rundir.outcomes()
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{rundir.file(OUTCOMES_FILE)} is malformed ({exc!r}); it should be the "
            "outcomes record stampede run writes; delete it to plan counting every "
            "successful request as a success."
        ) from exc


def _response_bytes(rundir: RunDir) -> float | None:
    """The mean response body over all requests (the ``Aggregated`` row of locust_stats.csv)."""
    for row in rundir.read_csv(STATS_FILE):
        if row.get("Name") != "Aggregated":
            continue
        try:
            count, size = float(row["Request Count"]), float(row["Average Content Size"])
        except (KeyError, TypeError, ValueError):
            return None
        return size if count > 0 and size > 0 else None
    return None


def _store_cpu(rundir: RunDir) -> pd.DataFrame | None:
    """The embedded store's CPU per second (store-cpu.json), or None when not sampled."""
    if not rundir.has(STORE_CPU_FILE):
        return None
    data = rundir.read_json(STORE_CPU_FILE)
    try:
        return pd.DataFrame(
            {
                "at": [float(r["at"]) for r in data["samples"]],
                "cores": [float(r["cores"]) for r in data["samples"]],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{rundir.file(STORE_CPU_FILE)} is malformed ({exc!r}); it should hold "
            '{"samples": [{"at": <unix time>, "cores": <float>}, ...]}; delete it to plan '
            "without splitting replicas by service."
        ) from exc
