"""Carts and orders. Owns the ``orders`` database, including the outbox.

The outbox lives here, not in notifications, because it must be written in the
same transaction as the order it announces.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Annotated

import msgspec

from stampede.store.catalog import CatalogService
from stampede.store.db import Database, Executor, Row
from stampede.store.web import ApiError

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS cart_items (
        user_id INTEGER NOT NULL,
        product_id INTEGER NOT NULL,
        quantity INTEGER NOT NULL,
        PRIMARY KEY (user_id, product_id)
    )""",
    """CREATE TABLE IF NOT EXISTS orders (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        total_cents INTEGER NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS orders_user ON orders (user_id, id)",
    """CREATE TABLE IF NOT EXISTS order_items (
        order_id INTEGER NOT NULL REFERENCES orders(id),
        product_id INTEGER NOT NULL,
        sku TEXT NOT NULL,
        name TEXT NOT NULL,
        quantity INTEGER NOT NULL,
        price_cents INTEGER NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS order_items_order ON order_items (order_id)",
    """CREATE TABLE IF NOT EXISTS idempotency_keys (
        user_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        status_code INTEGER,
        body BLOB,
        created_at REAL NOT NULL,
        PRIMARY KEY (user_id, key)
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        event_type TEXT NOT NULL,
        payload BLOB NOT NULL,
        created_at REAL NOT NULL,
        claimed_at REAL,
        sent_at REAL
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, id)",
]
TABLES = ("order_items", "orders", "cart_items", "idempotency_keys", "outbox")
MAX_LINE_QUANTITY = 99
#: units of one product in a cart line or an order line; ``check_quantity`` enforces the bounds
#: (with a clearer message than the decoder's), the schema only documents them
Quantity = Annotated[
    int, msgspec.Meta(extra_json_schema={"minimum": 1, "maximum": MAX_LINE_QUANTITY})
]


class CartLine(msgspec.Struct, frozen=True):
    product_id: int
    sku: str
    name: str
    quantity: int
    price_cents: int
    line_total_cents: int


class Cart(msgspec.Struct, frozen=True):
    items: list[CartLine]
    total_cents: int


class OrderLine(msgspec.Struct, frozen=True):
    product_id: int
    sku: str
    name: str
    quantity: int
    price_cents: int


class Order(msgspec.Struct, frozen=True):
    id: int
    status: str  # pending | paid | rejected | declined | failed
    total_cents: int
    created_at: float
    items: list[OrderLine]


class OrderSummary(msgspec.Struct, frozen=True):
    id: int
    status: str
    total_cents: int
    created_at: float


class OrdersService:
    def __init__(
        self, db: Database, catalog: CatalogService, clock: Callable[[], float] = time.time
    ) -> None:
        self.db = db
        self.catalog = catalog
        self._clock = clock

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA)

    async def cart(self, user_id: int) -> Cart:
        rows = await self.db.fetch_all(
            "SELECT product_id, quantity FROM cart_items WHERE user_id = :u ORDER BY product_id",
            {"u": user_id},
        )
        products = await self.catalog.products(r["product_id"] for r in rows)
        lines = [
            CartLine(
                p.id, p.sku, p.name, r["quantity"], p.price_cents, p.price_cents * r["quantity"]
            )
            for r in rows
            if (p := products.get(r["product_id"])) is not None
        ]
        return Cart(lines, sum(line.line_total_cents for line in lines))

    async def add_to_cart(self, user_id: int, product_id: int, quantity: int) -> Cart:
        check_quantity(quantity)
        await self.catalog.product(product_id)
        row = await self.db.fetch_one(
            "INSERT INTO cart_items (user_id, product_id, quantity) VALUES (:u, :p, :q) "
            "ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = cart_items.quantity + :q "
            "RETURNING quantity",
            {"u": user_id, "p": product_id, "q": quantity},
        )
        if row is not None and row["quantity"] > MAX_LINE_QUANTITY:
            await self.db.execute(
                "UPDATE cart_items SET quantity = :max WHERE user_id = :u AND product_id = :p",
                {"u": user_id, "p": product_id, "max": MAX_LINE_QUANTITY},
            )
        return await self.cart(user_id)

    async def remove_from_cart(self, user_id: int, product_id: int) -> Cart:
        removed = await self.db.execute(
            "DELETE FROM cart_items WHERE user_id = :u AND product_id = :p",
            {"u": user_id, "p": product_id},
        )
        if not removed:
            raise ApiError(404, "not_found", f"product {product_id} is not in your cart")
        return await self.cart(user_id)

    async def orders(self, user_id: int, page: int, per_page: int) -> list[OrderSummary]:
        rows = await self.db.fetch_all(
            "SELECT id, status, total_cents, created_at FROM orders WHERE user_id = :u "
            "ORDER BY id DESC LIMIT :limit OFFSET :offset",
            {"u": user_id, "limit": per_page, "offset": (page - 1) * per_page},
        )
        return [OrderSummary(**dict(r)) for r in rows]

    async def order(self, user_id: int, order_id: int) -> Order:
        """The owner's order; another shopper's order is indistinguishable from none."""
        row = await self.db.fetch_one(
            "SELECT id, status, total_cents, created_at FROM orders "
            "WHERE id = :id AND user_id = :u",
            {"id": order_id, "u": user_id},
        )
        if row is None:
            raise ApiError(404, "not_found", f"no order with id {order_id}")
        items = await self.db.fetch_all(
            "SELECT product_id, sku, name, quantity, price_cents FROM order_items "
            "WHERE order_id = :id",
            {"id": order_id},
        )
        return Order(
            row["id"],
            row["status"],
            row["total_cents"],
            row["created_at"],
            [OrderLine(**dict(i)) for i in items],
        )

    async def paid_quantity_by_sku(self) -> dict[str, int]:
        rows = await self.db.fetch_all(
            "SELECT i.sku, SUM(i.quantity) AS n FROM order_items i JOIN orders o "
            "ON o.id = i.order_id WHERE o.status = 'paid' GROUP BY i.sku"
        )
        return {r["sku"]: r["n"] for r in rows}

    async def paid_orders(self) -> list[Row]:
        return await self.db.fetch_all("SELECT id, total_cents FROM orders WHERE status = 'paid'")

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)

    async def clear(self, tx: Executor) -> None:
        """Delete every row of the service's tables inside ``tx``."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")


def check_quantity(quantity: int) -> None:
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise ApiError(
            422,
            "invalid_request",
            f"`quantity` is {quantity}; expected a whole number from 1 to {MAX_LINE_QUANTITY}",
        )


def lines_total(lines: Sequence[OrderLine]) -> int:
    return sum(line.price_cents * line.quantity for line in lines)
