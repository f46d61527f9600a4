"""Rate limits answer 429 with Retry-After, and cannot be dodged with headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stampede.store.launcher import StoreProcess
from tests.store.conftest import start_store
from tests.store.shoppers import PASSWORD


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[StoreProcess]:
    """A fresh store per test: buckets must start full."""
    with start_store(
        tmp_path, "--user-rate", "2", "--anonymous-rate", "3", "--global-rate", "1000"
    ) as store:
        yield store


def test_an_anonymous_client_gets_429_after_its_burst(limited: StoreProcess) -> None:
    with httpx.Client(base_url=limited.url) as client:
        codes = [client.get("/api/v1/categories").status_code for _ in range(20)]
        refused = client.get("/api/v1/categories")
    assert codes[:6] == [200] * 6  # burst of twice the rate
    assert 429 in codes
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1


def test_rotating_forwarding_headers_buys_no_new_bucket(limited: StoreProcess) -> None:
    with httpx.Client(base_url=limited.url) as client:
        codes = [
            client.get(
                "/api/v1/categories",
                headers={
                    "X-Forwarded-For": f"10.0.{i}.1",
                    "X-Real-IP": f"10.1.{i}.1",
                    "Forwarded": f"for=10.2.{i}.1",
                },
            ).status_code
            for i in range(20)
        ]
    assert codes.count(429) >= 10


def test_signed_in_shoppers_have_their_own_buckets(limited: StoreProcess) -> None:
    with httpx.Client(base_url=limited.url) as client:
        tokens = []
        for i in (40, 41):
            response = client.post(
                "/api/v1/sessions",
                json={"email": f"shopper{i}@stampede.test", "password": PASSWORD},
            )
            assert response.status_code == 201, response.text
            tokens.append(response.json()["token"])
    with httpx.Client(base_url=limited.url) as client:
        first = [
            client.get("/api/v1/cart", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
            for _ in range(8)
        ]
        second = client.get("/api/v1/cart", headers={"Authorization": f"Bearer {tokens[1]}"})
    assert first[:4] == [200] * 4 and 429 in first
    assert second.status_code == 200


def test_operations_routes_are_not_limited(limited: StoreProcess) -> None:
    with httpx.Client(base_url=limited.url) as client:
        assert {client.get("/healthz").status_code for _ in range(30)} == {200}
