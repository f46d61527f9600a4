"""The store on PostgreSQL when the database interrupts it: deadlocks and dropped connections.

A transaction the server rolled back (deadlock 40P01, serialization 40001) or whose
connection was lost before the commit is run again (``store.db.transact``); what still
cannot be served is a 503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from stampede.store.db import Executor, TransientConflict, transact
from stampede.store.postgres import PostgresDatabase, ensure_database
from tests.store.backends import fresh_database, require_backends
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import audit, bounded, tokens

pytestmark = pytest.mark.services

SEED = {
    "categories": 1,
    "products": 2,
    "users": 80,
    "flash": [
        {"sku": "PAIR-A", "stock": 30, "limit_per_user": None},
        {"sku": "PAIR-B", "stock": 30, "limit_per_user": None},
    ],
}


@pytest.fixture
def database_url() -> Iterator[str]:
    require_backends()
    with fresh_database() as url:
        asyncio.run(ensure_database(url))
        yield url


async def _opposite_locks(url: str) -> tuple[list[str], int]:
    """Two transactions lock rows 1 and 2 in opposite orders, each waiting for the other's
    first lock: PostgreSQL must break the cycle (40P01), and transact runs the victim again."""
    db = PostgresDatabase(url, "deadlock")
    await db.execute_script(["CREATE TABLE IF NOT EXISTS cell (id INTEGER PRIMARY KEY, n INT)"])
    await db.execute("INSERT INTO cell (id, n) VALUES (1, 0), (2, 0)")
    both_locked = asyncio.Barrier(2)
    attempts = 0
    done: list[str] = []

    def work(first: int, second: int) -> object:
        async def locked(tx: Executor) -> None:
            nonlocal attempts
            attempts += 1
            await tx.execute("UPDATE cell SET n = n + 1 WHERE id = :i", {"i": first})
            if attempts <= 2:  # the first attempts meet; the retry runs alone
                await both_locked.wait()
            await tx.execute("UPDATE cell SET n = n + 1 WHERE id = :i", {"i": second})
            done.append(f"{first}{second}")

        return locked

    try:
        await asyncio.gather(
            transact(db, work(1, 2)),  # type: ignore[arg-type]
            transact(db, work(2, 1)),  # type: ignore[arg-type]
        )
        rows = await db.fetch_all("SELECT n FROM cell ORDER BY id")
    finally:
        await db.close()
    assert [r["n"] for r in rows] == [2, 2]
    return done, attempts


def test_a_deadlock_is_run_again_and_both_transactions_commit(database_url: str) -> None:
    done, attempts = asyncio.run(_opposite_locks(database_url))
    assert sorted(done) == ["12", "21"]
    assert attempts == 3  # one victim, run once more


async def _always_conflicting(tx: Executor) -> None:
    raise TransientConflict("the server rolled it back")


def test_a_conflict_that_never_clears_surfaces_after_the_attempts(database_url: str) -> None:
    async def run() -> None:
        db = PostgresDatabase(database_url, "conflict")
        try:
            await transact(db, _always_conflicting, attempts=3, backoff_s=0.001)
        finally:
            await db.close()

    with pytest.raises(TransientConflict):
        asyncio.run(run())


def _pair_store(tmp_path: Path, url: str) -> InProcessStore:
    return start_store(tmp_path, "--backend", "postgres", "--database-url", url)


async def _product_ids(client: httpx.AsyncClient) -> tuple[int, int]:
    found = {}
    for sku in ("PAIR-A", "PAIR-B"):
        items = (await client.get("/api/v1/search", params={"q": sku})).json()["items"]
        found[sku] = next(int(p["id"]) for p in items if p["sku"] == sku)
    return found["PAIR-A"], found["PAIR-B"]


async def _pair(client: httpx.AsyncClient, token: str, first: int, second: int) -> httpx.Response:
    return await client.post(
        "/api/v1/checkout",
        json={"items": [{"product_id": first}, {"product_id": second}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )


async def _opposite_carts(store: InProcessStore, customers: int) -> list[httpx.Response]:
    async with store.async_client(timeout=120) as client:
        shoppers = await tokens(client, customers)
        a, b = await _product_ids(client)
        calls = (_pair(client, t, *((a, b) if i % 2 else (b, a))) for i, t in enumerate(shoppers))
        return await bounded(calls, concurrency=40)


@pytest.mark.slow
def test_concurrent_opposite_order_carts_never_deadlock_into_a_500(
    tmp_path: Path, database_url: str
) -> None:
    with _pair_store(tmp_path, database_url) as store:
        headers = {"Authorization": f"Bearer {store.admin_token}"}
        with store.client(timeout=60, headers=headers) as admin:
            admin.post("/admin/seed", json=SEED).raise_for_status()
            responses = asyncio.run(_opposite_carts(store, 60))
            report = audit(admin)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 30, 409: 30}, statuses
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]


async def _terminate_backends(url: str) -> int:
    """pg_terminate_backend on every connection to the store's database but this one."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return sum(bool(r[0]) for r in rows)


async def _checkouts_through_terminations(
    store: InProcessStore, url: str, customers: int
) -> tuple[list[httpx.Response], int]:
    async with store.async_client(timeout=120) as client:
        shoppers = await tokens(client, customers)
        a, b = await _product_ids(client)
        answered = 0
        terminated = 0
        # one terminator at a time: two would terminate each other's connection
        terminating = asyncio.Lock()

        async def one(token: str) -> httpx.Response:
            nonlocal answered, terminated
            response = await _pair(client, token, a, b)
            answered += 1
            if answered % 10 == 0:  # drop every connection the store holds, mid-traffic
                async with terminating:
                    terminated += await _terminate_backends(url)
            return response

        return await bounded((one(t) for t in shoppers), concurrency=20), terminated


@pytest.mark.slow
def test_terminated_database_connections_mid_checkout_are_never_a_500(
    tmp_path: Path, database_url: str
) -> None:
    with _pair_store(tmp_path, database_url) as store:
        headers = {"Authorization": f"Bearer {store.admin_token}"}
        with store.client(timeout=60, headers=headers) as admin:
            admin.post("/admin/seed", json=SEED).raise_for_status()
            responses, terminated = asyncio.run(
                _checkouts_through_terminations(store, database_url, 80)
            )
            report = audit(admin)
    statuses = Counter(r.status_code for r in responses)
    assert terminated > 0
    assert not any(code >= 500 and code != 503 for code in statuses), statuses
    for response in responses:
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "1", response.text
    # the units sold are exactly the paid orders, and nobody paid twice
    assert statuses[201] <= 30 and statuses[201] + statuses[409] + statuses[503] == 80, statuses
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]


def test_a_pool_with_a_connection_never_released_still_closes(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """asyncpg's Pool.close waits for every connection without a limit: a store whose
    connection was left mid-operation by a lost server would never finish shutting down."""
    monkeypatch.setattr("stampede.store.postgres.CLOSE_TIMEOUT_S", 0.2)

    async def run() -> None:
        db = PostgresDatabase(database_url, "leak")
        await db.fetch_all("SELECT 1")
        pool = await db._get_pool()
        await pool.acquire()  # never released, as a stuck request's would be
        await asyncio.wait_for(db.close(), 5.0)  # without the bound: TimeoutError

    asyncio.run(run())
    assert "leak: not closed within 0.2 s (1 connection(s) in use" in caplog.text


async def _terminated(url: str, pid: int) -> None:
    """Terminate backend ``pid`` and return once the server no longer lists it."""
    admin = await asyncpg.connect(url)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
        while await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
            await asyncio.sleep(0.01)
    finally:
        await admin.close()


async def _cancelled_as_its_connection_is_lost(url: str) -> tuple[BaseException | None, int]:
    """A transaction's task is cancelled while its backend is gone but before the client has
    read the closed socket: asyncpg's rollback then meets the closed connection and raises
    that in place of the cancellation.

    The order is made certain by blocking this loop while another thread terminates the
    backend: the cancellation is then queued before the socket's end is read.
    """
    db = PostgresDatabase(url, "cancelled")
    attempts = 0
    backend: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def sleeping(tx: Executor) -> None:
        nonlocal attempts
        attempts += 1
        row = await tx.fetch_one("SELECT pg_backend_pid() AS pid")
        assert row is not None
        if not backend.done():
            backend.set_result(int(row["pid"]))
        await tx.fetch_all("SELECT pg_sleep(10)")

    task = asyncio.create_task(transact(db, sleeping))
    try:
        pid = await backend
        terminator = threading.Thread(target=asyncio.run, args=(_terminated(url, pid),))
        terminator.start()
        terminator.join()  # this loop stands still meanwhile, on purpose
        task.cancel()
        outcome = (await asyncio.gather(task, return_exceptions=True))[0]
    finally:
        await db.close()
    return outcome if isinstance(outcome, BaseException) else None, attempts


def test_a_task_cancelled_as_its_connection_is_lost_stays_cancelled(database_url: str) -> None:
    """Otherwise the loss is retried or logged and the task runs on: the store's background
    jobs then never end and its shutdown waits for them forever (a CI run timed out so)."""
    outcome, attempts = asyncio.run(_cancelled_as_its_connection_is_lost(database_url))
    assert isinstance(outcome, asyncio.CancelledError), repr(outcome)
    assert attempts == 1  # not run again after the cancellation
