"""The inventory service: stock per SKU, reservations with a TTL, a sweeper."""

from stampede.store.inventory.service import InventoryService, LineItem, SoldOut
from stampede.store.inventory.strategies import STRATEGIES

__all__ = ["STRATEGIES", "InventoryService", "LineItem", "SoldOut"]
