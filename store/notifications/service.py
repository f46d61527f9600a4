"""Delivered notifications. Owns the ``notifications`` database.

Delivery is idempotent per event id: the outbox relay may hand over the same
event twice (a crash between delivering and marking it sent), and the shopper
still gets one message.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from stampede.store.db import Database, Executor
from stampede.store.notifications.provider import EmailProvider

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS notifications (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        order_ref TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS notifications_order ON notifications (order_ref)",
]
TABLES = ("notifications",)


class Notification(msgspec.Struct, frozen=True):
    event_id: str
    order_ref: str
    channel: str  # email | sms | push
    recipient: str
    subject: str


class NotificationsService:
    def __init__(
        self, db: Database, provider: EmailProvider, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.provider = provider
        self._clock = clock

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def deliver(self, note: Notification) -> bool:
        """Send through the provider and record it; False when this event was recorded before.

        A repeat (a redelivered queue message, a republished outbox row) sends nothing.
        """
        seen = await self.db.fetch_one(
            "SELECT 1 AS seen FROM notifications WHERE event_id = :event", {"event": note.event_id}
        )
        if seen is not None:
            return False
        await self.provider.send(note.recipient, note.subject)
        count = await self.db.execute(
            "INSERT INTO notifications (event_id, order_ref, channel, recipient, subject, "
            "created_at) VALUES (:event, :ref, :channel, :to, :subject, :now) "
            "ON CONFLICT (event_id) DO NOTHING",
            {
                "event": note.event_id,
                "ref": note.order_ref,
                "channel": note.channel,
                "to": note.recipient,
                "subject": note.subject,
                "now": self._clock(),
            },
        )
        return count == 1

    async def count_by_order(self) -> dict[str, int]:
        rows = await self.db.fetch_all(
            "SELECT order_ref, COUNT(*) AS n FROM notifications GROUP BY order_ref"
        )
        return {r["order_ref"]: r["n"] for r in rows}

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)

    async def clear(self, tx: Executor) -> None:
        """Delete every row of the service's tables inside ``tx``."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")
