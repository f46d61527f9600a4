"""Helpers that act as shoppers against a running store."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")

PASSWORD = "stampede-shopper"


async def log_in(client: httpx.AsyncClient, i: int) -> str:
    response = await client.post(
        "/api/v1/sessions", json={"email": f"shopper{i}@stampede.test", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def bounded(calls: Iterable[Awaitable[T]], concurrency: int = 64) -> list[T]:
    """Await all, at most ``concurrency`` at once (httpx's pool slows down with long queues)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Awaitable[T]) -> T:
        async with gate:
            return await call

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def tokens(client: httpx.AsyncClient, count: int) -> list[str]:
    return await bounded(log_in(client, i) for i in range(1, count + 1))


async def buy(
    client: httpx.AsyncClient,
    token: str,
    product_id: int,
    key: str | None = None,
    quantity: int = 1,
) -> httpx.Response:
    return await client.post(
        "/api/v1/checkout",
        json={"items": [{"product_id": product_id, "quantity": quantity}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key or uuid.uuid4().hex},
    )


async def flash_product_id(client: httpx.AsyncClient, sku: str = "FLASH-001") -> int:
    response = await client.get("/api/v1/search", params={"q": sku})
    items = [p for p in response.json()["items"] if p["sku"] == sku]
    assert items, f"{sku} not in the catalog"
    return int(items[0]["id"])


def audit(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/admin/audit")
    assert response.status_code == 200, response.text
    return dict(response.json())
