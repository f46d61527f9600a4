"""Rate limits answer 429 with Retry-After, and cannot be dodged with headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import PASSWORD


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[InProcessStore]:
    """A fresh store per test: buckets must start full."""
    with start_store(
        tmp_path, "--user-rate", "2", "--anonymous-rate", "3", "--global-rate", "1000"
    ) as store:
        yield store


def test_an_anonymous_client_gets_429_after_its_burst(limited: InProcessStore) -> None:
    with limited.client() as client:
        codes = [client.get("/api/v1/categories").status_code for _ in range(20)]
        refused = client.get("/api/v1/categories")
    assert codes[:6] == [200] * 6  # burst of twice the rate
    assert 429 in codes
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1


def test_rotating_forwarding_headers_buys_no_new_bucket(limited: InProcessStore) -> None:
    with limited.client() as client:
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


def test_signed_in_shoppers_have_their_own_buckets(limited: InProcessStore) -> None:
    with limited.client() as client:
        tokens = []
        for i in (40, 41):
            response = client.post(
                "/api/v1/sessions",
                json={"email": f"shopper{i}@stampede.test", "password": PASSWORD},
            )
            assert response.status_code == 201, response.text
            tokens.append(response.json()["token"])
    with limited.client() as client:
        first = [
            client.get("/api/v1/cart", headers={"Authorization": f"Bearer {tokens[0]}"}).status_code
            for _ in range(8)
        ]
        second = client.get("/api/v1/cart", headers={"Authorization": f"Bearer {tokens[1]}"})
    assert first[:4] == [200] * 4 and 429 in first
    assert second.status_code == 200


def test_operations_routes_are_not_limited(limited: InProcessStore) -> None:
    with limited.client() as client:
        assert {client.get("/healthz").status_code for _ in range(30)} == {200}
