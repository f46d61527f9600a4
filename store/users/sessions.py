"""Sessions in Redis: every worker process sees a log-in and a log-out at once.

A token is still signed (so a forged one is refused without a round trip),
but with Redis a token also has to be a live session: logging out deletes it
everywhere, and it expires with the token. Keys hold a hash of the token,
never the token itself. If Redis cannot be reached, the signature alone
decides (fail open): log-outs made during the outage are not enforced until
Redis is back, and no shopper is locked out by a cache failure.
"""

from __future__ import annotations

import hashlib
import logging

from redis.exceptions import RedisError

from store.redis_conn import RedisBackplane

log = logging.getLogger("stampede.store")


class RedisSessions:
    def __init__(self, redis: RedisBackplane) -> None:
        self._redis = redis

    def _key(self, token: str) -> str:
        return self._redis.key("session", hashlib.sha256(token.encode()).hexdigest())

    async def open(self, token: str, user_id: int, ttl_s: float) -> None:
        try:
            await self._redis.client.set(self._key(token), user_id, px=max(1, int(ttl_s * 1000)))
        except (RedisError, OSError) as exc:
            log.warning("could not store a session in Redis (%s); the token still works", exc)

    async def is_open(self, token: str) -> bool:
        """Whether the session is live; True when Redis cannot tell (fail open)."""
        try:
            return bool(await self._redis.client.exists(self._key(token)))
        except (RedisError, OSError):
            return True

    async def close(self, token: str) -> bool:
        """End the session; False when Redis could not be reached."""
        try:
            await self._redis.client.delete(self._key(token))
        except (RedisError, OSError):
            return False
        return True
