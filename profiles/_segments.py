"""A profile's stages laid out on the run's clock as linear segments of load."""

from __future__ import annotations

import math
from dataclasses import dataclass

from stampede.profiles._model import Stage

#: spawn rate (users/s) for holds that follow no ramp: a gentle catch-up
_FALLBACK_SPAWN_RATE = 1.0


@dataclass(frozen=True)
class Segment:
    """One stage on the clock: load moves from ``start_value`` to ``end_value``.

    The value (users or arrivals per second) moves linearly and reaches
    ``end_value`` at ``reach_s`` (the end of the stage unless an explicit spawn
    rate gets there sooner), then holds.
    """

    stage: int
    phase: str
    start_s: float
    end_s: float
    start_value: float
    end_value: float
    reach_s: float
    spawn_rate: float

    @property
    def is_hold(self) -> bool:
        return self.start_value == self.end_value

    def value_at(self, t: float) -> float:
        """Users or arrival rate intended at run time ``t`` within this segment."""
        if t >= self.reach_s:
            return self.end_value
        fraction = max(t - self.start_s, 0.0) / (self.reach_s - self.start_s)
        return self.start_value + (self.end_value - self.start_value) * fraction

    def integral_to(self, t: float) -> float:
        """The area under the load between the segment's start and ``t`` (clipped)."""
        tau = min(max(t - self.start_s, 0.0), self.end_s - self.start_s)
        return (self.start_value + self.value_at(self.start_s + tau)) / 2 * tau

    def time_of(self, amount: float) -> float:
        """The run time at which `integral_to` reaches ``amount``."""
        rate = self.start_value
        slope = (self.end_value - rate) / (self.end_s - self.start_s)
        # τ solves rate·τ + slope·τ²/2 = amount, written to stay exact when slope is 0.
        root = math.sqrt(max(rate * rate + 2 * slope * amount, 0.0))
        tau = 2 * amount / (rate + root) if rate + root > 0 else 0.0
        return self.start_s + min(max(tau, 0.0), self.end_s - self.start_s)


def lay_out(stages: tuple[Stage, ...]) -> tuple[Segment, ...]:
    """The segments of ``stages`` back to back from run time 0."""
    segments: list[Segment] = []
    start, previous, last_ramp_rate = 0.0, 0.0, _FALLBACK_SPAWN_RATE
    for index, stage in enumerate(stages):
        target = stage.target
        step = abs(target - previous)
        end = start + stage.duration_s
        if stage.spawn_rate is not None:
            spawn_rate, reach = stage.spawn_rate, start + step / stage.spawn_rate
        elif step > 0:
            spawn_rate, reach = step / stage.duration_s, end
        else:
            spawn_rate, reach = last_ramp_rate, end
        if step > 0:
            last_ramp_rate = spawn_rate
        segments.append(
            Segment(index, stage.phase, start, end, previous, target, min(reach, end), spawn_rate)
        )
        start, previous = end, target
    return tuple(segments)
