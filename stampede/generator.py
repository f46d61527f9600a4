"""The load generator's own footprint: memory of the Locust process tree, and sizing.

From what one run measured (requests per CPU-second, memory per user) it
says how many Locust worker processes the profile needs at full scale.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import psutil


class TreeMemory:
    """Peak resident memory of a process and its children, sampled on a thread."""

    def __init__(self, pid: int, interval_s: float = 1.0) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stampede-rss", daemon=True)

    def start(self) -> TreeMemory:
        self._thread.start()
        return self

    def stop(self) -> int:
        """Peak memory of the whole tree, in bytes."""
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_bytes

    def sample(self) -> int:
        try:
            root = psutil.Process(self._pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        self.peak_bytes = max(self.peak_bytes, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()


@dataclass(frozen=True)
class GeneratorFootprint:
    requests: int
    cpu_seconds: float
    peak_users: float
    peak_memory_mb: float  # above the generator's idle footprint
    peak_rps: float
    scale: float

    @property
    def rps_per_core(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0

    @property
    def memory_mb_per_user(self) -> float:
        return self.peak_memory_mb / self.peak_users if self.peak_users > 0 else 0.0


def full_scale_workers(footprint: GeneratorFootprint) -> dict[str, float]:
    """Worker processes (one per core, at most 70 % busy) for the profile at scale 1."""
    from capacity import GeneratorMeasurement, generator_sizing

    scale = footprint.scale if footprint.scale > 0 else 1.0
    full_rps, full_users = footprint.peak_rps / scale, footprint.peak_users / scale
    facts: dict[str, float] = {
        "measured_rps_per_core": round(footprint.rps_per_core, 1),
        "measured_memory_mb_per_user": round(footprint.memory_mb_per_user, 3),
        "full_scale_peak_rps": round(full_rps, 1),
        "full_scale_peak_users": round(full_users),
    }
    if footprint.rps_per_core <= 0:
        return facts
    measured = GeneratorMeasurement(footprint.rps_per_core, 1.0, footprint.memory_mb_per_user)
    sizing = generator_sizing(full_rps, full_users, measured)
    return {
        **facts,
        "workers_needed": sizing.workers,
        "memory_gb_needed": round(sizing.memory_gb, 2),
    }
