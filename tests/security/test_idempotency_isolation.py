"""Idempotency keys belong to the shopper who sent them: another shopper's key replays nothing."""

from __future__ import annotations

import httpx

from tests.security.shoppers import bearer, log_in


def _checkout(client: httpx.Client, token: str, key: str, product_id: int) -> httpx.Response:
    return client.post(
        "/api/v1/checkout",
        json={"items": [{"product_id": product_id}]},
        headers={**bearer(token), "Idempotency-Key": key},
    )


def test_the_same_key_from_another_shopper_places_that_shoppers_own_order(
    client: httpx.Client,
) -> None:
    owner, other = log_in(client, 70), log_in(client, 71)
    key = "shared-key-0001"
    first = _checkout(client, owner, key, 11)
    assert first.status_code == 201, first.text
    replayed = _checkout(client, owner, key, 11)
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert replayed.json()["order_id"] == first.json()["order_id"]

    same_body = _checkout(client, other, key, 11)
    assert same_body.status_code == 201, same_body.text
    assert "Idempotent-Replayed" not in same_body.headers
    assert same_body.json()["order_id"] != first.json()["order_id"]
    mine = client.get(f"/api/v1/orders/{same_body.json()['order_id']}", headers=bearer(other))
    assert mine.status_code == 200
    theirs = client.get(f"/api/v1/orders/{first.json()['order_id']}", headers=bearer(other))
    assert theirs.status_code == 404


def test_another_shoppers_key_is_not_reported_as_reused(client: httpx.Client) -> None:
    owner, other = log_in(client, 72), log_in(client, 73)
    assert _checkout(client, owner, "shared-key-0002", 12).status_code == 201
    different_body = _checkout(client, other, "shared-key-0002", 13)
    assert different_body.status_code == 201, different_body.text
    assert different_body.json()["items"][0]["product_id"] == 13
    # and the owner's key still means the owner's purchase
    assert _checkout(client, owner, "shared-key-0002", 13).json()["error"] == (
        "idempotency_key_reused"
    )
