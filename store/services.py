"""The store's services wired together: each with its own database.

The gateway and the admin API see the services only through this object;
services see each other only through their Python interfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from stampede.store.cache import LocalCache, NoCache, ReadCache
from stampede.store.catalog import CatalogService
from stampede.store.config import SeedSpec, StoreConfig
from stampede.store.db import Database, Executor, SqliteDatabase
from stampede.store.inventory import STRATEGIES, InventoryService
from stampede.store.inventory.feed import RedisStockChanges, StockFeed
from stampede.store.inventory.redis_gate import RedisStrategy
from stampede.store.inventory.service import nobody_listens
from stampede.store.inventory.strategies import Strategy
from stampede.store.notifications import NotificationsService
from stampede.store.notifications.provider import EmailProvider
from stampede.store.notifications.queue import NotificationQueue
from stampede.store.orders import Checkout, OrdersService, OutboxRelay
from stampede.store.orders.legacy import LegacyCheckout
from stampede.store.payments import PaymentProvider, PaymentsService
from stampede.store.postgres import PostgresDatabase
from stampede.store.redis_cache import RedisCache
from stampede.store.redis_conn import RedisBackplane
from stampede.store.shared import SharedDatabase
from stampede.store.users import UsersService
from stampede.store.users.sessions import RedisSessions
from stampede.store.users.tokens import TokenSigner


class _Clearable(Protocol):
    db: Database

    async def clear(self, tx: Executor) -> None: ...


SERVICE_NAMES = ("users", "catalog", "orders", "inventory", "payments", "notifications")


def open_databases(config: StoreConfig) -> dict[str, Database]:
    """One database per service (modern), or one shared by all (legacy)."""
    legacy = config.architecture == "legacy"
    if config.backend == "postgres":
        assert config.database_url is not None
        url = config.database_url
        if legacy:
            pool = config.db_pool_size * len(SERVICE_NAMES)
            shared = SharedDatabase(PostgresDatabase(url, "monolith", pool_size=pool))
            return dict.fromkeys(SERVICE_NAMES, shared)
        return {
            name: PostgresDatabase(url, name, pool_size=config.db_pool_size)
            for name in SERVICE_NAMES
        }
    data = Path(config.data_dir)
    if legacy:
        pool = config.db_pool_size * len(SERVICE_NAMES)
        shared = SharedDatabase(SqliteDatabase(data / "monolith.sqlite3", pool))
        return dict.fromkeys(SERVICE_NAMES, shared)
    return {
        name: SqliteDatabase(data / f"{name}.sqlite3", config.db_pool_size)
        for name in SERVICE_NAMES
    }


def _cache(config: StoreConfig, redis: RedisBackplane | None) -> ReadCache:
    if config.architecture == "legacy":
        return NoCache()
    if redis is not None:
        return RedisCache(redis, config.cache_ttl_s)
    return LocalCache(config.cache_ttl_s)


def _strategy(config: StoreConfig, redis: RedisBackplane | None, db: Database) -> Strategy:
    if config.inventory_strategy != "redis":
        return STRATEGIES[config.inventory_strategy]
    if redis is None:
        raise ValueError("the redis inventory strategy needs a Redis URL")
    return RedisStrategy(redis, db)


def _queue(config: StoreConfig) -> NotificationQueue | None:
    if config.queue_url is None:
        return None
    return NotificationQueue(config.queue_url, config.queue_name)


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
    feed: StockFeed
    databases: dict[str, Database]
    redis: RedisBackplane | None = None
    queue: NotificationQueue | None = None

    @classmethod
    def open(cls, config: StoreConfig) -> Services:
        legacy = config.architecture == "legacy"
        redis = None
        if config.uses_redis:
            assert config.redis_url is not None
            redis = RedisBackplane(config.redis_url, config.redis_prefix, config.redis_pool_size)
        changes = RedisStockChanges(redis) if redis is not None else None
        dbs = open_databases(config)
        users = UsersService(
            dbs["users"],
            TokenSigner(config.token_secret),
            token_ttl_s=config.token_ttl_s,
            kdf_n=config.password_kdf_n,
            sessions_in_db=legacy,
            redis_sessions=RedisSessions(redis) if redis is not None and not legacy else None,
        )
        catalog = CatalogService(dbs["catalog"], _cache(config, redis), legacy=legacy)
        inventory = InventoryService(
            dbs["inventory"],
            strategy=_strategy(config, redis, dbs["inventory"]),
            reservation_ttl_s=config.reservation_ttl_s,
            publish=changes.publish if changes is not None else nobody_listens,
        )
        orders = OrdersService(dbs["orders"], catalog)
        payments = PaymentsService(dbs["payments"], PaymentProvider(config.payment))
        notifications = NotificationsService(dbs["notifications"], EmailProvider(config.email))
        queue = _queue(config)
        checkout = (
            LegacyCheckout(
                orders,
                catalog,
                inventory,
                payments,
                shared=dbs["orders"],
                notifications=notifications,
                users=users,
            )
            if isinstance(dbs["orders"], SharedDatabase)
            else Checkout(orders, catalog, inventory, payments)
        )
        return cls(
            users=users,
            catalog=catalog,
            inventory=inventory,
            orders=orders,
            payments=payments,
            notifications=notifications,
            checkout=checkout,
            relay=OutboxRelay(
                dbs["orders"], notifications, users, send=queue.publish if queue else None
            ),
            feed=StockFeed(inventory, config.stock_feed_interval_s, changes),
            databases=dbs,
            redis=redis,
            queue=queue,
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

    @contextlib.asynccontextmanager
    async def _one_transaction(self) -> AsyncIterator[Callable[[Database], Awaitable[Executor]]]:
        """Transactions on every database touched, committed together when the block ends.

        The block asks for the transaction of a service's database (one per distinct
        database, so the legacy monolith's shared one is opened once). An exception
        anywhere rolls every one back: the store stays exactly as it was.
        """
        async with contextlib.AsyncExitStack() as stack:
            open_: dict[int, Executor] = {}

            async def tx(db: Database) -> Executor:
                if id(db) not in open_:
                    open_[id(db)] = await stack.enter_async_context(db.transaction())
                return open_[id(db)]

            yield tx

    async def reset(self) -> None:
        """Delete every row of every service, atomically."""
        async with self._one_transaction() as tx:
            for service in self._in_dependency_order():
                await service.clear(await tx(service.db))
        await self.catalog.cache.clear()
        self.users.known.forget()
        await self.inventory.reconcile()

    async def restock(self) -> None:
        """Forget orders, payments and notifications and restock every SKU, atomically."""
        async with self._one_transaction() as tx:
            for service in (self.orders, self.payments, self.notifications):
                await service.clear(await tx(service.db))
            await self.inventory.restock_in(await tx(self.inventory.db))
        await self.inventory.reconcile()
        await self.catalog.cache.clear()

    def _in_dependency_order(self) -> tuple[_Clearable, ...]:
        return (
            self.orders,
            self.payments,
            self.notifications,
            self.inventory,
            self.catalog,
            self.users,
        )

    async def seed(self, spec: SeedSpec) -> None:
        """Replace all data with a fresh, deterministic shop, atomically: all or nothing."""
        flash = [(f.sku, f.name, f.price_cents) for f in spec.flash]
        regular = [
            (f"SKU-{c:03d}-{i:04d}", spec.stock_per_product, None)
            for c in range(1, spec.categories + 1)
            for i in range(1, spec.products + 1)
        ]
        async with self._one_transaction() as tx:
            for service in self._in_dependency_order():
                await service.clear(await tx(service.db))
            catalog = await tx(self.catalog.db)
            await self.catalog.fill(catalog, spec.categories, spec.products, flash)
            await self.inventory.fill(
                await tx(self.inventory.db),
                [*regular, *((f.sku, f.stock, f.limit_per_user) for f in spec.flash)],
            )
            await self.users.fill(await tx(self.users.db), spec.users)
        await self.catalog.seeded()
        await self.users.seeded()
        await self.inventory.reconcile()

    async def close(self) -> None:
        # together: each pool waits up to its own bound for connections a lost server left
        # behind (postgres.CLOSE_TIMEOUT_S), so six in a row could take six times as long
        unique = {id(db): db for db in self.databases.values()}.values()
        await asyncio.gather(*(db.close() for db in unique))
        if self.redis is not None:
            await self.redis.close()
        if self.queue is not None:
            await self.queue.close()
