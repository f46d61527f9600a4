"""Authentication and access control: tokens, expiry, ownership, admin routes."""

from __future__ import annotations

import time

import httpx
import pytest

from stampede.store.users.tokens import TokenSigner
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import PASSWORD


def _token(client: httpx.Client, i: int) -> str:
    response = client.post(
        "/api/v1/sessions", json={"email": f"shopper{i}@stampede.test", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["expires_at"] > time.time()
    return str(body["token"])


@pytest.fixture
def client(store: InProcessStore) -> httpx.Client:
    return store.client(timeout=30)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_then_log_in_then_profile(client: httpx.Client) -> None:
    created = client.post(
        "/api/v1/users",
        json={"email": "New.Person@Example.com", "password": "correct horse", "name": "New"},
    )
    assert created.status_code == 201
    assert created.json()["email"] == "new.person@example.com"
    again = client.post(
        "/api/v1/users",
        json={"email": "new.person@example.com", "password": "correct horse", "name": "New"},
    )
    assert again.status_code == 409 and again.json()["error"] == "email_taken"
    session = client.post(
        "/api/v1/sessions", json={"email": "new.person@example.com", "password": "correct horse"}
    )
    assert session.status_code == 201
    me = client.get("/api/v1/users/me", headers=_auth(session.json()["token"]))
    assert me.status_code == 200 and me.json()["name"] == "New"


def test_a_wrong_password_is_401(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/sessions", json={"email": "shopper1@stampede.test", "password": "wrong-pass"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_credentials"


def test_passwords_are_stored_hashed(store: InProcessStore) -> None:
    import sqlite3

    with sqlite3.connect(store.data_dir / "users.sqlite3") as db:
        (stored,) = db.execute("SELECT password_hash FROM users WHERE id = 1").fetchone()
    assert PASSWORD not in stored
    assert stored.startswith("scrypt$")


def _signer(store: InProcessStore) -> TokenSigner:
    return TokenSigner((store.data_dir / "token-secret").read_text().strip())


@pytest.mark.parametrize("problem", ["missing", "expired", "forged", "garbage", "other-secret"])
def test_bad_tokens_are_401(store: InProcessStore, client: httpx.Client, problem: str) -> None:
    headers = {
        "missing": {},
        "expired": _auth(_signer(store).issue(1, time.time() - 1)),
        "forged": _auth(_signer(store).issue(1, time.time() + 60)[:-3] + "abc"),
        "garbage": _auth("not.a.token"),
        "other-secret": _auth(TokenSigner("guessed").issue(1, time.time() + 60)),
    }[problem]
    response = client.get("/api/v1/cart", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    if problem in ("expired", "forged"):
        assert "expired or invalid" in response.json()["message"]


def test_another_shoppers_order_is_404(client: httpx.Client) -> None:
    owner, other = _token(client, 20), _token(client, 21)
    placed = client.post(
        "/api/v1/checkout",
        json={"items": [{"product_id": 3}]},
        headers={**_auth(owner), "Idempotency-Key": "own-1"},
    )
    assert placed.status_code == 201
    order_id = placed.json()["order_id"]
    assert client.get(f"/api/v1/orders/{order_id}", headers=_auth(owner)).status_code == 200
    stolen = client.get(f"/api/v1/orders/{order_id}", headers=_auth(other))
    assert stolen.status_code == 404 and stolen.json()["error"] == "not_found"
    assert all(
        o["id"] != order_id for o in client.get("/api/v1/orders", headers=_auth(other)).json()
    )


def test_carts_are_per_shopper(client: httpx.Client) -> None:
    a, b = _token(client, 22), _token(client, 23)
    added = client.post(
        "/api/v1/cart/items", json={"product_id": 5, "quantity": 2}, headers=_auth(a)
    )
    assert added.status_code == 201 and added.json()["items"][0]["quantity"] == 2
    assert client.get("/api/v1/cart", headers=_auth(b)).json() == {"items": [], "total_cents": 0}
    gone = client.delete("/api/v1/cart/items/5", headers=_auth(b))
    assert gone.status_code == 404
    emptied = client.delete("/api/v1/cart/items/5", headers=_auth(a))
    assert emptied.status_code == 200 and emptied.json()["items"] == []


@pytest.mark.parametrize(
    "route",
    [
        ("POST", "/admin/seed"),
        ("POST", "/admin/reset"),
        ("GET", "/admin/audit"),
        ("GET", "/admin/summary"),
    ],
)
def test_admin_routes_need_the_admin_token(client: httpx.Client, route: tuple[str, str]) -> None:
    method, path = route
    shopper = _token(client, 24)
    for headers in ({}, _auth(shopper), _auth("stampede-admin-wrong")):
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["error"] == "unauthorized"


def test_cart_checkout_empties_the_cart(client: httpx.Client) -> None:
    token = _token(client, 25)
    client.post("/api/v1/cart/items", json={"product_id": 9, "quantity": 3}, headers=_auth(token))
    placed = client.post("/api/v1/checkout", headers={**_auth(token), "Idempotency-Key": "cart-1"})
    assert placed.status_code == 201, placed.text
    assert placed.json()["items"][0]["quantity"] == 3
    assert client.get("/api/v1/cart", headers=_auth(token)).json()["items"] == []
    order = client.get(f"/api/v1/orders/{placed.json()['order_id']}", headers=_auth(token)).json()
    assert order["status"] == "paid" and order["total_cents"] == placed.json()["total_cents"]
