"""Per-client rate limits key on the connection's address, never on what the client says it is.

The store sits behind no proxy it trusts, so every forwarding header and the User-Agent are the
client's own words: rotating them must not buy a fresh token bucket. Each case connects from
an address of its own in 127.0.0.0/8, so the cases share one store and not one bucket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.security.shoppers import bearer, log_in
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore

#: the bucket holds twice the rate: 1 request, and 1 more every 2 s, so that even a slow
#: machine sending the 24 requests over 20 s sees most of them refused
RATE = 0.5
REQUESTS = 24

ROTATIONS: dict[str, Callable[[int], dict[str, str]]] = {
    "X-Forwarded-For": lambda i: {"X-Forwarded-For": f"198.51.100.{i}"},
    "X-Forwarded-For chain": lambda i: {"X-Forwarded-For": f"203.0.113.{i}, 127.0.0.1"},
    "X-Real-IP": lambda i: {"X-Real-IP": f"198.51.100.{i}"},
    "Forwarded": lambda i: {"Forwarded": f"for=198.51.100.{i};proto=https"},
    "X-Client-IP": lambda i: {"X-Client-IP": f"198.51.100.{i}"},
    "True-Client-IP": lambda i: {"True-Client-IP": f"198.51.100.{i}"},
    "CF-Connecting-IP": lambda i: {"CF-Connecting-IP": f"198.51.100.{i}"},
    "X-Originating-IP": lambda i: {"X-Originating-IP": f"198.51.100.{i}"},
    "User-Agent": lambda i: {"User-Agent": f"shopper-bot/{i} (rotating)"},
    "all of them": lambda i: {
        "X-Forwarded-For": f"198.51.100.{i}",
        "X-Real-IP": f"198.51.101.{i}",
        "Forwarded": f"for=198.51.102.{i}",
        "X-Client-IP": f"198.51.103.{i}",
        "True-Client-IP": f"198.51.104.{i}",
        "CF-Connecting-IP": f"198.51.105.{i}",
        "User-Agent": f"agent-{i}",
        "X-Request-ID": f"request-{i}",
    },
}
SOURCES = {name: f"127.0.{10 + n}.1" for n, name in enumerate(ROTATIONS)}


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessStore]:
    tmp = tmp_path_factory.mktemp("limited")
    with start_store(
        tmp, "--anonymous-rate", str(RATE), "--user-rate", str(RATE), "--global-rate", "100000"
    ) as store:
        yield store


def _client(store: InProcessStore, source: str) -> httpx.Client:
    return store.client(source=source, timeout=30)


def _codes(
    client: httpx.Client, rotation: Callable[[int], dict[str, str]], token: str = ""
) -> list[int]:
    auth = bearer(token) if token else {}
    path = "/api/v1/cart" if token else "/api/v1/categories"
    return [client.get(path, headers={**rotation(i), **auth}).status_code for i in range(REQUESTS)]


def _assert_limited(codes: list[int]) -> None:
    assert set(codes) <= {200, 429}, codes
    # a fresh bucket per request would answer 200 throughout
    assert codes.count(429) >= REQUESTS // 2, codes


@pytest.mark.parametrize("rotated", list(ROTATIONS))
def test_an_anonymous_client_cannot_rotate_its_way_past_the_limit(
    limited: InProcessStore, rotated: str
) -> None:
    with _client(limited, SOURCES[rotated]) as client:
        _assert_limited(_codes(client, ROTATIONS[rotated]))


def test_a_signed_in_shopper_cannot_rotate_its_way_past_the_limit(limited: InProcessStore) -> None:
    with _client(limited, "127.0.99.1") as client:
        token = log_in(client, 45)
        _assert_limited(_codes(client, ROTATIONS["all of them"], token))


def test_the_bucket_belongs_to_the_connecting_address(limited: InProcessStore) -> None:
    with _client(limited, "127.0.98.1") as spent, _client(limited, "127.0.98.2") as fresh:
        _assert_limited(_codes(spent, ROTATIONS["X-Forwarded-For"]))
        claimed = fresh.get("/api/v1/categories", headers={"X-Forwarded-For": "127.0.98.1"})
        assert claimed.status_code == 200
