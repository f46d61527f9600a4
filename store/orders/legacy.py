"""The legacy checkout: the case study's monolith, reproduced on its real code path.

The whole saga (order, stock, payment, commit) runs inside one transaction
on the shared database, behind a table lock (PostgreSQL ``LOCK TABLE orders
IN EXCLUSIVE MODE``; SQLite's write lock, taken by ``BEGIN IMMEDIATE``), so
checkouts across every process run one at a time, and the confirmation
e-mail is sent inside it, the shopper waiting for the e-mail provider as
well as the payment provider.
"""

from __future__ import annotations

import msgspec

from stampede.store.db import Executor
from stampede.store.notifications import Notification, NotificationsService
from stampede.store.orders.checkout import Checkout, CheckoutRequest, Outcome
from stampede.store.shared import SharedDatabase
from stampede.store.users import UsersService


class _Paid(msgspec.Struct):
    order_id: int
    user_id: int
    total_cents: int


class LegacyCheckout(Checkout):
    """Checkout serialised behind one lock, with the notification sent synchronously."""

    def __init__(
        self,
        *args: object,
        shared: SharedDatabase,
        notifications: NotificationsService,
        users: UsersService,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.shared = shared
        self.notifications = notifications
        self.users = users

    async def _attempt(self, user_id: int, key: str, request: CheckoutRequest) -> Outcome:
        async with self.shared.pinned(lock_table="orders"):
            return await super()._attempt(user_id, key, request)

    async def _announce(self, tx: Executor, event: bytes, now: float) -> None:
        paid = msgspec.json.decode(event, type=_Paid)
        profile = await self.users.profile(paid.user_id)
        await self.notifications.deliver(
            Notification(
                event_id=f"order-{paid.order_id}",
                order_ref=str(paid.order_id),
                channel="email",
                recipient=profile.email,
                subject=f"Order #{paid.order_id} confirmed: {paid.total_cents / 100:.2f}",
            )
        )
