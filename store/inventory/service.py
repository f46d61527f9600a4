"""Stock per SKU and reservations. Owns the ``inventory`` database.

A checkout moves units ``available → held`` (reserve, with a TTL), then
``held → sold`` (commit) or back ``held → available`` (release, or the sweeper
when the hold expires). ``initial`` never changes, so at rest
``sold + held + available == initial`` for every SKU.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

import msgspec

from stampede.store.db import Database, Executor, Row, transact
from stampede.store.inventory.strategies import (
    Hold,
    LimitExceeded,
    SoldOut,
    Strategy,
    UnknownSku,
)
from stampede.store.web import ApiError

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS stock (
        sku TEXT PRIMARY KEY,
        available INTEGER NOT NULL,
        held INTEGER NOT NULL DEFAULT 0,
        sold INTEGER NOT NULL DEFAULT 0,
        initial INTEGER NOT NULL,
        limit_per_user INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS reservations (
        id INTEGER PRIMARY KEY,
        order_ref TEXT NOT NULL,
        sku TEXT NOT NULL REFERENCES stock(sku),
        user_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS reservations_order ON reservations (order_ref)",
    "CREATE INDEX IF NOT EXISTS reservations_user ON reservations (sku, user_id, status)",
    "CREATE INDEX IF NOT EXISTS reservations_expiry ON reservations (status, expires_at)",
]
TABLES = ("reservations", "stock")

LineItem = Hold
__all__ = ["InventoryService", "LimitExceeded", "LineItem", "SoldOut", "Stock", "UnknownSku"]


class Stock(msgspec.Struct, frozen=True):
    sku: str
    available: int
    held: int
    sold: int
    initial: int
    limit_per_user: int | None


class AuditCheck(msgspec.Struct, frozen=True):
    name: str
    ok: bool
    detail: str


async def nobody_listens(skus: Iterable[str]) -> None:
    return None


class InventoryService:
    """Stock and holds; ``publish`` announces SKUs whose stock changed (for the feed)."""

    def __init__(
        self,
        db: Database,
        *,
        strategy: Strategy,
        reservation_ttl_s: float,
        publish: Callable[[Iterable[str]], Awaitable[None]] = nobody_listens,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.strategy = strategy
        self._ttl_s = reservation_ttl_s
        self._publish = publish
        self._clock = clock

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def stock(self, sku: str) -> Stock:
        row = await self.db.fetch_one(
            "SELECT sku, available, held, sold, initial, limit_per_user FROM stock "
            "WHERE sku = :sku",
            {"sku": sku},
        )
        if row is None:
            raise ApiError(404, "not_found", f"no stock record for SKU {sku!r}")
        return Stock(**dict(row))

    async def reserve(self, order_ref: str, user_id: int, holds: Sequence[Hold]) -> None:
        """Hold the units or raise SoldOut / LimitExceeded / UnknownSku, holding nothing."""
        now = self._clock()
        merged: dict[str, int] = {}
        for hold in holds:
            merged[hold.sku] = merged.get(hold.sku, 0) + hold.quantity
        ordered = [Hold(sku, qty) for sku, qty in sorted(merged.items())]
        await self.strategy.reserve(self.db, order_ref, user_id, ordered, now, now + self._ttl_s)
        await self._publish(merged)

    async def commit(self, order_ref: str) -> bool:
        """Turn the order's holds into sales; False when they expired and the stock is gone."""
        try:
            skus = await self._commit(order_ref)
        except _Rollback:
            return False
        await self._publish(skus)
        return bool(skus)

    async def _commit(self, order_ref: str) -> list[str]:
        async def write(tx: Executor) -> tuple[list[Row], list[Row]]:
            held = await tx.fetch_all(
                "UPDATE reservations SET status = 'committed' WHERE order_ref = :ref "
                "AND status = 'held' RETURNING sku, quantity",
                {"ref": order_ref},
            )
            for row in sorted(held, key=lambda r: str(r["sku"])):
                await tx.execute(
                    "UPDATE stock SET held = held - :n, sold = sold + :n WHERE sku = :sku",
                    {"n": row["quantity"], "sku": row["sku"]},
                )
            if held:
                return held, []
            # The sweeper released an expired hold: take the units again if they are there.
            released = await tx.fetch_all(
                "SELECT id, sku, quantity, user_id FROM reservations WHERE order_ref = :ref "
                "AND status = 'released' ORDER BY sku",
                {"ref": order_ref},
            )
            for row in released:
                took = await tx.execute(
                    "UPDATE stock SET available = available - :n, sold = sold + :n "
                    "WHERE sku = :sku AND available >= :n",
                    {"n": row["quantity"], "sku": row["sku"]},
                )
                if not took:
                    raise _Rollback()
                await tx.execute(
                    "UPDATE reservations SET status = 'committed' WHERE id = :id", {"id": row["id"]}
                )
            return [], released

        async def committed() -> bool:
            row = await self.db.fetch_one(
                "SELECT COUNT(*) AS n FROM reservations WHERE order_ref = :ref "
                "AND status <> 'committed'",
                {"ref": order_ref},
            )
            return row is not None and row["n"] == 0

        held, released = await transact(self.db, write, committed=committed)
        if held:
            return [r["sku"] for r in held]
        await self.strategy.retaken(released)
        return [r["sku"] for r in released]

    async def release(self, order_ref: str) -> None:
        async def write(tx: Executor) -> list[Row]:
            rows = await tx.fetch_all(
                "UPDATE reservations SET status = 'released' WHERE order_ref = :ref "
                "AND status = 'held' RETURNING sku, quantity, user_id",
                {"ref": order_ref},
            )
            await _return_units(tx, rows)
            return rows

        await self._returned(await transact(self.db, write))

    async def _returned(self, rows: Sequence[Row]) -> None:
        if rows:
            await self.strategy.returned(rows)
            await self._publish({r["sku"] for r in rows})

    async def sweep(self) -> int:
        """Release every hold past its TTL; returns how many were released."""

        async def write(tx: Executor) -> list[Row]:
            rows = await tx.fetch_all(
                "UPDATE reservations SET status = 'released' WHERE status = 'held' "
                "AND expires_at < :now RETURNING sku, quantity, user_id",
                {"now": self._clock()},
            )
            await _return_units(tx, rows)
            return rows

        rows = await transact(self.db, write)
        await self._returned(rows)
        return len(rows)

    async def sold_by_sku(self) -> dict[str, int]:
        rows = await self.db.fetch_all("SELECT sku, sold FROM stock")
        return {r["sku"]: r["sold"] for r in rows}

    async def audit(self) -> list[AuditCheck]:
        return [
            await self._audit_balance(),
            await self._audit_reservations(),
            await self._audit_expired(),
        ]

    async def _audit_balance(self) -> AuditCheck:
        bad = await self.db.fetch_all(
            "SELECT sku, available, held, sold, initial FROM stock WHERE "
            "sold + held + available != initial OR available < 0 OR held < 0 OR sold < 0 "
            "ORDER BY sku LIMIT 5"
        )
        detail = "; ".join(
            f"{r['sku']}: sold {r['sold']} + held {r['held']} + available {r['available']} "
            f"!= initial {r['initial']}"
            for r in bad
        )
        return AuditCheck(
            "stock_balance",
            not bad,
            detail or "sold + held + available == initial for every SKU, all >= 0",
        )

    async def _audit_reservations(self) -> AuditCheck:
        bad = await self.db.fetch_all(
            "SELECT s.sku, s.held, s.sold, "
            "COALESCE(SUM(CASE WHEN r.status = 'held' THEN r.quantity END), 0) AS r_held, "
            "COALESCE(SUM(CASE WHEN r.status = 'committed' THEN r.quantity END), 0) AS r_sold "
            "FROM stock s LEFT JOIN reservations r ON r.sku = s.sku GROUP BY s.sku "
            "HAVING s.held != COALESCE(SUM(CASE WHEN r.status = 'held' THEN r.quantity END), 0) "
            "OR s.sold != COALESCE(SUM(CASE WHEN r.status = 'committed' THEN r.quantity END), 0) "
            "ORDER BY s.sku LIMIT 5"
        )
        detail = "; ".join(
            f"{r['sku']}: stock says held {r['held']} sold {r['sold']}, reservations say "
            f"held {r['r_held']} sold {r['r_sold']}"
            for r in bad
        )
        return AuditCheck(
            "reservations_match_stock",
            not bad,
            detail or "held and sold agree with the reservations",
        )

    async def _audit_expired(self) -> AuditCheck:
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS n FROM reservations WHERE status = 'held' AND expires_at < :now",
            {"now": self._clock()},
        )
        n = row["n"] if row is not None else 0
        return AuditCheck(
            "no_expired_holds",
            n == 0,
            f"{n} holds are past their TTL" if n else "no hold is past its TTL",
        )

    async def restock(self) -> None:
        """Forget every reservation and put all stock back to its initial level."""
        async with self.db.transaction() as tx:
            await self.restock_in(tx)
        await self.strategy.reconcile(self.db)

    async def restock_in(self, tx: Executor) -> None:
        """:meth:`restock` inside ``tx``; call :meth:`reconcile` once it committed."""
        await tx.execute("DELETE FROM reservations")
        await tx.execute("UPDATE stock SET available = initial, held = 0, sold = 0")

    async def flash_summary(self) -> list[Row]:
        """Limited SKUs' sell-through; sold out at the commit that took the last unit."""
        rows = await self.db.fetch_all(
            "SELECT s.sku, s.initial, s.sold, s.held, s.available, "
            "CASE WHEN s.available = 0 AND s.held = 0 THEN (SELECT MAX(r.created_at) "
            "FROM reservations r WHERE r.sku = s.sku AND r.status = 'committed') END "
            "AS sold_out_at FROM stock s WHERE s.limit_per_user IS NOT NULL ORDER BY s.sku"
        )
        return rows

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)

    async def clear(self, tx: Executor) -> None:
        """Delete every stock record and reservation inside ``tx``."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")

    async def fill(self, tx: Executor, stock: Sequence[tuple[str, int, int | None]]) -> None:
        """Stock records (sku, initial, limit per user) inside ``tx``; :meth:`reconcile` after."""
        for sku, initial, limit in stock:
            await tx.execute(
                "INSERT INTO stock (sku, available, held, sold, initial, limit_per_user) "
                "VALUES (:sku, :n, 0, 0, :n, :limit)",
                {"sku": sku, "n": initial, "limit": limit},
            )

    async def reconcile(self) -> None:
        """Rebuild the strategy's own state (Redis stock) from the database."""
        await self.strategy.reconcile(self.db)

    async def rows(self, skus: Iterable[str]) -> list[Stock]:
        """Current stock of the SKUs that exist (for the stock feed)."""
        wanted = sorted(set(skus))
        if not wanted:
            return []
        names = {f"s{i}": sku for i, sku in enumerate(wanted)}
        rows = await self.db.fetch_all(
            "SELECT sku, available, held, sold, initial, limit_per_user FROM stock "
            f"WHERE sku IN ({', '.join(':' + n for n in names)})",
            names,
        )
        return [Stock(**dict(r)) for r in rows]


class _Rollback(Exception):
    pass


async def _return_units(tx: Executor, rows: Sequence[Row]) -> None:
    # in SKU order, as holds are taken: two transactions never lock stock rows in a cycle
    for row in sorted(rows, key=lambda r: str(r["sku"])):
        await tx.execute(
            "UPDATE stock SET held = held - :n, available = available + :n WHERE sku = :sku",
            {"n": row["quantity"], "sku": row["sku"]},
        )
