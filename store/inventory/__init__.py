"""The inventory service: stock per SKU, reservations with a TTL, a sweeper."""

from store.inventory.service import InventoryService, LineItem, SoldOut
from store.inventory.strategies import STRATEGIES

__all__ = ["STRATEGIES", "InventoryService", "LineItem", "SoldOut"]
