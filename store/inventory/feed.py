"""Live stock over WebSocket: ``WS /api/v1/ws/stock``.

A subscriber sends ``{"subscribe": ["FLASH-001", …]}`` and receives its SKUs'
stock at once, then every change, coalesced: at most one message per SKU per
interval (~100 ms). Changes reach every process through Redis pub/sub (each
stock write publishes its SKUs); without Redis, or while Redis is away, each
process polls the inventory database for its subscribers' SKUs instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import msgspec
from redis.exceptions import RedisError
from starlette.websockets import WebSocket, WebSocketDisconnect

from stampede.store.inventory.service import InventoryService, Stock
from stampede.store.redis_conn import RedisBackplane

log = logging.getLogger("stampede.store")
_MAX_SKUS = 100


class Subscribe(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    subscribe: list[str]


class RedisStockChanges:
    """Publishes changed SKUs on the store's channel; a lost message only delays the feed."""

    def __init__(self, redis: RedisBackplane) -> None:
        self.redis = redis
        self.channel = redis.key("stock-changes")

    async def publish(self, skus: Iterable[str]) -> None:
        try:
            await self.redis.client.publish(self.channel, ",".join(sorted(skus)))
        except (RedisError, OSError) as exc:
            self.redis.failed()
            log.debug("stock changes not published (%s)", exc)


class StockFeed:
    """One per process: the subscribers here, and what changed since the last tick."""

    def __init__(
        self,
        inventory: InventoryService,
        interval_s: float,
        changes: RedisStockChanges | None = None,
    ) -> None:
        self._inventory = inventory
        self._interval_s = interval_s
        self._changes = changes
        self._subscribers: dict[WebSocket, frozenset[str]] = {}
        self._changed: set[str] = set()
        self._listening = False
        self._sent: dict[str, Stock] = {}

    async def run(self) -> None:
        """Coalesce and send until cancelled (with the Redis listener beside it)."""
        listener = asyncio.create_task(self._listen()) if self._changes is not None else None
        try:
            while True:
                await asyncio.sleep(self._interval_s)
                try:
                    await self._tick()
                except Exception:
                    log.exception("stock feed tick failed; it will run again")
        finally:
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    async def _listen(self) -> None:
        assert self._changes is not None
        channel = self._changes.channel
        while True:
            pubsub = self._changes.redis.client.pubsub()
            try:
                await pubsub.subscribe(channel)
                self._listening = True
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._changed.update(message["data"].decode().split(","))
            except (RedisError, OSError) as exc:
                self._changes.redis.failed()
                log.warning("stock feed: Redis pub/sub lost (%s); polling the database", exc)
            finally:
                self._listening = False
                with contextlib.suppress(RedisError, OSError):
                    # untyped in older redis-py, typed in newer: the ignore covers both
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]
            await asyncio.sleep(self._interval_s * 10)

    async def _tick(self) -> None:
        wanted = (
            frozenset().union(*self._subscribers.values()) if self._subscribers else frozenset()
        )
        if self._listening:
            due, self._changed = self._changed & wanted, set()
        else:
            due = set(wanted)
        if not due:
            return
        fresh = [s for s in await self._inventory.rows(due) if self._sent.get(s.sku) != s]
        for stock in fresh:
            self._sent[stock.sku] = stock
        for socket, skus in list(self._subscribers.items()):
            for stock in fresh:
                if stock.sku in skus:
                    await self._send(socket, stock)

    async def _send(self, socket: WebSocket, stock: Stock) -> None:
        try:
            await socket.send_text(msgspec.json.encode(stock).decode())
        except Exception:
            self._subscribers.pop(socket, None)

    async def serve(self, socket: WebSocket) -> None:
        """One subscriber's connection, until it closes."""
        await socket.accept()
        try:
            while True:
                raw = await socket.receive_text()
                try:
                    skus = frozenset(msgspec.json.decode(raw, type=Subscribe).subscribe)
                except msgspec.DecodeError as exc:
                    await socket.send_json({"error": "invalid_request", "message": str(exc)})
                    continue
                if len(skus) > _MAX_SKUS:
                    await socket.send_json(
                        {"error": "invalid_request", "message": f"at most {_MAX_SKUS} SKUs"}
                    )
                    continue
                self._subscribers[socket] = skus
                for stock in await self._inventory.rows(skus):
                    await socket.send_text(msgspec.json.encode(stock).decode())
        except WebSocketDisconnect:
            pass
        finally:
            self._subscribers.pop(socket, None)
