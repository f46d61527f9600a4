"""Scaling a profile: fewer users, shorter phases, the same shape."""

from __future__ import annotations

import math
from dataclasses import replace

from stampede.core.errors import ConfigError
from stampede.core.node import show
from stampede.profiles._model import Slos, Stage


def scale_users(users: int, scale: float) -> int:
    """``users × scale`` rounded half up, but at least 1 when ``users`` is at least 1."""
    scaled = math.floor(users * scale + 0.5)
    return max(scaled, 1) if users >= 1 else 0


def check_factor(name: str, value: float) -> float:
    """``value`` when it is a number in (0, 1]; otherwise a `ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ConfigError(
            f"{name}: {show(value)} is not allowed; expected a number in (0, 1] such as 0.01"
        )
    return float(value)


def scale_stages(stages: tuple[Stage, ...], factor: float, time_factor: float) -> tuple[Stage, ...]:
    """``stages`` with load times ``factor`` and durations times ``time_factor``."""
    scaled: list[Stage] = []
    previous = 0
    for stage in stages:
        duration = stage.duration_s * time_factor
        if stage.users is None:
            assert stage.arrivals_per_s is not None
            scaled.append(
                replace(stage, duration_s=duration, arrivals_per_s=stage.arrivals_per_s * factor)
            )
            continue
        users = scale_users(stage.users, factor)
        spawn_rate = stage.spawn_rate
        if spawn_rate is not None:
            # Rounding can widen the step a little; keep it reachable within the stage.
            spawn_rate = max(spawn_rate * factor / time_factor, abs(users - previous) / duration)
        scaled.append(replace(stage, duration_s=duration, users=users, spawn_rate=spawn_rate))
        previous = users
    return tuple(scaled)


def scale_slos(slos: Slos, factor: float) -> Slos:
    if slos.min_throughput is None:
        return slos
    return replace(slos, min_throughput=slos.min_throughput * factor)
