"""A worker killed mid-checkout: the sweeper rolls its order forward or back; the audit is clean."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from stampede.store.audit import audit
from stampede.store.config import FlashSku, PaymentSim, SeedSpec, StoreConfig
from stampede.store.inventory.strategies import Hold
from stampede.store.recovery import settle_stale_checkouts
from stampede.store.services import Services

SPEC = SeedSpec(categories=1, products=2, users=2, flash=(FlashSku(sku="FLASH-001", stock=5),))


async def _half_done_checkout(services: Services, user_id: int, commit: bool) -> int:
    """What a worker killed after the capture (and perhaps the stock commit) leaves behind."""
    now = time.time()
    row = await services.orders.db.fetch_one(
        "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) "
        "VALUES (:u, 'pending', 4999, :now, :now) RETURNING id",
        {"u": user_id, "now": now},
    )
    assert row is not None
    order_id = int(row["id"])
    product = await services.catalog.db.fetch_one("SELECT id FROM products WHERE sku = 'FLASH-001'")
    assert product is not None
    await services.orders.db.execute(
        "INSERT INTO order_items (order_id, product_id, sku, name, quantity, price_cents) "
        "VALUES (:o, :p, 'FLASH-001', 'Flash deal', 1, 4999)",
        {"o": order_id, "p": product["id"]},
    )
    await services.inventory.reserve(str(order_id), user_id, [Hold("FLASH-001", 1)])
    payment = await services.payments.authorize(f"order-{order_id}", str(order_id), 4999)
    await services.payments.capture(payment.id)
    if commit:
        assert await services.inventory.commit(str(order_id))
    return order_id


async def _scenario(data: Path) -> None:
    config = StoreConfig(
        data_dir=str(data),
        admin_token="a",
        token_secret="s",
        password_kdf_n=1024,
        payment=PaymentSim(latency_median_ms=0, decline_rate=0, failure_rate=0),
        seed=SPEC,
    )
    services = Services.open(config)
    try:
        await services.setup()
        await services.seed(SPEC)
        back = await _half_done_checkout(services, 1, commit=False)
        forward = await _half_done_checkout(services, 2, commit=True)
        assert not (await audit(services)).ok  # captured without a paid order, twice
        assert await settle_stale_checkouts(services, 30.0) == 0  # too young: may be running
        later = time.time() + 60
        assert await settle_stale_checkouts(services, 30.0, clock=lambda: later) == 2
        assert await settle_stale_checkouts(services, 30.0, clock=lambda: later) == 0
        statuses = {
            r["id"]: r["status"]
            for r in await services.orders.db.fetch_all("SELECT id, status FROM orders")
        }
        assert statuses == {back: "failed", forward: "paid"}
        report = await audit(services)
        assert report.ok, [c for c in report.checks if not c.ok]
    finally:
        await services.close()


def test_stale_checkouts_are_rolled_forward_or_back(tmp_path: Path) -> None:
    asyncio.run(_scenario(tmp_path))
