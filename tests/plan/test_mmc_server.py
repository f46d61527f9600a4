"""The M/M/c test server keeps its construction: c slots, exponential service of mean S."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.mmc_server import start_mmc_server

pytestmark = pytest.mark.slow


async def _burst(url: str, n: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(*(client.get("/work") for _ in range(n)))


def test_the_server_serves_c_at_a_time_for_a_mean_of_s() -> None:
    with start_mmc_server(servers=3, mean_ms=10.0, seed=7) as url:
        assert httpx.get(f"{url}/health").json() == {"ok": True}
        responses = asyncio.run(_burst(url, 300))
        assert all(r.status_code == 200 for r in responses)
        stats = httpx.get(f"{url}/stats").json()
    # 300 requests at once queue for 3 slots: never more than 3 served at once
    assert stats["served"] == 300 and stats["most_busy"] == 3
    # the drawn service times have the mean S (standard error 10 ms / √300 ≈ 0.6 ms)
    assert stats["service_s"] / 300 == pytest.approx(0.010, rel=0.15)
