"""When each virtual user acts next, and when it *intended* to.

Closed model: a user thinks, then acts; it intended to act the moment its
think time ended, so a late wake-up (a busy generator) shows as corrected
latency.

Open model: like wrk2's per-connection schedule, the pool of V virtual users
shares the profile's arrival rate. A user with random phase u owns the
arrivals at cumulative counts (k + u)·V, so V users, in any number of
processes, together start arrivals at the intended rate without talking to
each other. With ``arrivals: poisson`` each user instead draws the gap to
its next arrival from an exponential of mean V (in cumulative counts): V
independent Poisson streams of rate r/V merge into one Poisson stream of
rate r, again without the users talking to each other. A user still busy
when its next arrival is due sends it late: its latency is measured from
the arrival's intended time and the lateness is counted, never hidden.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from stampede.profiles import Schedule, ThinkTime


@dataclass
class ClosedPacer:
    think: ThinkTime
    rng: random.Random
    clock: Callable[[], float]
    next_intended: float | None = None

    def wait(self) -> float | None:
        """Seconds to wait before the next task; None never happens in a closed model."""
        pause = self.think.sample(self.rng)
        self.next_intended = self.clock() + pause
        return pause


@dataclass
class OpenPacer:
    schedule: Schedule
    pool_size: int
    origin: Callable[[], float]
    clock: Callable[[], float]
    rng: random.Random
    phase: float = field(init=False)
    k: int = 0
    amount: float = 0.0
    next_intended: float | None = None

    def __post_init__(self) -> None:
        self.phase = self.rng.random()
        # a user that starts mid-run (it replaces one of a lost worker, or joined late)
        # owns the arrivals from now on; those before it was there are not its to send
        now = self.clock() - self.origin()
        if now > 0:
            owned = self.schedule.intended_arrivals(0.0, now) / self.pool_size - self.phase
            self.k = max(0, math.ceil(owned))

    def _next_amount(self) -> float:
        """The cumulative intended count at which this user's next arrival falls."""
        if self.schedule.arrivals == "poisson":
            self.amount += self.rng.expovariate(1.0 / self.pool_size)
            return self.amount
        return (self.k + self.phase) * self.pool_size

    def wait(self) -> float | None:
        """Seconds until this user's next arrival; None when the schedule has no more."""
        run_time = self.schedule.time_at_arrivals(self._next_amount())
        if run_time is None:
            self.next_intended = None
            return None
        self.k += 1
        self.next_intended = self.origin() + run_time
        return max(0.0, self.next_intended - self.clock())
