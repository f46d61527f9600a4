"""Checkout: the saga across inventory, payments and orders.

1. claim the idempotency key;      2. write the order as ``pending``;
3. hold the stock (TTL);           4. authorise, then capture, the payment;
5. commit the hold;                6. mark the order paid, write the outbox
   event, empty the cart and store the answer — in one transaction.

Each failure undoes what came before it (release the hold, void the payment),
so no path leaves stock held or money taken without a paid order.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

import msgspec

from stampede.core.errors import ServiceUnavailableError
from stampede.store.catalog import CatalogService
from stampede.store.db import Executor, transact
from stampede.store.inventory import InventoryService, LineItem
from stampede.store.inventory.strategies import LimitExceeded, SoldOut, UnknownSku
from stampede.store.orders import idempotency
from stampede.store.orders.service import (
    OrderLine,
    OrdersService,
    Quantity,
    check_quantity,
    lines_total,
)
from stampede.store.payments import PaymentsService
from stampede.store.payments.service import Payment
from stampede.store.web import ApiError, RowId

_encoder = msgspec.json.Encoder()


def _payment_key(order_id: int) -> str:
    return f"order-{order_id}"


class ItemRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    product_id: RowId
    quantity: Quantity = 1


#: an empty list is refused as `cart_empty` (422), which the document shows as `minItems`
Items = Annotated[list[ItemRequest], msgspec.Meta(extra_json_schema={"minItems": 1})]


class CheckoutRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Buy the cart, or ``items`` directly ("buy now")."""

    items: Items | None = None
    payment_method: str = "card"


class OrderPlaced(msgspec.Struct, frozen=True):
    order_id: int
    status: str
    total_cents: int
    items: list[OrderLine]


class CheckoutFailed(msgspec.Struct, frozen=True):
    error: str
    message: str
    order_id: int
    sku: str | None = None


class Outcome(msgspec.Struct, frozen=True):
    status_code: int
    body: bytes
    replayed: bool = False


@dataclass(frozen=True)
class _Attempt:
    user_id: int
    key: str
    order_id: int
    from_cart: bool

    @property
    def ref(self) -> str:
        return str(self.order_id)


class Checkout:
    def __init__(
        self,
        orders: OrdersService,
        catalog: CatalogService,
        inventory: InventoryService,
        payments: PaymentsService,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.orders = orders
        self.catalog = catalog
        self.inventory = inventory
        self.payments = payments
        self._clock = clock

    async def run(
        self, user_id: int, key: str, raw_body: bytes, request: CheckoutRequest
    ) -> Outcome:
        db = self.orders.db
        replay = await idempotency.begin(
            db, user_id, key, idempotency.request_hash(raw_body), self._clock()
        )
        if replay is not None:
            return Outcome(replay.status_code, replay.body, replayed=True)
        try:
            outcome = await self._attempt(user_id, key, request)
        except BaseException:
            await idempotency.release(db, user_id, key)
            raise
        if outcome.status_code >= 500:
            await idempotency.release(db, user_id, key)
        return outcome

    async def _attempt(self, user_id: int, key: str, request: CheckoutRequest) -> Outcome:
        lines = await self._lines(user_id, request)
        order_id = await self._create_order(user_id, lines)
        attempt = _Attempt(user_id, key, order_id, from_cart=request.items is None)
        return await self._fulfil(attempt, lines)

    async def _lines(self, user_id: int, request: CheckoutRequest) -> list[OrderLine]:
        if request.items is not None:
            wanted = [(i.product_id, i.quantity) for i in request.items]
        else:
            cart = await self.orders.cart(user_id)
            wanted = [(line.product_id, line.quantity) for line in cart.items]
        if not wanted:
            raise ApiError(422, "cart_empty", "the cart is empty; add items or send `items`")
        for _, quantity in wanted:
            check_quantity(quantity)
        products = await self.catalog.products(pid for pid, _ in wanted)
        missing = [pid for pid, _ in wanted if pid not in products]
        if missing:
            raise ApiError(404, "not_found", f"no product with id {missing[0]}")
        return [
            OrderLine(pid, products[pid].sku, products[pid].name, qty, products[pid].price_cents)
            for pid, qty in wanted
        ]

    async def _create_order(self, user_id: int, lines: Sequence[OrderLine]) -> int:
        now = self._clock()

        async def write(tx: Executor) -> int:
            row = await tx.fetch_one(
                "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) "
                "VALUES (:u, 'pending', :total, :now, :now) RETURNING id",
                {"u": user_id, "total": lines_total(lines), "now": now},
            )
            assert row is not None
            for line in lines:
                await tx.execute(
                    "INSERT INTO order_items (order_id, product_id, sku, name, quantity, "
                    "price_cents) VALUES (:o, :p, :sku, :name, :q, :price)",
                    {
                        "o": row["id"],
                        "p": line.product_id,
                        "sku": line.sku,
                        "name": line.name,
                        "q": line.quantity,
                        "price": line.price_cents,
                    },
                )
            return int(row["id"])

        return await transact(self.orders.db, write)

    async def _fulfil(self, attempt: _Attempt, lines: Sequence[OrderLine]) -> Outcome:
        ref = attempt.ref
        try:
            await self.inventory.reserve(
                ref, attempt.user_id, [LineItem(line.sku, line.quantity) for line in lines]
            )
        except (SoldOut, UnknownSku) as exc:
            return await self._fail(
                attempt, "rejected", 409, "sold_out", f"{exc.sku} is sold out", exc.sku
            )
        except LimitExceeded as exc:
            return await self._fail(
                attempt,
                "rejected",
                409,
                "limit_exceeded",
                f"{exc.sku} is limited to {exc.limit} per customer",
                exc.sku,
            )
        try:
            payment = await self._pay(attempt.order_id, lines_total(lines))
        except BaseException:
            # the provider may have taken the money before the store lost its database:
            # give it back now (the recovery sweeper does if this fails too)
            with contextlib.suppress(ServiceUnavailableError):
                await self.payments.void_key(_payment_key(attempt.order_id))
            await self.inventory.release(ref)
            raise
        if payment.status != "captured":
            await self.inventory.release(ref)
            if payment.status == "declined":
                return await self._fail(
                    attempt,
                    "declined",
                    402,
                    "payment_declined",
                    "the payment was declined; try another payment method",
                )
            return await self._fail(
                attempt,
                "failed",
                503,
                "payment_unavailable",
                "the payment provider did not answer; retry with the same key",
            )
        if not await self.inventory.commit(ref):
            await self.payments.void(payment.id)
            return await self._fail(
                attempt,
                "rejected",
                409,
                "sold_out",
                "the stock ran out while the payment was taken; it was refunded",
            )
        return await self._complete(attempt, lines)

    async def _pay(self, order_id: int, amount: int) -> Payment:
        payment = await self.payments.authorize(_payment_key(order_id), str(order_id), amount)
        if payment.status == "authorized":
            payment = await self.payments.capture(payment.id)
        return payment

    async def _complete(self, attempt: _Attempt, lines: Sequence[OrderLine]) -> Outcome:
        user_id, order_id = attempt.user_id, attempt.order_id
        placed = OrderPlaced(order_id, "paid", lines_total(lines), list(lines))
        body = _encoder.encode(placed)
        event = _encoder.encode(
            {"order_id": order_id, "user_id": user_id, "total_cents": placed.total_cents}
        )
        now = self._clock()

        async def write(tx: Executor) -> None:
            await tx.execute(
                "UPDATE orders SET status = 'paid', updated_at = :now WHERE id = :id",
                {"id": order_id, "now": now},
            )
            await self._announce(tx, event, now)
            if attempt.from_cart:
                await tx.execute("DELETE FROM cart_items WHERE user_id = :u", {"u": user_id})
            await idempotency.finish(tx, user_id, attempt.key, 201, body)

        async def paid() -> bool:
            row = await self.orders.db.fetch_one(
                "SELECT status FROM orders WHERE id = :id", {"id": order_id}
            )
            return row is not None and row["status"] == "paid"

        await transact(self.orders.db, write, committed=paid)
        return Outcome(201, body)

    async def _announce(self, tx: Executor, event: bytes, now: float) -> None:
        """Tell the shopper, later: the outbox commits with the order; the relay sends it."""
        await tx.execute(
            "INSERT INTO outbox (event_type, payload, created_at) "
            "VALUES ('order_paid', :payload, :now)",
            {"payload": event, "now": now},
        )

    async def _fail(
        self,
        attempt: _Attempt,
        status: str,
        code: int,
        error: str,
        message: str,
        sku: str | None = None,
    ) -> Outcome:
        body = _encoder.encode(CheckoutFailed(error, message, attempt.order_id, sku))

        async def write(tx: Executor) -> None:
            await tx.execute(
                "UPDATE orders SET status = :s, updated_at = :now WHERE id = :id",
                {"id": attempt.order_id, "s": status, "now": self._clock()},
            )
            if code < 500:
                await idempotency.finish(tx, attempt.user_id, attempt.key, code, body)

        await transact(self.orders.db, write)
        return Outcome(code, body)
