"""``/admin/seed`` and ``/admin/reset`` on both backends: strict fields, all or nothing.

A seed the store could not serve is a 4xx naming the field (409 for a SKU twice), and
a seed that fails while writing leaves the store exactly as it was.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.services import POSTGRES_URL, require_service
from tests.store.backends import fresh_database
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import PASSWORD

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.services)]
SMALL = {"categories": 2, "products": 3, "users": 4}


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[InProcessStore, str | None]]:
    """A store of either backend and, on PostgreSQL, its database's URL."""
    tmp = tmp_path_factory.mktemp("seed")
    if request.param == "sqlite":
        with start_store(tmp) as store:
            yield store, None
        return
    require_service("PostgreSQL", "127.0.0.1", int(POSTGRES_URL.rsplit(":", 1)[1].split("/")[0]))
    with (
        fresh_database() as url,
        start_store(tmp, "--backend", "postgres", "--database-url", url) as store,
    ):
        yield store, url


@pytest.fixture
def admin(seeded: tuple[InProcessStore, str | None]) -> Iterator[httpx.Client]:
    store = seeded[0]
    headers = {"Authorization": f"Bearer {store.admin_token}"}
    with store.client(timeout=60, headers=headers) as client:
        yield client


def _flash(**fields: Any) -> dict[str, Any]:
    return {"sku": "FLASH-X", "stock": 5, **fields}


BAD_FLASH = [
    (_flash(stock=2**63), 422, "flash[0].stock"),
    (_flash(stock=10**9 + 1), 422, "flash[0].stock"),
    (_flash(stock=-1), 422, "flash[0].stock"),
    (_flash(price_cents=2**63 - 1), 422, "flash[0].price_cents"),
    (_flash(price_cents=2**64), 422, "flash[0].price_cents"),
    (_flash(limit_per_user=2**63), 422, "flash[0].limit_per_user"),
    (_flash(limit_per_user=0), 422, "flash[0].limit_per_user"),
    (_flash(sku="FLA\x00SH"), 422, "flash[0].sku"),
    (_flash(sku=""), 422, "flash[0].sku"),
    (_flash(sku="a" * 10_000), 422, "flash[0].sku"),
    (_flash(sku="a b/../c"), 422, "flash[0].sku"),
    (_flash(sku="FLASH\n"), 422, "flash[0].sku"),
    (_flash(name="Deal\x00"), 422, "flash[0].name"),
    (_flash(name=""), 422, "flash[0].name"),
    (_flash(name="   "), 422, "flash[0].name"),
    (_flash(name="x" * 201), 422, "flash[0].name"),
    (_flash(sku="SKU-001-0002"), 409, "generated product"),
]


def _state(admin: httpx.Client, client: httpx.Client) -> tuple[object, ...]:
    products = client.get("/api/v1/products", params={"per_page": 100}).json()
    summary = admin.get("/admin/summary").json()
    return products["total"], summary["flash"], summary["orders_by_status"]


def _log_in(client: httpx.Client, n: int) -> int:
    body = {"email": f"shopper{n}@stampede.test", "password": PASSWORD}
    return client.post("/api/v1/sessions", json=body).status_code


@pytest.mark.parametrize(("flash", "status", "words"), BAD_FLASH)
def test_a_bad_flash_entry_is_refused_and_changes_nothing(
    seeded: tuple[InProcessStore, str | None],
    admin: httpx.Client,
    flash: dict[str, Any],
    status: int,
    words: str,
) -> None:
    with seeded[0].client() as client:
        before = _state(admin, client)
        response = admin.post("/admin/seed", json={**SMALL, "flash": [flash]})
        assert response.status_code == status, response.text
        assert words in response.json()["message"]
        assert _state(admin, client) == before


def test_a_duplicate_flash_sku_is_a_409(admin: httpx.Client) -> None:
    response = admin.post("/admin/seed", json={**SMALL, "flash": [_flash(), _flash()]})
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "conflict"
    assert "'FLASH-X' is given twice" in response.json()["message"]


def test_the_largest_allowed_values_seed_and_check_out(
    seeded: tuple[InProcessStore, str | None], admin: httpx.Client
) -> None:
    top = 10**9
    flash = _flash(sku="a.B_c-9", stock=top, price_cents=top, limit_per_user=top, name="Top")
    response = admin.post("/admin/seed", json={**SMALL, "flash": [flash]})
    assert response.status_code == 201, response.text
    with seeded[0].client() as client:
        stock = client.get("/api/v1/stock/a.B_c-9")
        assert stock.status_code == 200 and stock.json()["available"] == top
        token = client.post(
            "/api/v1/sessions", json={"email": "shopper1@stampede.test", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        found = client.get("/api/v1/search", params={"q": "a.B_c-9"}).json()["items"]
        body = {"items": [{"product_id": found[0]["id"], "quantity": 2}]}
        paid = client.post(
            "/api/v1/checkout", json=body, headers={**auth, "Idempotency-Key": "top-1"}
        )
    assert paid.status_code == 201, paid.text
    assert paid.json()["total_cents"] == 2 * top


def _refuse_users_above(seeded: tuple[InProcessStore, str | None], top: int) -> None:
    """Make the users table refuse ids above ``top``, as a failing disk or server would."""
    store, url = seeded
    if url is None:
        with sqlite3.connect(store.data_dir / "users.sqlite3") as conn:
            conn.execute(
                f"CREATE TRIGGER refuse BEFORE INSERT ON users WHEN NEW.id > {top} "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        return

    async def constrain() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                f"ALTER TABLE users.users ADD CONSTRAINT refuse CHECK (id <= {top}) NOT VALID"
            )
        finally:
            await conn.close()

    asyncio.run(constrain())


def _allow_users(seeded: tuple[InProcessStore, str | None]) -> None:
    store, url = seeded
    if url is None:
        with sqlite3.connect(store.data_dir / "users.sqlite3") as conn:
            conn.execute("DROP TRIGGER refuse")
        return

    async def drop() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("ALTER TABLE users.users DROP CONSTRAINT refuse")
        finally:
            await conn.close()

    asyncio.run(drop())


def test_a_seed_that_fails_while_writing_leaves_the_store_as_it_was(
    seeded: tuple[InProcessStore, str | None], admin: httpx.Client
) -> None:
    assert admin.post("/admin/seed", json=SMALL).status_code == 201
    with seeded[0].client() as client:
        before = _state(admin, client)
        _refuse_users_above(seeded, 4)
        try:
            bigger = {"categories": 3, "products": 5, "users": 9, "flash": [_flash(stock=7)]}
            failed = admin.post("/admin/seed", json=bigger)
            after = _state(admin, client)
            logins = [_log_in(client, 1), _log_in(client, 4)]
        finally:
            _allow_users(seeded)
    assert failed.status_code == 503, failed.text
    assert "rolled back" in failed.json()["message"]
    assert after == before
    assert logins == [201, 201]  # the accounts of the seed before are still there
