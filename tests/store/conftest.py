"""Fixtures that run the store as a real server process on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stampede.store.launcher import StoreProcess

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
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreProcess]:
    """One atomic-strategy store for a test module; tests reset it as they need."""
    data = tmp_path_factory.mktemp("store") / "data"
    with StoreProcess(data, args=FAST) as process:
        yield process


@pytest.fixture
def admin(store: StoreProcess) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=store.url, timeout=30, headers={"Authorization": f"Bearer {store.admin_token}"}
    ) as client:
        yield client


def start_store(tmp: Path, *extra: str) -> StoreProcess:
    return StoreProcess(tmp / "data", args=[*FAST, *extra])
