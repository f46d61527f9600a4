"""The load generator at full scale: worker processes and memory for the profile at scale 1.

Sized from what one run's generator measured (requests per CPU-second, memory
per user) by the capacity planner's generator model, for the peak the profile
intends: a run stopped before its peak (Ctrl-C) still sizes the profile's full
scale, its request rate extrapolated per user from the users it did run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from stampede.capacity import GeneratorMeasurement, generator_sizing
from stampede.core.generator import MemoryPerUser, memory_per_user
from stampede.core.protocol import HISTORY_FILE, PROFILE_FILE
from stampede.core.records import FullScaleGenerator, MeasuredRun
from stampede.core.rundir import RunDir
from stampede.profiles import load_profile


@dataclass(frozen=True)
class GeneratorFootprint:
    requests: int
    cpu_seconds: float
    peak_users: float
    memory: MemoryPerUser
    peak_rps: float
    scale: float
    #: the profile's own peak of concurrent users at this scale (0: it gives arrivals)
    intended_peak_users: float = 0.0

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
    )
    if footprint.rps_per_core <= 0:
        return facts
    measured = GeneratorMeasurement(footprint.rps_per_core, 1.0, footprint.memory.mb)
    sizing = generator_sizing(full_rps, full_users, measured)
    return dataclasses.replace(
        facts, workers_needed=sizing.workers, memory_gb_needed=round(sizing.memory_gb, 2)
    )


def _intended_peak_users(rundir: RunDir) -> float:
    if not rundir.has(PROFILE_FILE):
        return 0.0
    profile = rundir.profile(load_profile)
    return float(max((stage.users or 0) for stage in profile.stages))


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
    return GeneratorFootprint(
        requests=latency.count(),
        cpu_seconds=cpu_seconds,
        peak_users=max((u["running"] for u in users), default=0.0),
        memory=memory,
        peak_rps=_peak_rps(rundir, latency.count() / duration),
        scale=measured.scale,
        intended_peak_users=_intended_peak_users(rundir),
    )


def _peak_rps(rundir: RunDir, fallback: float) -> float:
    """The highest request rate Locust reported (its rate is a moving average over seconds)."""
    rates = [
        float(row["Requests/s"])
        for row in rundir.read_csv(HISTORY_FILE)
        if row.get("Name") == "Aggregated" and row.get("Requests/s") not in (None, "")
    ]
    return max([*rates, fallback])
