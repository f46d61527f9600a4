"""Signing shoppers in, and counting what the store holds, for the security tests."""

from __future__ import annotations

import httpx

from stampede.store.launcher import StoreProcess
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import PASSWORD


def log_in(client: httpx.Client, i: int) -> str:
    """A bearer token for seeded shopper ``i``."""
    response = client.post(
        "/api/v1/sessions", json={"email": f"shopper{i}@stampede.test", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_headers(store: InProcessStore | StoreProcess) -> dict[str, str]:
    return bearer(store.admin_token)
