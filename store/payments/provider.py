"""A simulated external payment provider.

Its latency is log-normal, set by a median and a 99th percentile as measured
at real providers; it declines and fails at configured rates. The simulated
latency is the provider's, so it stays the same whatever the store's
architecture: what a load test measures around it is the store's own doing.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from typing import Literal

from stampede.store.config import PaymentSim

_Z99 = 2.3263478740408408  # the standard normal's 99th percentile


class ProviderError(Exception):
    """The provider failed (a timeout or a 5xx at a real one)."""


def never() -> bool:
    return False


class PaymentProvider:
    """``outage`` fails every call in this process; ``outage_switch`` in every worker
    (the store points it at its shared switch file, see :mod:`store.switches`)."""

    def __init__(self, sim: PaymentSim, outage_switch: Callable[[], bool] = never) -> None:
        self._sim = sim
        self.outage_switch = outage_switch
        self._rng = random.Random(sim.seed)
        self._mu = math.log(max(sim.latency_median_ms, 0.001))
        ratio = max(sim.latency_p99_ms, sim.latency_median_ms) / max(sim.latency_median_ms, 0.001)
        self._sigma = math.log(ratio) / _Z99 if ratio > 1 else 0.0
        self.outage = False

    def out(self) -> bool:
        return self.outage or self.outage_switch()

    def latency_s(self) -> float:
        if self._sim.latency_median_ms <= 0:
            return 0.0
        return math.exp(self._rng.gauss(self._mu, self._sigma)) / 1000.0

    async def authorize(self, amount_cents: int) -> Literal["approved", "declined"]:
        await asyncio.sleep(self.latency_s())
        roll = self._rng.random()
        if self.out() or roll < self._sim.failure_rate:
            raise ProviderError("the payment provider did not answer")
        if roll < self._sim.failure_rate + self._sim.decline_rate:
            return "declined"
        return "approved"

    async def capture(self) -> None:
        await asyncio.sleep(self.latency_s() / 2)
        if self.out():
            raise ProviderError("the payment provider did not answer")
