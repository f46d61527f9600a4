"""How stock is taken from ``available`` into ``held``: the pluggable part of inventory.

``atomic`` is what a store should do: one ``BEGIN IMMEDIATE`` transaction whose
conditional ``UPDATE … WHERE available >= :n`` cannot take more than there is.
``naive`` is the bug the audit exists to catch: it reads the stock, decides in
the application, and writes an absolute value back, so concurrent buyers who
read the same number all succeed and the store oversells. ``redis`` (in
:mod:`store.inventory.redis_gate`) gates stock in Redis before ``atomic``
persists it.

A strategy also hears when units go back (release, expiry) or are taken
again, and reconciles any state of its own from the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from stampede.store.db import Database, Executor, Row, transact


@dataclass(frozen=True)
class Hold:
    """One line of a reservation request."""

    sku: str
    quantity: int


class SoldOut(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(f"{sku} is sold out")
        self.sku = sku


class LimitExceeded(Exception):
    def __init__(self, sku: str, limit: int) -> None:
        super().__init__(f"{sku} is limited to {limit} per customer")
        self.sku = sku
        self.limit = limit


class UnknownSku(Exception):
    def __init__(self, sku: str) -> None:
        super().__init__(f"no stock record for {sku}")
        self.sku = sku


class Strategy(Protocol):
    name: str

    async def reserve(
        self,
        db: Database,
        order_ref: str,
        user_id: int,
        holds: Sequence[Hold],
        now: float,
        expires_at: float,
    ) -> None: ...

    async def returned(self, rows: Sequence[Row]) -> None:
        """Held units (rows of sku, quantity, user_id) went back to ``available``."""
        ...

    async def retaken(self, rows: Sequence[Row]) -> None:
        """Released units were taken again by a late commit."""
        ...

    async def reconcile(self, db: Database) -> None:
        """Rebuild the strategy's own state from the database."""
        ...


class _DatabaseOnly:
    """Strategies whose whole state is the database: nothing to hear or reconcile."""

    async def returned(self, rows: Sequence[Row]) -> None:
        return None

    async def retaken(self, rows: Sequence[Row]) -> None:
        return None

    async def reconcile(self, db: Database) -> None:
        return None


async def _already_bought(ex: Executor, sku: str, user_id: int) -> int:
    row = await ex.fetch_one(
        "SELECT COALESCE(SUM(quantity), 0) AS n FROM reservations "
        "WHERE sku = :sku AND user_id = :user AND status IN ('held', 'committed')",
        {"sku": sku, "user": user_id},
    )
    return int(row["n"]) if row is not None else 0


async def _insert_hold(
    ex: Executor, order_ref: str, user_id: int, hold: Hold, now: float, expires_at: float
) -> None:
    await ex.execute(
        "INSERT INTO reservations (order_ref, sku, user_id, quantity, status, created_at, "
        "expires_at) VALUES (:ref, :sku, :user, :qty, 'held', :now, :exp)",
        {
            "ref": order_ref,
            "sku": hold.sku,
            "user": user_id,
            "qty": hold.quantity,
            "now": now,
            "exp": expires_at,
        },
    )


class AtomicStrategy(_DatabaseOnly):
    """Conditional decrement inside one immediate transaction."""

    name = "atomic"

    async def reserve(
        self,
        db: Database,
        order_ref: str,
        user_id: int,
        holds: Sequence[Hold],
        now: float,
        expires_at: float,
    ) -> None:
        async def hold_all(tx: Executor) -> None:
            for hold in holds:
                row = await tx.fetch_one(
                    "UPDATE stock SET available = available - :n, held = held + :n "
                    "WHERE sku = :sku AND available >= :n RETURNING limit_per_user",
                    {"n": hold.quantity, "sku": hold.sku},
                )
                if row is None:
                    exists = await tx.fetch_one(
                        "SELECT 1 AS x FROM stock WHERE sku = :sku", {"sku": hold.sku}
                    )
                    raise SoldOut(hold.sku) if exists else UnknownSku(hold.sku)
                limit = row["limit_per_user"]
                if limit is not None:
                    bought = await _already_bought(tx, hold.sku, user_id)
                    if bought + hold.quantity > limit:
                        raise LimitExceeded(hold.sku, limit)
                await _insert_hold(tx, order_ref, user_id, hold, now, expires_at)

        # holds are taken in SKU order, so carts never wait on each other in a cycle; a
        # deadlock or serialization failure the server still reports is retried
        await transact(db, hold_all)


class NaiveStrategy(_DatabaseOnly):
    """Read, decide, write back: oversells under concurrency. For the audit's tests."""

    name = "naive"

    async def reserve(
        self,
        db: Database,
        order_ref: str,
        user_id: int,
        holds: Sequence[Hold],
        now: float,
        expires_at: float,
    ) -> None:
        for hold in holds:
            row = await db.fetch_one(
                "SELECT available, limit_per_user FROM stock WHERE sku = :sku", {"sku": hold.sku}
            )
            if row is None:
                raise UnknownSku(hold.sku)
            if row["available"] < hold.quantity:
                raise SoldOut(hold.sku)
            limit = row["limit_per_user"]
            if (
                limit is not None
                and await _already_bought(db, hold.sku, user_id) + hold.quantity > limit
            ):
                raise LimitExceeded(hold.sku, limit)
            # Record the hold first, then write back the count read before it: the
            # classic lost update, with the write of the hold widening the window.
            await _insert_hold(db, order_ref, user_id, hold, now, expires_at)
            await db.execute(
                "UPDATE stock SET available = :left, held = held + :n WHERE sku = :sku",
                {"left": row["available"] - hold.quantity, "n": hold.quantity, "sku": hold.sku},
            )


STRATEGIES: dict[str, Strategy] = {s.name: s for s in (AtomicStrategy(), NaiveStrategy())}
