"""Checkout with an Idempotency-Key: one order and one capture per key, whatever the retries."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from tests.store.inprocess import InProcessStore
from tests.store.shoppers import audit, buy, log_in

PRODUCT = 7  # a plentiful, unlimited SKU


async def _duplicates(
    store: InProcessStore, concurrent: int
) -> tuple[list[httpx.Response], httpx.Response]:
    async with store.async_client(timeout=30) as client:
        token = await log_in(client, 11)
        first = await asyncio.gather(
            *(buy(client, token, PRODUCT, key="same-key") for _ in range(concurrent))
        )
        later = await buy(client, token, PRODUCT, key="same-key")
        return list(first), later


def _orders(store: InProcessStore, shopper: int) -> list[dict[str, object]]:
    async def fetch() -> list[dict[str, object]]:
        async with store.async_client() as client:
            token = await log_in(client, shopper)
            response = await client.get(
                "/api/v1/orders", headers={"Authorization": f"Bearer {token}"}
            )
            return list(response.json())

    return asyncio.run(fetch())


def test_a_sequential_retry_replays_the_first_answer(
    store: InProcessStore, admin: httpx.Client
) -> None:
    admin.post("/admin/reset")

    async def twice() -> tuple[httpx.Response, httpx.Response]:
        async with store.async_client(timeout=30) as client:
            token = await log_in(client, 10)
            return (
                await buy(client, token, PRODUCT, key="retry-1"),
                await buy(client, token, PRODUCT, key="retry-1"),
            )

    first, second = asyncio.run(twice())
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(_orders(store, 10)) == 1
    assert audit(admin)["ok"]


def test_concurrent_duplicates_make_one_order_and_one_capture(
    store: InProcessStore, admin: httpx.Client
) -> None:
    admin.post("/admin/reset")
    concurrent, later = asyncio.run(_duplicates(store, 12))
    codes = Counter(r.status_code for r in concurrent)
    assert codes[201] >= 1
    assert set(codes) <= {201, 409}
    order_ids = {r.json()["order_id"] for r in concurrent if r.status_code == 201}
    assert len(order_ids) == 1
    assert all(
        r.json()["error"] == "checkout_in_progress" for r in concurrent if r.status_code == 409
    )
    assert later.status_code == 201 and later.json()["order_id"] in order_ids
    assert [o["status"] for o in _orders(store, 11)] == ["paid"]
    report = audit(admin)
    assert report["ok"], report
    captures = next(c for c in report["checks"] if c["name"] == "one_capture_per_order")
    assert captures["detail"].startswith("1 captured")


def test_the_same_key_with_another_body_is_refused(
    store: InProcessStore, admin: httpx.Client
) -> None:
    admin.post("/admin/reset")

    async def reuse() -> httpx.Response:
        async with store.async_client(timeout=30) as client:
            token = await log_in(client, 12)
            assert (await buy(client, token, PRODUCT, key="k-body")).status_code == 201
            return await buy(client, token, PRODUCT + 1, key="k-body")

    response = asyncio.run(reuse())
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert len(_orders(store, 12)) == 1


def test_keys_belong_to_one_shopper(store: InProcessStore, admin: httpx.Client) -> None:
    admin.post("/admin/reset")

    async def two_shoppers() -> list[httpx.Response]:
        async with store.async_client(timeout=30) as client:
            a, b = await log_in(client, 13), await log_in(client, 14)
            return [
                await buy(client, a, PRODUCT, key="shared"),
                await buy(client, b, PRODUCT, key="shared"),
            ]

    first, second = asyncio.run(two_shoppers())
    assert first.status_code == second.status_code == 201
    assert first.json()["order_id"] != second.json()["order_id"]
