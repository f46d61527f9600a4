"""Payments: authorise, capture, void. Owns the ``payments`` database.

Every operation is idempotent: one idempotency key is one payment, however
often it is asked for, and a payment is captured at most once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec

from stampede.store.db import Database, Executor, IntegrityError, Row
from stampede.store.payments.provider import PaymentProvider, ProviderError

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS payments (
        id INTEGER PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        order_ref TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS payments_order ON payments (order_ref)",
]
TABLES = ("payments",)


class Payment(msgspec.Struct, frozen=True):
    id: int
    idempotency_key: str
    order_ref: str
    amount_cents: int
    status: str  # pending | authorized | declined | failed | captured | voided


class PaymentInProgress(Exception):
    """Another request is authorising with the same key right now."""


def _payment(row: Row) -> Payment:
    return Payment(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        order_ref=row["order_ref"],
        amount_cents=row["amount_cents"],
        status=row["status"],
    )


class PaymentsService:
    def __init__(
        self, db: Database, provider: PaymentProvider, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.provider = provider
        self._clock = clock

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def authorize(self, key: str, order_ref: str, amount_cents: int) -> Payment:
        """Authorise once per key; a repeated key returns the first outcome."""
        now = self._clock()
        try:
            row = await self.db.fetch_one(
                "INSERT INTO payments (idempotency_key, order_ref, amount_cents, status, "
                "created_at, updated_at) VALUES (:key, :ref, :amount, 'pending', :now, :now) "
                "RETURNING *",
                {"key": key, "ref": order_ref, "amount": amount_cents, "now": now},
            )
        except IntegrityError:
            existing = await self._by_key(key)
            if existing.status == "pending":
                raise PaymentInProgress(key) from None
            return existing
        assert row is not None
        try:
            outcome = await self.provider.authorize(amount_cents)
        except ProviderError:
            return await self._set(row["id"], "failed")
        return await self._set(row["id"], "authorized" if outcome == "approved" else "declined")

    async def capture(self, payment_id: int) -> Payment:
        """Capture an authorised payment; capturing twice is a no-op.

        When the provider does not answer, the payment ends ``failed`` (its
        authorisation released) instead of raising: the checkout then answers
        503 and releases the stock, rather than a 500 with money on hold.
        """
        try:
            await self.provider.capture()
        except ProviderError:
            await self.db.execute(
                "UPDATE payments SET status = 'failed', updated_at = :now "
                "WHERE id = :id AND status = 'authorized'",
                {"id": payment_id, "now": self._clock()},
            )
            return await self._by_id(payment_id)
        await self.db.execute(
            "UPDATE payments SET status = 'captured', updated_at = :now "
            "WHERE id = :id AND status = 'authorized'",
            {"id": payment_id, "now": self._clock()},
        )
        return await self._by_id(payment_id)

    async def void(self, payment_id: int) -> Payment:
        """Cancel an authorisation or refund a capture (the store keeps no money it owes)."""
        await self.db.execute(
            "UPDATE payments SET status = 'voided', updated_at = :now "
            "WHERE id = :id AND status IN ('authorized', 'captured')",
            {"id": payment_id, "now": self._clock()},
        )
        return await self._by_id(payment_id)

    async def void_key(self, key: str) -> None:
        """Void whatever payment ``key`` authorised or captured (none: nothing to do)."""
        await self.db.execute(
            "UPDATE payments SET status = 'voided', updated_at = :now "
            "WHERE idempotency_key = :key AND status IN ('authorized', 'captured')",
            {"key": key, "now": self._clock()},
        )

    async def captured(self) -> list[Payment]:
        rows = await self.db.fetch_all("SELECT * FROM payments WHERE status = 'captured'")
        return [_payment(r) for r in rows]

    async def _set(self, payment_id: int, status: str) -> Payment:
        row = await self.db.fetch_one(
            "UPDATE payments SET status = :status, updated_at = :now WHERE id = :id RETURNING *",
            {"id": payment_id, "status": status, "now": self._clock()},
        )
        assert row is not None
        return _payment(row)

    async def _by_key(self, key: str) -> Payment:
        row = await self.db.fetch_one(
            "SELECT * FROM payments WHERE idempotency_key = :key", {"key": key}
        )
        assert row is not None
        return _payment(row)

    async def _by_id(self, payment_id: int) -> Payment:
        row = await self.db.fetch_one("SELECT * FROM payments WHERE id = :id", {"id": payment_id})
        assert row is not None
        return _payment(row)

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)

    async def clear(self, tx: Executor) -> None:
        """Delete every row of the service's tables inside ``tx``."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")
