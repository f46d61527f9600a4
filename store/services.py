"""The store's services wired together: each with its own database.

The gateway and the admin API see the services only through this object;
services see each other only through their Python interfaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from store.catalog import CatalogService
from store.config import SeedSpec, StoreConfig
from store.db import Database, SqliteDatabase
from store.inventory import InventoryService
from store.notifications import NotificationsService
from store.orders import Checkout, OrdersService, OutboxRelay
from store.payments import PaymentProvider, PaymentsService
from store.users import UsersService
from store.users.tokens import TokenSigner

SERVICE_NAMES = ("users", "catalog", "orders", "inventory", "payments", "notifications")


@dataclass
class Services:
    users: UsersService
    catalog: CatalogService
    inventory: InventoryService
    orders: OrdersService
    payments: PaymentsService
    notifications: NotificationsService
    checkout: Checkout
    relay: OutboxRelay
    databases: dict[str, Database]

    @classmethod
    def open(cls, config: StoreConfig) -> Services:
        dbs: dict[str, Database] = {
            name: SqliteDatabase(Path(config.data_dir) / f"{name}.sqlite3", config.db_pool_size)
            for name in SERVICE_NAMES
        }
        users = UsersService(
            dbs["users"],
            TokenSigner(config.token_secret),
            token_ttl_s=config.token_ttl_s,
            kdf_n=config.password_kdf_n,
        )
        catalog = CatalogService(dbs["catalog"], config.cache_ttl_s)
        inventory = InventoryService(
            dbs["inventory"],
            strategy=config.inventory_strategy,
            reservation_ttl_s=config.reservation_ttl_s,
        )
        orders = OrdersService(dbs["orders"], catalog)
        payments = PaymentsService(dbs["payments"], PaymentProvider(config.payment))
        notifications = NotificationsService(dbs["notifications"])
        return cls(
            users=users,
            catalog=catalog,
            inventory=inventory,
            orders=orders,
            payments=payments,
            notifications=notifications,
            checkout=Checkout(orders, catalog, inventory, payments),
            relay=OutboxRelay(dbs["orders"], notifications, users),
            databases=dbs,
        )

    async def setup(self) -> None:
        for service in (
            self.users,
            self.catalog,
            self.inventory,
            self.orders,
            self.payments,
            self.notifications,
        ):
            await service.setup()

    async def is_seeded(self) -> bool:
        row = await self.catalog.db.fetch_one("SELECT COUNT(*) AS n FROM products")
        return row is not None and row["n"] > 0

    async def reset(self) -> None:
        for service in (
            self.orders,
            self.payments,
            self.notifications,
            self.inventory,
            self.catalog,
            self.users,
        ):
            await service.reset()

    async def seed(self, spec: SeedSpec) -> None:
        """Replace all data with a fresh, deterministic shop."""
        await self.reset()
        flash = [(f.sku, f.name, f.price_cents) for f in spec.flash]
        await self.catalog.seed(spec.categories, spec.products, flash)
        regular = [
            (f"SKU-{c:03d}-{i:04d}", spec.stock_per_product, None)
            for c in range(1, spec.categories + 1)
            for i in range(1, spec.products + 1)
        ]
        await self.inventory.seed(
            [*regular, *((f.sku, f.stock, f.limit_per_user) for f in spec.flash)]
        )
        await self.users.seed(spec.users)

    async def close(self) -> None:
        for db in self.databases.values():
            await db.close()
