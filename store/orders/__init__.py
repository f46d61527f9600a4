"""The orders service: carts, checkout, order history, and the outbox."""

from store.orders.checkout import Checkout
from store.orders.outbox import OutboxRelay
from store.orders.service import OrdersService

__all__ = ["Checkout", "OrdersService", "OutboxRelay"]
