"""The load generator at full scale: worker processes and memory for the profile at scale 1.

Sized from what one run's generator measured (requests per CPU-second, memory
per user) by the capacity planner's generator model.
"""

from __future__ import annotations

from dataclasses import dataclass

from stampede.capacity import GeneratorMeasurement, generator_sizing
from stampede.core.generator import MemoryPerUser


@dataclass(frozen=True)
class GeneratorFootprint:
    requests: int
    cpu_seconds: float
    peak_users: float
    memory: MemoryPerUser
    peak_rps: float
    scale: float

    @property
    def rps_per_core(self) -> float:
        return self.requests / self.cpu_seconds if self.cpu_seconds > 0 else 0.0


def full_scale_workers(footprint: GeneratorFootprint) -> dict[str, float | str]:
    """Worker processes (one per core, at most 70 % busy) for the profile at scale 1."""
    scale = footprint.scale if footprint.scale > 0 else 1.0
    full_rps, full_users = footprint.peak_rps / scale, footprint.peak_users / scale
    facts: dict[str, float | str] = {
        "measured_rps_per_core": round(footprint.rps_per_core, 1),
        "measured_memory_mb_per_user": round(footprint.memory.mb, 4),
        "memory_per_user_method": footprint.memory.method,
        "memory_per_user_note": footprint.memory.note,
        "full_scale_peak_rps": round(full_rps, 1),
        "full_scale_peak_users": round(full_users),
    }
    if footprint.rps_per_core <= 0:
        return facts
    measured = GeneratorMeasurement(footprint.rps_per_core, 1.0, footprint.memory.mb)
    sizing = generator_sizing(full_rps, full_users, measured)
    return {
        **facts,
        "workers_needed": sizing.workers,
        "memory_gb_needed": round(sizing.memory_gb, 2),
    }
