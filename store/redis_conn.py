"""Connecting to Redis: one client per process, keys under the store's prefix.

Commands fail fast (no retries, short timeouts): every caller has a fallback
(the database, fail-open limits, a database-only stock path), and a slow
failure would be worse than a quick one.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from stampede.core.errors import ServiceUnavailableError
from stampede.store.dialects import mask_url


class RedisBackplane:
    """The client and the key prefix every Redis user of one store shares."""

    def __init__(self, url: str, prefix: str, pool_size: int = 32, timeout_s: float = 2.0) -> None:
        self.url = url
        self.prefix = prefix
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self.client: Redis = Redis(connection_pool=pool)

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    async def check(self) -> None:
        """PING, or ServiceUnavailableError naming the (masked) URL and the cause."""
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            raise ServiceUnavailableError(
                f"cannot reach Redis at {mask_url(self.url)}: {str(exc).splitlines()[0]}; "
                "check --redis-url / STAMPEDE_REDIS_URL and that the server is running"
            ) from exc

    async def close(self) -> None:
        await self.client.aclose()
