"""SQL metacharacters in searches, ids, bodies and headers are only text, on both backends.

Afterwards the data is intact: as many products and users as before (plus the one account
registered here), as many orders as before plus the one placed here, and the text stored as sent.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import asyncpg
import httpx
import pytest

from tests.security.conftest import GENEROUS_LIMITS
from tests.security.shoppers import bearer, log_in
from tests.services import POSTGRES_URL, require_service
from tests.store.backends import fresh_database
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore

TABLES = {"products": "catalog", "users": "users", "orders": "orders"}

SEARCHES = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "'; DROP TABLE products; --",
    "%' UNION SELECT email, password_hash FROM users --",
    "1; DELETE FROM orders",
    "\\'; TRUNCATE users; --",
    "$$; DROP SCHEMA users CASCADE; $$",
    "') OR pg_sleep(5) IS NULL --",
    "%",
    "_",
    "\\",
    "%%%%",
]
IDS = [
    "/api/v1/products/1 OR 1=1",
    "/api/v1/products/1;DROP TABLE products",
    "/api/v1/stock/x';DROP TABLE stock;--",
    "/api/v1/stock/SKU-001-0001' OR '1'='1",
    "/api/v1/orders/1 OR 1=1",
]


@dataclass(frozen=True)
class Shop:
    store: InProcessStore
    database_url: str | None

    def counts(self) -> dict[str, int]:
        if self.database_url is None:
            return {table: self._sqlite_count(table) for table in TABLES}
        return asyncio.run(self._postgres_counts())

    def _sqlite_count(self, table: str) -> int:
        with sqlite3.connect(self.store.data_dir / f"{TABLES[table]}.sqlite3") as db:
            (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        return int(count)

    async def _postgres_counts(self) -> dict[str, int]:
        assert self.database_url is not None
        conn = await asyncpg.connect(self.database_url)
        try:
            return {
                table: int(await conn.fetchval(f'SELECT COUNT(*) FROM "{schema}"."{table}"'))
                for table, schema in TABLES.items()
            }
        finally:
            await conn.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.services)]
)
def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shop]:
    tmp: Path = tmp_path_factory.mktemp(f"injection-{request.param}")
    if request.param == "sqlite":
        with start_store(tmp, *GENEROUS_LIMITS) as store:
            yield Shop(store, None)
        return
    pg = urlsplit(POSTGRES_URL)
    require_service("PostgreSQL", pg.hostname or "127.0.0.1", pg.port or 5432)
    with fresh_database() as url:
        args = ["--backend", "postgres", "--database-url", url]
        with start_store(tmp, *GENEROUS_LIMITS, *args) as store:
            yield Shop(store, url)


@pytest.fixture
def shop_client(shop: Shop) -> Iterator[httpx.Client]:
    with shop.store.client(timeout=30) as client:
        yield client


def test_metacharacters_are_only_text_and_the_data_is_intact(
    shop: Shop, shop_client: httpx.Client
) -> None:
    client = shop_client
    before = shop.counts()
    token = log_in(client, 80)
    for q in SEARCHES:
        response = client.get("/api/v1/search", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        assert response.json()["total"] == 0, q
    for path in IDS:
        response = client.get(quote(path, safe="/"), headers=bearer(token))
        assert response.status_code == 404, (path, response.text)
    for category in ["1 OR 1=1", "x' OR 'a'='a", "1; DROP TABLE categories"]:
        assert client.get("/api/v1/products", params={"category": category}).status_code == 404
    refused = client.post(
        "/api/v1/sessions", json={"email": "' OR '1'='1' --", "password": "' OR '1'='1"}
    )
    assert refused.status_code == 401, refused.text
    assert (
        client.post(
            "/api/v1/cart/items", json={"product_id": "1 OR 1=1"}, headers=bearer(token)
        ).status_code
        == 422
    )

    email, name = "o'hara;--@example.com", "Robert'); DROP TABLE users;--"
    registered = client.post(
        "/api/v1/users", json={"email": email, "password": "'; DROP TABLE users; --", "name": name}
    )
    assert registered.status_code == 201, registered.text
    session = client.post(
        "/api/v1/sessions", json={"email": email, "password": "'; DROP TABLE users; --"}
    )
    assert session.status_code == 201, session.text
    me = client.get("/api/v1/users/me", headers=bearer(session.json()["token"])).json()
    assert (me["email"], me["name"]) == (email, name)
    placed = client.post(
        "/api/v1/checkout",
        json={"items": [{"product_id": 4}]},
        headers={**bearer(token), "Idempotency-Key": "k'); DELETE FROM orders; --"},
    )
    assert placed.status_code == 201, placed.text

    after = shop.counts()
    assert after == {
        "products": before["products"],
        "users": before["users"] + 1,
        "orders": before["orders"] + 1,
    }
    assert client.get("/api/v1/products").json()["total"] == before["products"]


def test_a_nul_character_is_refused_not_a_server_error(
    shop: Shop, shop_client: httpx.Client
) -> None:
    client = shop_client
    before = shop.counts()
    search = client.get("/api/v1/search", params={"q": "kettle\x00"})
    assert search.status_code == 422, search.text
    for body in (
        {"email": "nul\x00@example.com", "password": "long enough", "name": "Nul"},
        {"email": "nul@example.com", "password": "long enough", "name": "N\x00ul"},
    ):
        registered = client.post("/api/v1/users", json=body)
        assert registered.status_code == 422, registered.text
    login = client.post(
        "/api/v1/sessions", json={"email": "shopper1@stampede.test\x00", "password": "x"}
    )
    assert login.status_code == 401, login.text
    assert client.get("/api/v1/stock/SKU%00").status_code == 404
    assert client.get("/api/v1/products", params={"category": "\x00"}).status_code == 404
    assert shop.counts() == before
