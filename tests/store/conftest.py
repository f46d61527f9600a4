"""Fixtures that run the store: in this process (most tests) or as a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stampede.store.launcher import StoreProcess
from tests.store.inprocess import InProcessStore

#: fast settings for tests: a cheap KDF, an instant and infallible payment provider
FAST = [
    "--kdf-n",
    "1024",
    "--payment-latency-ms",
    "1",
    "--payment-p99-ms",
    "5",
    "--decline-rate",
    "0",
    "--failure-rate",
    "0",
    "--users",
    "600",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessStore]:
    """One atomic-strategy store for a test module, in process; tests reset it as they need."""
    with start_store(tmp_path_factory.mktemp("store")) as app:
        yield app


@pytest.fixture
def admin(store: InProcessStore) -> Iterator[httpx.Client]:
    with store.client(timeout=30, headers={"Authorization": f"Bearer {store.admin_token}"}) as c:
        yield c


def start_store(tmp: Path, *extra: str) -> InProcessStore:
    """The store app in this process, with the test settings and ``extra`` flags."""
    return InProcessStore(tmp / "data", args=[*FAST, *extra])


def start_server(tmp: Path, *extra: str) -> StoreProcess:
    """A real ``stampede store`` process on a loopback port (mark its tests slow)."""
    return StoreProcess(tmp / "data", args=[*FAST, *extra])
