"""A read cache with a time-to-live and single-flight loading.

When many requests miss the same key at once (a cold cache at the doors'
opening), one loads it and the others await that load instead of stampeding
the database. :class:`ReadCache` is what the catalog reads through; the
Redis-backed one shared by all processes is :mod:`store.redis_cache`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar, cast

V = TypeVar("V")


class TtlCache(Generic[V]):
    """Values expire ``ttl_s`` after they were loaded; loads are single-flight."""

    def __init__(
        self, ttl_s: float, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._values: dict[Hashable, tuple[float, V]] = {}
        self._loading: dict[Hashable, asyncio.Future[V]] = {}
        self.hits = 0
        self.misses = 0
        self.loads = 0

    def peek(self, key: Hashable) -> V | None:
        """The cached value if it is fresh, without loading."""
        entry = self._values.get(key)
        if entry is not None and entry[0] > self._clock():
            self.hits += 1
            return entry[1]
        return None

    async def get(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        fresh = self.peek(key)
        if fresh is not None:
            return fresh
        self.misses += 1
        pending = self._loading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            self.loads += 1
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # a failed load with no other waiter is not "never retrieved"
            raise
        finally:
            self._loading.pop(key, None)
        if len(self._values) >= self._max_entries:
            self._values.clear()
        self._values[key] = (self._clock() + self._ttl_s, value)
        future.set_result(value)
        return value

    def clear(self) -> None:
        self._values.clear()


class ReadCache(Protocol):
    """What the catalog reads through: local, Redis-backed, or none (legacy)."""

    def peek(self, key: str) -> object | None: ...

    async def get(self, key: str, load: Callable[[], Awaitable[V]], type_: Any) -> V: ...

    async def clear(self) -> None: ...


class LocalCache:
    """A per-process :class:`TtlCache` (the embedded store's cache)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl = TtlCache[object](ttl_s)

    def peek(self, key: str) -> object | None:
        return self.ttl.peek(key)

    async def get(self, key: str, load: Callable[[], Awaitable[V]], type_: Any) -> V:
        return cast(V, await self.ttl.get(key, load))

    async def clear(self) -> None:
        self.ttl.clear()


class NoCache:
    """Every read goes to the database (the legacy monolith had no cache)."""

    def peek(self, key: str) -> object | None:
        return None

    async def get(self, key: str, load: Callable[[], Awaitable[V]], type_: Any) -> V:
        return await load()

    async def clear(self) -> None:
        return None
