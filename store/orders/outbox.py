"""The outbox relay: hands ``order_paid`` events to the notifications service.

On PostgreSQL a batch is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` and
marked sent in the same transaction: several relays (one per worker process)
drain side by side, each taking rows the others have not locked, and a relay
that dies mid-batch rolls back and leaves its rows to the next. On SQLite
events are claimed with a lease inside an immediate transaction instead; a
relay that dies leaves its claims to expire. Either way notifications'
idempotent delivery absorbs a repeat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from stampede.core.errors import ServiceUnavailableError
from stampede.store.db import Database, Executor, Row
from stampede.store.notifications import Notification, NotificationsService
from stampede.store.users import UsersService

log = logging.getLogger(__name__)


class _Event(msgspec.Struct):
    order_id: int
    user_id: int
    total_cents: int


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        notifications: NotificationsService,
        users: UsersService,
        *,
        send: Callable[[Notification], Awaitable[object]] | None = None,
        lease_s: float = 30.0,
        batch: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.notifications = notifications
        self.users = users
        #: where an event goes: the notifications service in this process, or a queue
        #: whose publish returns once the broker confirmed it
        self._send = send or notifications.deliver
        self._lease_s = lease_s
        self._batch = batch
        self._clock = clock

    async def drain_once(self, wait_for_others: bool = False) -> int:
        """Deliver one batch of pending events; returns how many were delivered.

        ``wait_for_others`` settles rows other relays are delivering, for the
        audit: PostgreSQL waits for their locks; SQLite takes over their
        claims (delivery is idempotent per event, so a repeat sends nothing).
        """
        if self.db.dialect == "postgres":
            return await self._drain_locked("" if wait_for_others else " SKIP LOCKED")
        now = self._clock()
        stale = now + 1.0 if wait_for_others else now - self._lease_s
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE outbox SET claimed_at = :now WHERE id IN (SELECT id FROM outbox "
                "WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < :stale) "
                "ORDER BY id LIMIT :batch) RETURNING id, payload",
                {"now": now, "stale": stale, "batch": self._batch},
            )
        try:
            await self._deliver(rows)
        except ServiceUnavailableError:
            await self._release(rows)  # for the next drain, not after the lease
            raise
        await self._mark_sent(self.db, rows, now)
        return len(rows)

    async def _release(self, rows: Sequence[Row]) -> None:
        for row in rows:
            await self.db.execute(
                "UPDATE outbox SET claimed_at = NULL WHERE id = :id", {"id": row["id"]}
            )

    async def _drain_locked(self, skip: str) -> int:
        now = self._clock()
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id "
                f"LIMIT :batch FOR UPDATE{skip}",
                {"batch": self._batch},
            )
            await self._deliver(rows)
            await self._mark_sent(tx, rows, now)
        return len(rows)

    async def _deliver(self, rows: Sequence[Row]) -> None:
        await asyncio.gather(*(self._deliver_one(row) for row in rows))

    async def _deliver_one(self, row: Row) -> None:
        event = msgspec.json.decode(bytes(row["payload"]), type=_Event)
        profile = await self.users.profile(event.user_id)
        await self._send(
            Notification(
                event_id=f"outbox-{row['id']}",
                order_ref=str(event.order_id),
                channel="email",
                recipient=profile.email,
                subject=f"Order #{event.order_id} confirmed: {event.total_cents / 100:.2f}",
            )
        )

    @staticmethod
    async def _mark_sent(ex: Executor, rows: Sequence[Row], now: float) -> None:
        for row in rows:
            await ex.execute(
                "UPDATE outbox SET sent_at = :now WHERE id = :id", {"id": row["id"], "now": now}
            )

    async def drain(self, wait_for_others: bool = False) -> int:
        """Deliver until nothing is pending (claims held by others are left to them).

        A queue that cannot take events leaves them in the outbox for the next drain.
        """
        total = 0
        try:
            while delivered := await self.drain_once(wait_for_others):
                total += delivered
        except ServiceUnavailableError as exc:
            log.debug("outbox: the queue refused events (%s); they stay for the next drain", exc)
        return total

    async def pending(self) -> int:
        row = await self.db.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
        return int(row["n"]) if row is not None else 0
