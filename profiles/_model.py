"""The typed vocabulary of a traffic profile: stages, behaviours, think times, the sale, SLOs.

Every value is already validated and in base units: durations and latencies
in seconds, rates per second, weights as fractions of 1.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

#: the endpoint group of every request, which an SLO can target beside the target's own groups
ALL_GROUP = "all"


@dataclass(frozen=True)
class UniformThinkTime:
    """Think time drawn uniformly from [min_s, max_s]."""

    min_s: float
    max_s: float

    @property
    def mean_s(self) -> float:
        return (self.min_s + self.max_s) / 2

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.min_s, self.max_s)


@dataclass(frozen=True)
class ConstantThinkTime:
    """The same think time every time."""

    value_s: float

    @property
    def mean_s(self) -> float:
        return self.value_s

    def sample(self, rng: random.Random) -> float:
        return self.value_s


@dataclass(frozen=True)
class ExponentialThinkTime:
    """Think time drawn from an exponential distribution, optionally capped at max_s."""

    mean_s: float
    max_s: float | None = None

    def sample(self, rng: random.Random) -> float:
        draw = rng.expovariate(1 / self.mean_s) if self.mean_s > 0 else 0.0
        return draw if self.max_s is None else min(draw, self.max_s)


ThinkTime = UniformThinkTime | ConstantThinkTime | ExponentialThinkTime


@dataclass(frozen=True)
class LogNormalWait:
    """How long shoppers wait before giving up: log-normal, ``median_s`` and shape ``sigma``.

    ``ln(wait)`` is normal with mean ``ln(median_s)`` and standard deviation ``sigma``.
    """

    median_s: float
    sigma: float

    def cdf(self, seconds: float) -> float:
        """The share of shoppers who have given up by ``seconds`` of waiting."""
        if seconds <= 0:
            return 0.0
        return NormalDist().cdf(math.log(seconds / self.median_s) / self.sigma)

    def quantile(self, share: float) -> float:
        """The wait by which ``share`` (in (0, 1)) of shoppers have given up."""
        return self.median_s * math.exp(self.sigma * NormalDist().inv_cdf(share))

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(math.log(self.median_s), self.sigma)


@dataclass(frozen=True)
class Patience:
    """How long the bundled shoppers wait (docs/patience.md): for a page view, and,
    once they hold a cart, for the cart page and the checkout's answer."""

    page: LogNormalWait = LogNormalWait(3.0, 0.5)
    checkout: LogNormalWait = LogNormalWait(10.0, 0.5)


@dataclass(frozen=True)
class UserBehaviour:
    """One user class of the mix: its share of users and how long its users think.

    ``behaviour`` names a user class of the locustfile (``Checkout`` for a class
    ``Checkout(StampedeUser)``), or a bundled behaviour's name (``browser``,
    ``shopper``, ``flash_buyer``, ``mobile_app``) when none is given.
    """

    behaviour: str
    weight: float
    think_time: ThinkTime


@dataclass(frozen=True)
class Stage:
    """A stretch of the run heading for a target load.

    Exactly one of ``users`` (closed model: concurrent users at the end of the
    stage) and ``arrivals_per_s`` (open model: arrival rate at the end of the
    stage) is set. Load ramps linearly from the previous stage's target (0 before
    the first stage), or, for users with a ``spawn_rate``, at that many users per
    second until the target is reached.
    """

    duration_s: float
    phase: str
    users: int | None = None
    arrivals_per_s: float | None = None
    spawn_rate: float | None = None

    @property
    def target(self) -> float:
        """The users or arrival rate this stage ends at."""
        value = self.users if self.users is not None else self.arrivals_per_s
        assert value is not None
        return float(value)


@dataclass(frozen=True)
class FlashSale:
    """The flash sale: which SKU goes on sale and when, in seconds from the start."""

    sku: str
    opens_at_s: float


@dataclass(frozen=True)
class LatencySlo:
    """Latency objectives for one endpoint group (``all`` or a group of the target), in seconds."""

    group: str
    p95_s: float | None = None
    p99_s: float | None = None


@dataclass(frozen=True)
class Slos:
    """The objectives a run is judged by.

    ``error_rate`` is a fraction of requests (0.01 is 1 %); ``min_throughput``
    is requests per second at the profile's current scale. ``page_load`` holds
    objectives per page type (``all``, ``product``, ``category``, ``home``,
    ``cart``): a page view is a document and its API calls, timed as one.
    """

    latency: tuple[LatencySlo, ...] = ()
    error_rate: float | None = None
    min_throughput: float | None = None
    page_load: tuple[LatencySlo, ...] = ()

    def latency_for(self, group: str) -> LatencySlo | None:
        """The latency objective of ``group``, if the profile sets one."""
        return next((slo for slo in self.latency if slo.group == group), None)


Model = Literal["closed", "open"]
#: how an open model spaces its arrivals: evenly (k6's constant-arrival-rate) or as a
#: Poisson process (independent shoppers)
Arrivals = Literal["even", "poisson"]
ARRIVALS: tuple[Arrivals, ...] = ("even", "poisson")
