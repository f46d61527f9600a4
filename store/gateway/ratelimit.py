"""Token-bucket rate limits: one bucket per client and one for the whole store.

A client is the signed-in user when the request carries a valid token, else
the address the connection came from. Headers such as ``X-Forwarded-For`` are
not trusted: rotating them must not buy a fresh bucket.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from stampede.store.config import RateLimits


class Limiter(Protocol):
    async def admit(self, client: str, signed_in: bool) -> tuple[str, float] | None:
        """None when allowed, else (which limit, seconds to wait)."""
        ...


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take one token; 0.0 when granted, else seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate if self.rate > 0 else math.inf


class RateLimiter:
    """Per-client and global token buckets, bounded in memory (least recently used go)."""

    def __init__(
        self,
        limits: RateLimits,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._max_clients = max_clients
        self._clients: OrderedDict[str, TokenBucket] = OrderedDict()
        now = clock()
        self._global = TokenBucket(
            limits.global_rate, limits.global_burst, limits.global_burst, now
        )

    def check(self, client: str, signed_in: bool) -> tuple[str, float] | None:
        """None when allowed, else (which limit, seconds to wait)."""
        now = self._clock()
        bucket = self._clients.get(client)
        if bucket is None:
            rate, burst = (
                (self._limits.user_rate, self._limits.user_burst)
                if signed_in
                else (self._limits.anonymous_rate, self._limits.anonymous_burst)
            )
            bucket = self._clients[client] = TokenBucket(rate, burst, burst, now)
            if len(self._clients) > self._max_clients:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(client)
        wait = bucket.take(now)
        if wait:
            return ("client", wait)
        wait = self._global.take(now)
        if wait:
            return ("global", wait)
        return None

    async def admit(self, client: str, signed_in: bool) -> tuple[str, float] | None:
        return self.check(client, signed_in)
