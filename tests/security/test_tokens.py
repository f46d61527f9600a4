"""Bearer tokens: only a live, untampered token of an existing shopper, and only in the header.

tests/store/test_access.py covers missing, expired, garbage and wrongly signed tokens; these are
the ways around them: an account that is gone, an edited expiry, another place to put the token,
and the admin token used as a shopper's.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from stampede.store.users.tokens import TokenSigner
from tests.security.shoppers import admin_headers, bearer, log_in
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore

SHOPPER_ROUTES = [
    ("GET", "/api/v1/cart"),
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/orders"),
    ("POST", "/api/v1/cart/items"),
    ("POST", "/api/v1/checkout"),
]


def _signer(store: InProcessStore) -> TokenSigner:
    return TokenSigner((store.data_dir / "token-secret").read_text().strip())


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def _call(client: httpx.Client, route: tuple[str, str], headers: dict[str, str]) -> httpx.Response:
    """The route with a body and an idempotency key it would accept from a signed-in shopper."""
    method, path = route
    if method == "GET":
        return client.get(path, headers=headers)
    body = {"items": [{"product_id": 3}]} if path.endswith("checkout") else {"product_id": 3}
    return client.post(path, json=body, headers={**headers, "Idempotency-Key": "k-1"})


@pytest.mark.parametrize("route", SHOPPER_ROUTES, ids=" ".join)
def test_a_signed_token_of_an_unknown_user_is_401(
    store: InProcessStore, client: httpx.Client, route: tuple[str, str]
) -> None:
    forged = _signer(store).issue(987_654, time.time() + 600)
    _refused(_call(client, route, headers=bearer(forged)))


def test_a_token_stops_working_when_its_account_is_deleted(tmp_path: Path) -> None:
    with (
        start_store(tmp_path) as store,
        store.client(timeout=60) as client,
    ):
        kept, dropped = log_in(client, 5), log_in(client, 500)
        assert client.get("/api/v1/users/me", headers=bearer(dropped)).status_code == 200
        reseeded = client.post(
            "/admin/seed",
            json={"categories": 1, "products": 5, "users": 10},
            headers=admin_headers(store),
        )
        assert reseeded.status_code == 201, reseeded.text
        _refused(client.get("/api/v1/users/me", headers=bearer(dropped)))
        _refused(client.get("/api/v1/cart", headers=bearer(dropped)))
        assert client.get("/api/v1/users/me", headers=bearer(kept)).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        "later expiry",
        "other user",
        "expiry with leading zero",
        "signature of another token",
        "non-ascii signature",
        "other nonce",
    ],
)
def test_a_tampered_token_is_401(client: httpx.Client, tamper: str) -> None:
    token, other = log_in(client, 31), log_in(client, 32)
    user, expiry, nonce, signature = token.split(".")
    edited = {
        "later expiry": f"{user}.{int(expiry) + 86_400}.{nonce}.{signature}",
        "other user": f"32.{expiry}.{nonce}.{signature}",
        "expiry with leading zero": f"{user}.0{expiry}.{nonce}.{signature}",
        "signature of another token": f"{user}.{expiry}.{nonce}.{other.split('.')[3]}",
        "non-ascii signature": f"{user}.{expiry}.{nonce}.{signature[:-1]}é",
        "other nonce": f"{user}.{expiry}.{other.split('.')[2]}.{signature}",
    }[tamper]
    response = client.get(
        "/api/v1/cart", headers=[(b"Authorization", f"Bearer {edited}".encode("latin-1"))]
    )
    _refused(response)


@pytest.mark.parametrize("name", ["token", "access_token", "bearer", "Authorization", "auth"])
def test_tokens_in_the_query_string_are_not_accepted(
    store: InProcessStore, client: httpx.Client, name: str
) -> None:
    token = log_in(client, 33)
    for value in (token, f"Bearer {token}"):
        _refused(client.get("/api/v1/cart", params={name: value}))
        _refused(client.get("/admin/audit", params={name: store.admin_token}))


def test_a_token_in_a_cookie_is_not_accepted(client: httpx.Client) -> None:
    token = log_in(client, 34)
    response = client.get(
        "/api/v1/cart", headers={"Cookie": f"token={token}; Authorization=Bearer {token}"}
    )
    _refused(response)


@pytest.mark.parametrize("route", SHOPPER_ROUTES, ids=" ".join)
def test_the_admin_token_is_not_a_shopper_token(
    store: InProcessStore, client: httpx.Client, route: tuple[str, str]
) -> None:
    _refused(_call(client, route, headers=admin_headers(store)))


@pytest.mark.parametrize(
    "authorization",
    ["Basic {admin}", "Token {admin}", "{admin}", "Bearer  {admin}", "Bearer {admin}x"],
)
def test_the_admin_token_counts_only_as_a_bearer_token(
    store: InProcessStore, client: httpx.Client, authorization: str
) -> None:
    header = authorization.format(admin=store.admin_token)
    _refused(client.get("/admin/summary", headers={"Authorization": header}))
