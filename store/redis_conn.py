"""Connecting to Redis: one client per process, keys under the store's prefix.

Every caller has a fallback (the database, fail-open limits, a database-only stock
path), so commands fail fast: short timeouts and two quick retries with a capped
exponential backoff. The retries are what bring a restarted Redis back at once: a
pooled connection broken by the restart fails its next command, is reconnected and
the command runs again, instead of each of the pool's connections failing one
request after Redis is already back (the 12.8 s of failures ``Retry(NoBackoff(), 0)``
gave). Each failure a caller falls back from is counted (:meth:`RedisBackplane.failed`)
so ``/metrics`` shows when the store's Redis calls stopped failing.
"""

from __future__ import annotations

from collections.abc import Callable

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, RedisError, TimeoutError

from stampede.core.errors import ServiceUnavailableError
from stampede.store.dialects import mask_url

#: retries of a command whose connection failed, and the backoff between them: at most
#: ~60 ms more for a caller while Redis is down, a reconnect at once when it is back
RETRIES = 2
BACKOFF_BASE_S = 0.02
BACKOFF_CAP_S = 0.2


def _nothing() -> None:
    return None


class RedisBackplane:
    """The client and the key prefix every Redis user of one store shares."""

    def __init__(self, url: str, prefix: str, pool_size: int = 32, timeout_s: float = 2.0) -> None:
        self.url = url
        self.prefix = prefix
        #: called once for every Redis call a caller fell back from (the app counts them)
        self.on_failure: Callable[[], None] = _nothing
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            socket_timeout=timeout_s,
            retry=Retry(
                ExponentialBackoff(cap=BACKOFF_CAP_S, base=BACKOFF_BASE_S),
                RETRIES,
                (ConnectionError, TimeoutError),
            ),
            health_check_interval=0,
        )
        self.client: Redis = Redis(connection_pool=pool)

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def failed(self) -> None:
        """A caller's Redis call failed and it fell back (counted on ``/metrics``)."""
        self.on_failure()

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
