"""`Schedule`: what load a profile asks for at each second of a run.

Pure functions of the clock: a Locust ``LoadTestShape`` (outside this package)
calls `Schedule.at` from its ``tick``; reports use `Schedule.phases` to shade
charts and `Schedule.intended_arrivals` to spot missed arrivals.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from stampede.profiles._model import Arrivals, Model
from stampede.profiles._profile import Profile
from stampede.profiles._segments import Segment, lay_out


@dataclass(frozen=True)
class IntendedLoad:
    """The load intended at one moment of a run.

    Closed model: ``users`` is the current stage's target and ``spawn_rate`` the
    users per second that reach it by the stage's end (what a Locust shape's
    ``tick`` returns); ``intended_users`` is where the ramp is right now. During a
    hold, ``spawn_rate`` is the last ramp's, so a shape that fell behind catches up
    at the pace it was ramping.
    Open model: ``arrivals_per_s`` is the intended arrival rate right now.
    """

    phase: str
    stage: int
    users: int | None = None
    spawn_rate: float | None = None
    intended_users: float | None = None
    arrivals_per_s: float | None = None


class Phase(NamedTuple):
    """A named stretch of the run, ``[start_s, end_s)`` in run seconds."""

    name: str
    start_s: float
    end_s: float


class PlannedPlateau(NamedTuple):
    """A stretch of steady load (users or arrivals per second) in run seconds."""

    phase: str
    start_s: float
    end_s: float
    level: float


@dataclass(frozen=True)
class Schedule:
    """The load a profile intends over the run's clock (run seconds from 0)."""

    model: Model
    segments: tuple[Segment, ...]
    sale_opens_at_s: float | None = None
    arrivals: Arrivals = "even"

    @classmethod
    def from_profile(cls, profile: Profile) -> Schedule:
        """The schedule of ``profile`` as it stands (scale it first with `Profile.scaled`)."""
        opens = profile.flash.opens_at_s if profile.flash is not None else None
        return cls(profile.model, lay_out(profile.stages), opens, profile.arrivals)

    @property
    def duration_s(self) -> float:
        """The length of the run in seconds."""
        return self.segments[-1].end_s

    @property
    def phases(self) -> list[Phase]:
        """The phases in order; consecutive stages of the same phase are merged."""
        phases: list[Phase] = []
        for segment in self.segments:
            if phases and phases[-1].name == segment.phase:
                phases[-1] = phases[-1]._replace(end_s=segment.end_s)
            else:
                phases.append(Phase(segment.phase, segment.start_s, segment.end_s))
        return phases

    @property
    def plateaus(self) -> list[PlannedPlateau]:
        """The stretches of steady load in order; back-to-back holds at one level merge."""
        plateaus: list[PlannedPlateau] = []
        for segment in self.segments:
            if not segment.is_hold:
                continue
            last = plateaus[-1] if plateaus else None
            if last and last.end_s == segment.start_s and last.level == segment.end_value:
                plateaus[-1] = last._replace(end_s=segment.end_s)
            else:
                plateaus.append(
                    PlannedPlateau(segment.phase, segment.start_s, segment.end_s, segment.end_value)
                )
        return plateaus

    def at(self, t: float) -> IntendedLoad | None:
        """The load intended at run time ``t``; ``None`` once the run is over."""
        if t < 0:
            raise ValueError(f"run time must be 0 or more, not {t}")
        if t >= self.duration_s:
            return None
        segment = self.segments[bisect.bisect_right(self._starts, t) - 1]
        value = segment.value_at(t)
        if self.model == "open":
            return IntendedLoad(segment.phase, segment.stage, arrivals_per_s=value)
        return IntendedLoad(
            segment.phase,
            segment.stage,
            users=round(segment.end_value),
            spawn_rate=segment.spawn_rate,
            intended_users=value,
        )

    @property
    def _starts(self) -> list[float]:
        return [segment.start_s for segment in self.segments]

    def intended_arrivals(self, t0: float, t1: float) -> float:
        """The arrivals the open model intends in ``[t0, t1)``: the integral of the rate."""
        self._require_open()
        if t1 < t0:
            raise ValueError(f"t1 ({t1}) must not be before t0 ({t0})")
        return self._cumulative(t1) - self._cumulative(t0)

    def _cumulative(self, t: float) -> float:
        return sum(segment.integral_to(t) for segment in self.segments)

    def time_at_arrivals(self, amount: float) -> float | None:
        """The run time by which ``amount`` arrivals are intended; None past the run's end.

        The inverse of the cumulative intended arrivals: a virtual user that
        owns every V-th arrival asks for ``(k + phase) * V`` to find its k-th.
        """
        self._require_open()
        if amount < 0:
            raise ValueError(f"an amount of arrivals must be 0 or more, not {amount}")
        done = 0.0
        for segment in self.segments:
            here = segment.integral_to(segment.end_s)
            if amount < done + here:
                return segment.time_of(amount - done)
            done += here
        return None

    def arrival_times(self, seed: int | None = None) -> Iterator[float]:
        """The intended start time of every arrival of the open model, in order.

        With ``arrivals: even`` (the default) the arrivals are evenly spaced in
        cumulative intended arrivals: the k-th (from 0) starts when k arrivals
        were intended before it, so a constant rate r starts one every 1/r s from
        t = 0, as k6's constant-arrival-rate does, and a ramp speeds up smoothly;
        ``seed`` changes nothing. With ``arrivals: poisson`` they form a Poisson
        process with the same intended rate, reproducible for a given ``seed``
        (a fresh draw each call without one), as the pacer sends them.
        """
        self._require_open()
        edges = [0.0]
        for segment in self.segments:
            edges.append(edges[-1] + segment.integral_to(segment.end_s))
        if self.arrivals == "poisson":
            amounts = _poisson(edges[-1], random.Random(seed))
        else:
            amounts = _even(edges[-1])
        index = 0
        for amount in amounts:
            while index < len(self.segments) - 1 and amount >= edges[index + 1]:
                index += 1
            yield self.segments[index].time_of(amount - edges[index])

    def _require_open(self) -> None:
        if self.model != "open":
            raise ValueError("arrivals are defined only for open-model (arrivals_per_s) profiles")


#: arrivals within this of the total are rounding error, not one more arrival
_EPSILON = 1e-9


def _even(total: float) -> Iterator[float]:
    k = 0
    while k < total - _EPSILON:
        yield float(k)
        k += 1


def _poisson(total: float, rng: random.Random) -> Iterator[float]:
    amount = rng.expovariate(1.0)
    while amount < total:
        yield amount
        amount += rng.expovariate(1.0)
