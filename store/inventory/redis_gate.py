"""The ``redis`` inventory strategy: stock gated in Redis, persisted in the database.

An atomic Lua script checks and takes the units (and the per-customer count)
in Redis, so the losers of a flash sale are turned away without touching the
database. The winners' holds are then written with the ``atomic`` strategy,
which stays the arbiter: if that write fails for any reason the units are
given back in Redis (compensation) and the error propagates. Redis state is
rebuilt from the database on start, on reset, and whenever a SKU's key is
missing (Redis restarted empty). When Redis cannot be reached, reservations
go straight to the database: no order is refused for Redis's sake.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from redis.exceptions import RedisError

from stampede.store.db import Database, Row
from stampede.store.inventory.strategies import (
    AtomicStrategy,
    Hold,
    LimitExceeded,
    SoldOut,
    UnknownSku,
)
from stampede.store.redis_conn import RedisBackplane

log = logging.getLogger("stampede.store")

_RESERVE = """
local n = #KEYS / 2
for i = 1, n do
  local s = redis.call('HMGET', KEYS[i], 'available', 'limit')
  if not s[1] then return {'missing', i} end
  local qty = tonumber(ARGV[1 + i])
  if tonumber(s[1]) < qty then return {'sold_out', i} end
  if s[2] and s[2] ~= '' then
    local bought = tonumber(redis.call('HGET', KEYS[n + i], ARGV[1]) or '0')
    if bought + qty > tonumber(s[2]) then return {'limit', i, s[2]} end
  end
end
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], 'available', -tonumber(ARGV[1 + i]))
  redis.call('HINCRBY', KEYS[n + i], ARGV[1], tonumber(ARGV[1 + i]))
end
return false
"""

_GIVE = """
local n = #KEYS / 2
for i = 1, n do
  local qty = tonumber(ARGV[2 * i])
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('HINCRBY', KEYS[i], 'available', qty)
    redis.call('HINCRBY', KEYS[n + i], ARGV[2 * i - 1], -qty)
  end
end
return true
"""

_RESTORE = """
if ARGV[1] == 'missing-only' and redis.call('EXISTS', KEYS[1]) == 1 then return false end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'available', ARGV[2], 'limit', ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return true
"""


class RedisStrategy:
    name = "redis"

    def __init__(self, redis: RedisBackplane, db: Database) -> None:
        self._redis = redis
        self._db = db
        self._persist = AtomicStrategy()
        self._reserve = redis.client.register_script(_RESERVE)
        self._give = redis.client.register_script(_GIVE)
        self._restore = redis.client.register_script(_RESTORE)

    def _keys(self, skus: Sequence[str]) -> list[str]:
        return [self._redis.key("stock", s) for s in skus] + [
            self._redis.key("bought", s) for s in skus
        ]

    async def reserve(
        self,
        db: Database,
        order_ref: str,
        user_id: int,
        holds: Sequence[Hold],
        now: float,
        expires_at: float,
    ) -> None:
        try:
            await self._gate(user_id, holds)
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("redis stock gate unavailable (%s); reserving in the database", exc)
            await self._persist.reserve(db, order_ref, user_id, holds, now, expires_at)
            return
        try:
            await self._persist.reserve(db, order_ref, user_id, holds, now, expires_at)
        except BaseException:
            rows = [{"sku": h.sku, "quantity": h.quantity, "user_id": user_id} for h in holds]
            await asyncio.shield(self.returned(rows))
            raise

    async def _gate(self, user_id: int, holds: Sequence[Hold]) -> None:
        skus = [h.sku for h in holds]
        args = [user_id, *(h.quantity for h in holds)]
        for attempt in range(2):
            refused = await self._reserve(keys=self._keys(skus), args=args)
            if not refused:
                return
            why, index = refused[0].decode(), int(refused[1]) - 1
            sku = skus[index]
            if why == "missing" and attempt == 0:
                if not await self._restore_sku(sku, only_if_missing=True):
                    raise UnknownSku(sku)
                continue
            if why == "limit":
                raise LimitExceeded(sku, int(refused[2]))
            raise SoldOut(sku) if why == "sold_out" else UnknownSku(sku)

    async def returned(self, rows: Sequence[Row]) -> None:
        await self._adjust(rows, sign=1)

    async def retaken(self, rows: Sequence[Row]) -> None:
        await self._adjust(rows, sign=-1)

    async def _adjust(self, rows: Sequence[Row], sign: int) -> None:
        if not rows:
            return
        args: list[str | int] = []
        for row in rows:
            args += [row["user_id"], sign * int(row["quantity"])]
        try:
            await self._give(keys=self._keys([r["sku"] for r in rows]), args=args)
        except (RedisError, OSError) as exc:
            self._redis.failed()
            log.warning("redis stock gate: could not adjust (%s); restart or reset reconciles", exc)

    async def reconcile(self, db: Database) -> None:
        """Set every SKU's Redis stock and per-customer counts from the database."""
        stock = await db.fetch_all("SELECT sku, available, limit_per_user FROM stock")
        bought: dict[str, list[str | int]] = {}
        for r in await db.fetch_all(
            "SELECT r.sku, r.user_id, SUM(r.quantity) AS n FROM reservations r "
            "JOIN stock s ON s.sku = r.sku WHERE s.limit_per_user IS NOT NULL "
            "AND r.status IN ('held', 'committed') GROUP BY r.sku, r.user_id"
        ):
            bought.setdefault(r["sku"], []).extend([r["user_id"], int(r["n"])])
        for start in range(0, len(stock), 1000):
            pipe = self._redis.client.pipeline(transaction=False)
            for row in stock[start : start + 1000]:
                limit = "" if row["limit_per_user"] is None else row["limit_per_user"]
                args = ["always", row["available"], limit, *bought.get(row["sku"], [])]
                await self._restore(keys=self._keys([row["sku"]]), args=args, client=pipe)
            await pipe.execute()

    async def _restore_sku(self, sku: str, only_if_missing: bool) -> bool:
        stock = await self._db.fetch_one(
            "SELECT available, limit_per_user FROM stock WHERE sku = :sku", {"sku": sku}
        )
        if stock is None:
            return False
        bought: list[str | int] = []
        if stock["limit_per_user"] is not None:
            for r in await self._db.fetch_all(
                "SELECT user_id, SUM(quantity) AS n FROM reservations WHERE sku = :sku "
                "AND status IN ('held', 'committed') GROUP BY user_id",
                {"sku": sku},
            ):
                bought += [r["user_id"], int(r["n"])]
        limit = "" if stock["limit_per_user"] is None else stock["limit_per_user"]
        mode = "missing-only" if only_if_missing else "always"
        await self._restore(keys=self._keys([sku]), args=[mode, stock["available"], limit, *bought])
        return True
