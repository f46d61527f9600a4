"""Sessions in Redis, in front of their durable rows in the users database.

A token is still signed (a forged one is refused without a round trip), and
it must also be a live session: every worker checks Redis, where a log-in
puts the session and a log-out deletes it, so both take effect everywhere at
once. Redis is the fast path, not the record: a session Redis does not know
(it restarted empty, or evicted it) is looked up in the database and put
back, and while Redis cannot be reached the database answers alone. Keys
hold a hash of the token, never the token itself.
"""

from __future__ import annotations

import hashlib
import logging

from redis.exceptions import RedisError

from stampede.store.redis_conn import RedisBackplane

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
            self._redis.failed()
            log.warning("could not store a session in Redis (%s); the token still works", exc)

    async def is_open(self, token: str) -> bool | None:
        """Whether Redis holds the session; None when Redis cannot be asked."""
        try:
            return bool(await self._redis.client.exists(self._key(token)))
        except (RedisError, OSError):
            self._redis.failed()
            return None

    async def close(self, token: str) -> bool:
        """End the session; False when Redis could not be reached."""
        try:
            await self._redis.client.delete(self._key(token))
        except (RedisError, OSError):
            self._redis.failed()
            return False
        return True
