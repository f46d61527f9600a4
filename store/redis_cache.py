"""The catalog cache shared by every process through Redis.

A per-process single-flight TTL cache sits in front of Redis: a cold key costs
Redis one read per process, and the database one load per process at most.
When Redis fails, reads fall through to the database, so browsing keeps
working without it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import msgspec
from redis.exceptions import RedisError

from stampede.store.cache import TtlCache
from stampede.store.redis_conn import RedisBackplane

log = logging.getLogger("stampede.store")
V = TypeVar("V")
_encoder = msgspec.json.Encoder()


class RedisCache:
    """Values live ``ttl_s`` in Redis and, for a fraction of that, in each process."""

    def __init__(self, redis: RedisBackplane, ttl_s: float, local_ttl_s: float = 1.0) -> None:
        self._redis = redis
        self._ttl_ms = max(1, int(ttl_s * 1000))
        self.local = TtlCache[object](min(local_ttl_s, ttl_s))

    def peek(self, key: str) -> object | None:
        return self.local.peek(key)

    async def get(self, key: str, load: Callable[[], Awaitable[V]], type_: Any) -> V:
        async def through_redis() -> V:
            return await self._shared(key, load, type_)

        return cast(V, await self.local.get(key, through_redis))

    async def _shared(self, key: str, load: Callable[[], Awaitable[V]], type_: Any) -> V:
        name = self._redis.key("catalog", key)
        try:
            raw = await self._redis.client.get(name)
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("catalog cache: Redis unavailable (%s); reading the database", exc)
            return await load()
        if raw is not None:
            return cast(V, raw if type_ is bytes else msgspec.json.decode(raw, type=type_))
        value = await load()
        encoded = value if isinstance(value, bytes) else _encoder.encode(value)
        try:
            await self._redis.client.set(name, encoded, px=self._ttl_ms)
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("catalog cache: Redis unavailable (%s); not caching %s", exc, key)
        return value

    async def clear(self) -> None:
        self.local.clear()
        pattern = self._redis.key("catalog", "*")
        try:
            async for name in self._redis.client.scan_iter(match=pattern, count=1000):
                await self._redis.client.delete(name)
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("catalog cache: could not clear Redis (%s)", exc)
