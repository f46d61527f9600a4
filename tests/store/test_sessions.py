"""Sessions: with Redis, a log-out ends the token in every worker; without, it says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stampede.store.launcher import StoreProcess
from tests.store.backends import fresh_database, redis_prefix, require_backends
from tests.store.conftest import start_server, start_store
from tests.store.shoppers import PASSWORD

ME = "/api/v1/users/me"


@pytest.fixture
def redis_store(tmp_path: Path) -> Iterator[StoreProcess]:
    require_backends()
    with fresh_database() as url, redis_prefix() as prefix:
        args = [
            "--backend",
            "postgres",
            "--database-url",
            url,
            "--redis-prefix",
            prefix,
            "--redis-url",
            "redis://127.0.0.1:6379/0",
            "--workers",
            "2",
            "--users",
            "20",
        ]
        with start_server(tmp_path, *args) as store:
            yield store


def _log_in(client: httpx.Client, i: int) -> dict[str, str]:
    response = client.post(
        "/api/v1/sessions", json={"email": f"shopper{i}@stampede.test", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _workers_answering(client: httpx.Client, headers: dict[str, str]) -> dict[int, set[int]]:
    """Status codes of /users/me by worker pid, over new connections until both answered."""
    seen: dict[int, set[int]] = {}
    for _ in range(200):
        with httpx.Client(base_url=str(client.base_url), timeout=10) as fresh:
            pid = fresh.get("/healthz").json()["pid"]
            seen.setdefault(pid, set()).add(fresh.get(ME, headers=headers).status_code)
        if len(seen) == 2 and all(seen.values()):
            break
    return seen


@pytest.mark.slow
@pytest.mark.services
def test_a_log_out_ends_the_session_in_every_worker(redis_store: StoreProcess) -> None:
    with httpx.Client(base_url=redis_store.url, timeout=10) as client:
        mine, other = _log_in(client, 1), _log_in(client, 2)
        assert client.get(ME, headers=mine).status_code == 200
        assert client.delete("/api/v1/sessions", headers=mine).status_code == 204
        after = _workers_answering(client, mine)
        assert client.get(ME, headers=other).status_code == 200  # only that session ended
        again = client.delete("/api/v1/sessions", headers=mine)
    assert len(after) == 2, f"only saw workers {sorted(after)}"
    assert all(codes == {401} for codes in after.values()), after
    assert again.status_code == 401


def test_the_embedded_store_keeps_no_sessions_and_says_so(tmp_path: Path) -> None:
    with start_store(tmp_path, "--users", "5") as store, store.client() as c:
        response = c.delete("/api/v1/sessions", headers=_log_in(c, 1))
        anonymous = c.delete("/api/v1/sessions")
    assert response.status_code == 409
    assert response.json()["error"] == "sessions_not_kept"
    assert anonymous.status_code == 401


def test_the_legacy_store_deletes_its_session_row(tmp_path: Path) -> None:
    with (
        start_store(tmp_path, "--users", "5", "--architecture", "legacy") as store,
        store.client() as client,
    ):
        mine = _log_in(client, 1)
        assert client.get(ME, headers=mine).status_code == 200
        assert client.delete("/api/v1/sessions", headers=mine).status_code == 204
        assert client.get(ME, headers=mine).status_code == 401


def test_two_log_ins_of_one_shopper_at_once_are_two_sessions(tmp_path: Path) -> None:
    """The legacy store keeps sessions in its database: two tokens issued in the same
    second for the same shopper once collided on the table's key (a 500)."""
    with start_store(tmp_path, "--architecture", "legacy") as store, store.client() as client:
        first, second = _log_in(client, 3), _log_in(client, 3)
        assert first != second
        assert client.delete("/api/v1/sessions", headers=first).status_code in (200, 204)
        assert client.get(ME, headers=first).status_code == 401
        assert client.get(ME, headers=second).status_code == 200
