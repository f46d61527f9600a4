"""A simulated external e-mail provider with its own log-normal latency.

Like the payment provider, its latency belongs to the provider, not to the
store: it is the same in both architectures, and what differs is whether a
shopper waits for it (legacy: inside checkout) or not (modern: the outbox).
"""

from __future__ import annotations

import asyncio
import math
import random

from stampede.store.config import EmailSim

_Z99 = 2.3263478740408408  # the standard normal's 99th percentile


class EmailProvider:
    def __init__(self, sim: EmailSim) -> None:
        self._median_ms = sim.latency_median_ms
        self._rng = random.Random(sim.seed)
        self._mu = math.log(max(sim.latency_median_ms, 0.001))
        ratio = max(sim.latency_p99_ms, sim.latency_median_ms) / max(sim.latency_median_ms, 0.001)
        self._sigma = math.log(ratio) / _Z99 if ratio > 1 else 0.0
        self.sent = 0

    def latency_s(self) -> float:
        if self._median_ms <= 0:
            return 0.0
        return math.exp(self._rng.gauss(self._mu, self._sigma)) / 1000.0

    async def send(self, recipient: str, subject: str) -> None:
        await asyncio.sleep(self.latency_s())
        self.sent += 1
