"""The outbox relay: hands ``order_paid`` events to the notifications service.

Events are claimed with a lease inside an immediate transaction, so several
relays (one per worker process) never hand over the same event at once; a
relay that dies mid-batch leaves its claims to expire and be taken again, and
notifications' idempotent delivery absorbs the repeat.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from store.db import Database
from store.notifications import Notification, NotificationsService
from store.users import UsersService


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
        lease_s: float = 30.0,
        batch: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.notifications = notifications
        self.users = users
        self._lease_s = lease_s
        self._batch = batch
        self._clock = clock

    async def drain_once(self) -> int:
        """Deliver one batch of pending events; returns how many were delivered."""
        now = self._clock()
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "UPDATE outbox SET claimed_at = :now WHERE id IN (SELECT id FROM outbox "
                "WHERE sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < :stale) "
                "ORDER BY id LIMIT :batch) RETURNING id, payload",
                {"now": now, "stale": now - self._lease_s, "batch": self._batch},
            )
        for row in rows:
            event = msgspec.json.decode(bytes(row["payload"]), type=_Event)
            profile = await self.users.profile(event.user_id)
            await self.notifications.deliver(
                Notification(
                    event_id=f"outbox-{row['id']}",
                    order_ref=str(event.order_id),
                    channel="email",
                    recipient=profile.email,
                    subject=f"Order #{event.order_id} confirmed: {event.total_cents / 100:.2f}",
                )
            )
            await self.db.execute(
                "UPDATE outbox SET sent_at = :now WHERE id = :id", {"id": row["id"], "now": now}
            )
        return len(rows)

    async def drain(self) -> int:
        """Deliver until nothing is pending (claims held by others are left to them)."""
        total = 0
        while delivered := await self.drain_once():
            total += delivered
        return total

    async def pending(self) -> int:
        row = await self.db.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL")
        return int(row["n"]) if row is not None else 0
