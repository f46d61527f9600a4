"""The load generator at full scale: worker processes and memory for the profile at scale 1.

Sized from what one run's generator measured (requests per CPU-second, memory
per user, a process's fixed memory) by the capacity planner's generator model,
for the load the profile *intends* at its peak: a saturated run that achieved
half its rate, or one stopped (Ctrl-C) before its peak, is still sized for the
whole rate (the requests each arrival or user-second cost are measured; the
arrivals and users are the profile's). Without that measure, the rate Locust
reported is extrapolated per user to the profile's peak of users.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from stampede.capacity import GeneratorMeasurement, generator_sizing
from stampede.core.generator import MemoryPerUser, memory_per_user
from stampede.core.protocol import HISTORY_FILE, PROFILE_FILE
from stampede.core.records import FullScaleGenerator, MeasuredRun
from stampede.core.rundir import RunDir
from stampede.profiles import Schedule, load_profile


@dataclass(frozen=True)
class GeneratorFootprint:
    """What the run's generator used, and the peak it was asked for (at the run's scale)."""

    requests: int
    cpu_seconds: float
    peak_users: float
    memory: MemoryPerUser
    peak_rps: float
    scale: float
    #: the profile's own peak of concurrent users at this scale (0: it gives arrivals)
    intended_peak_users: float = 0.0
    processes: int = 1
    peak_rps_basis: str = "the highest request rate Locust reported"

    @property
    def rps_per_core(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def full_scale_workers(footprint: GeneratorFootprint) -> FullScaleGenerator:
    """Worker processes (one per core, at most 70 % busy) for the profile at scale 1."""
    scale = footprint.scale if footprint.scale > 0 else 1.0
    peak_users, peak_rps = footprint.peak_users, footprint.peak_rps
    if peak_users > 0 and footprint.intended_peak_users > peak_users:
        peak_rps *= footprint.intended_peak_users / peak_users
        peak_users = footprint.intended_peak_users
    full_rps, full_users = peak_rps / scale, peak_users / scale
    facts = FullScaleGenerator(
        measured_rps_per_core=round(footprint.rps_per_core, 1),
        measured_memory_mb_per_user=round(footprint.memory.mb, 4),
        memory_per_user_method=footprint.memory.method,
        memory_per_user_note=footprint.memory.note,
        full_scale_peak_rps=round(full_rps, 1),
        full_scale_peak_users=round(full_users),
        process_memory_mb=(
            None
            if footprint.memory.fixed_mb is None
            else round(footprint.memory.fixed_mb / max(footprint.processes, 1), 1)
        ),
        peak_rps_basis=footprint.peak_rps_basis,
    )
    if footprint.rps_per_core <= 0:
        return facts
    measured = GeneratorMeasurement(footprint.rps_per_core, 1.0, footprint.memory.mb)
    sizing = generator_sizing(full_rps, full_users, measured)
    # one model: a fixed part in every worker process plus a slope per user
    fixed_gb = (facts.process_memory_mb or 0.0) * sizing.workers / 1024
    return dataclasses.replace(
        facts,
        workers_needed=sizing.workers,
        memory_gb_needed=round(sizing.memory_gb + fixed_gb, 2),
    )


def measured_footprint(rundir: RunDir, measured: MeasuredRun) -> GeneratorFootprint:
    """What the run's generator used: requests, CPU-seconds, users, memory, peak rate."""
    latency = rundir.latency()
    cpu = rundir.cpu()
    cpu_seconds = sum(s["core_percent"] for s in cpu) / 100.0  # one-second samples
    users = rundir.users()
    duration = max(measured.duration_s, 1e-9)
    memory = memory_per_user(
        [u["t"] for u in users],
        [u["running"] for u in users],
        [u.get("rss_bytes", 0.0) for u in users],  # absent from runs made before it was
        peak_above_idle_bytes=float(measured.generator.memory_above_idle_bytes),
    )
    requests = latency.count()
    intended = _intended_peak(rundir, measured, requests)
    achieved = _peak_rps(rundir, requests / duration)
    processes = measured.generator.processes
    peak_users = _intended_users(users)
    if intended is not None and measured.model == "closed":
        peak_users = max(peak_users, _intended_peak_users(rundir))
    return GeneratorFootprint(
        requests=requests,
        cpu_seconds=cpu_seconds,
        peak_users=peak_users,
        memory=memory,
        peak_rps=achieved if intended is None else intended[0],
        scale=measured.scale,
        # without an intended rate, Locust's is extrapolated to the profile's peak of users
        intended_peak_users=_intended_peak_users(rundir) if intended is None else 0.0,
        # the memory samples are of the whole tree: a master and its forked workers
        processes=processes + 1 if processes > 1 else 1,
        peak_rps_basis="the highest request rate Locust reported (no intended rate known)"
        if intended is None
        else intended[1],
    )


def _intended_users(users: list[dict[str, float]]) -> float:
    """The most users the profile intended (not what a saturated run managed to start)."""
    intended = max((u.get("intended", 0.0) for u in users), default=0.0)
    return max(intended, max((u["running"] for u in users), default=0.0))


def _intended_peak_users(rundir: RunDir) -> float:
    if not rundir.has(PROFILE_FILE):
        return 0.0
    profile = rundir.profile(load_profile)
    return float(max((stage.users or 0) for stage in profile.stages))


def _intended_peak(
    rundir: RunDir, measured: MeasuredRun, requests: int
) -> tuple[float, str] | None:
    """The request rate the profile intends at its peak, from what each arrival (open model)
    or each user-second (closed) cost in requests; None when the run cannot tell."""
    generator = measured.generator
    if not rundir.has(PROFILE_FILE):
        return None
    schedule = Schedule.from_profile(rundir.profile(load_profile))
    peak = max(max(s.start_value, s.end_value) for s in schedule.segments)
    if measured.model == "open":
        sent = generator.scheduled
        if sent <= 0:
            return None
        per = requests / sent
        return peak * per, (
            f"the profile's peak of {peak:g} arrivals/s × {per:.2f} requests an arrival"
        )
    running = generator.running_user_seconds or 0.0
    if running <= 0:
        return None
    per = requests / running
    return peak * per, f"the profile's peak of {peak:g} users × {per:.2f} requests a user-second"


def _peak_rps(rundir: RunDir, fallback: float) -> float:
    """The highest request rate Locust reported (its rate is a moving average over seconds)."""
    rates = [
        float(row["Requests/s"])
        for row in rundir.read_csv(HISTORY_FILE)
        if row.get("Name") == "Aggregated" and row.get("Requests/s") not in (None, "")
    ]
    return max([*rates, fallback])
