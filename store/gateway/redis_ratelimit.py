"""Token buckets in Redis, so a limit holds across every worker process.

One Lua script takes from the client's bucket, then the global one, atomically
and on Redis's clock. When Redis cannot be reached the limiter fails open
(admits) or closed (refuses with 503), as configured.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from stampede.store.config import FailureMode, RateLimits
from stampede.store.redis_conn import RedisBackplane

log = logging.getLogger("stampede.store")

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function take(key, rate, burst)
  local b = redis.call('HMGET', key, 'tokens', 'updated')
  local tokens = tonumber(b[1]) or burst
  local updated = tonumber(b[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
  local wait = 0
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'updated', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  return wait
end
local wait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
if wait > 0 then return {'client', tostring(wait)} end
wait = take(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
if wait > 0 then return {'global', tostring(wait)} end
return false
"""

UNAVAILABLE = "unavailable"


class RedisRateLimiter:
    """Per-client and global token buckets shared by all processes through Redis."""

    def __init__(self, redis: RedisBackplane, limits: RateLimits, on_failure: FailureMode) -> None:
        self._redis = redis
        self._limits = limits
        self._on_failure = on_failure
        self._script = redis.client.register_script(_TAKE)

    async def admit(self, client: str, signed_in: bool) -> tuple[str, float] | None:
        """None when allowed, else (which limit, seconds to wait)."""
        limits = self._limits
        rate, burst = (
            (limits.user_rate, limits.user_burst)
            if signed_in
            else (limits.anonymous_rate, limits.anonymous_burst)
        )
        keys = [self._redis.key("rl", client), self._redis.key("rl", "global")]
        try:
            refused = await self._script(
                keys=keys, args=[rate, burst, limits.global_rate, limits.global_burst]
            )
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("rate limiter: Redis unavailable (%s); failing %s", exc, self._on_failure)
            return None if self._on_failure == "open" else (UNAVAILABLE, 1.0)
        if not refused:
            return None
        which, wait = refused
        return (which.decode() if isinstance(which, bytes) else str(which), float(wait))
