"""The orders service: carts, checkout, order history, and the outbox."""

from stampede.store.orders.checkout import Checkout
from stampede.store.orders.outbox import OutboxRelay
from stampede.store.orders.service import OrdersService

__all__ = ["Checkout", "OrdersService", "OutboxRelay"]
