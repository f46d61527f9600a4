"""A store for the security tests: real, on loopback, with limits the tests do not trip."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore

#: fuzzing and probing send hundreds of requests from one address and a few shoppers
GENEROUS_LIMITS = [
    "--user-rate",
    "100000",
    "--anonymous-rate",
    "100000",
    "--global-rate",
    "1000000",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessStore]:
    with start_store(tmp_path_factory.mktemp("security"), *GENEROUS_LIMITS) as process:
        yield process


@pytest.fixture
def client(store: InProcessStore) -> Iterator[httpx.Client]:
    with store.client(timeout=30) as client:
        yield client
