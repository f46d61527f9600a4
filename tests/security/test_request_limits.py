"""Odd requests get a clear 4xx in JSON: oversized bodies, strange paths, wrong methods.

tests/store/test_bad_input.py covers the 413 on log-in and a few bad ids; here every route that
reads a body, ids built to escape or overflow, and each method a route does not serve.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from stampede.store.launcher import StoreProcess
from tests.security.conftest import GENEROUS_LIMITS
from tests.security.shoppers import admin_headers, bearer, log_in
from tests.store.conftest import start_server
from tests.store.inprocess import InProcessStore

LIMIT = 64 * 1024
BODY_ROUTES = [
    "/api/v1/users",
    "/api/v1/sessions",
    "/api/v1/cart/items",
    "/api/v1/checkout",
    "/admin/seed",
]


@pytest.fixture(scope="module")
def token(store: InProcessStore) -> str:
    with store.client() as client:
        return log_in(client, 60)


def _headers(store: InProcessStore, token: str, path: str) -> dict[str, str]:
    who = admin_headers(store) if path.startswith("/admin") else bearer(token)
    return {**who, "Idempotency-Key": "big-1", "Content-Type": "application/json"}


def _big_json(size: int) -> bytes:
    return b'{"email": "' + b"a" * size + b'"}'


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == code


@pytest.mark.parametrize("path", BODY_ROUTES)
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_over_the_limit_is_413(
    store: InProcessStore, client: httpx.Client, token: str, path: str, framing: str
) -> None:
    body = _big_json(LIMIT + 1)

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    content = body if framing == "content-length" else chunks()
    response = client.post(path, content=content, headers=_headers(store, token, path))
    _assert_error(response, 413, "payload_too_large")
    assert str(LIMIT) in response.json()["message"]


def test_a_body_just_under_the_limit_is_read(client: httpx.Client) -> None:
    response = client.post("/api/v1/sessions", content=_big_json(LIMIT - 100))
    _assert_error(response, 422, "invalid_request")  # read and decoded: `password` is missing


def test_the_store_still_answers_after_refusing_large_bodies(
    store: InProcessStore, client: httpx.Client, token: str
) -> None:
    for _ in range(5):
        client.post(
            "/api/v1/checkout",
            content=_big_json(4 * LIMIT),
            headers=_headers(store, token, "/api/v1/checkout"),
        )
    assert client.get("/api/v1/cart", headers=bearer(token)).status_code == 200


ODD_PATHS = [
    "/api/v1/products/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/v1/products/%2e%2e%2f%2e%2e%2fadmin%2faudit",
    "/api/v1/products/1%2F..%2F2",
    "/api/v1/products/1%00",
    "/api/v1/products/%00",
    "/api/v1/products/%EF%BC%91",  # a fullwidth digit one
    "/api/v1/products/%C2%B2",  # superscript two: isdigit() but not int()
    "/api/v1/products/0x10",
    "/api/v1/products/1e3",
    "/api/v1/products/" + "9" * 19,
    "/api/v1/products/" + "1" * 4000,
    "/api/v1/stock/..%2F..%2Fadmin",
    "/api/v1/stock/" + "A" * 65,
    "/api/v1/stock/" + "A" * 4000,
    "/api/v1/stock/%00",
    "/api/v1/stock/SKU%27%20OR%20%271%27%3D%271",
    "/api/v1/orders/..%2F..%2Fadmin%2Faudit",
    "/api/v1/orders/" + "9" * 30,
    "DELETE /api/v1/cart/items/" + "9" * 30,
    "DELETE /api/v1/cart/items/..%2F..%2Fcheckout",
    "/api/v1/../../admin/audit",
    "/api/v1/products/1/../../../admin/audit",
    "/%2e%2e/%2e%2e/etc/passwd",
    "//api/v1/products/1",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreProcess]:
    """A real server: granian parses the raw request line before the app sees a path."""
    with start_server(tmp_path_factory.mktemp("raw"), *GENEROUS_LIMITS) as process:
        yield process


@pytest.fixture(scope="module")
def server_token(server: StoreProcess) -> str:
    with httpx.Client(base_url=server.url) as client:
        return log_in(client, 60)


def _raw(store: StoreProcess, request: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
    """Send ``[METHOD] target`` exactly as written (httpx would resolve `..` before sending)."""
    method, _, target = request.rpartition(" ")
    lines = [
        f"{method or 'GET'} {target} HTTP/1.1",
        f"Host: 127.0.0.1:{store.port}",
        "Connection: close",
    ]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection(("127.0.0.1", store.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    content_type = next(
        (
            line.split(b":", 1)[1].strip().decode()
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-type:")
        ),
        "",
    )
    return status, body, content_type


@pytest.mark.slow
@pytest.mark.parametrize("request_line", ODD_PATHS, ids=lambda t: t[:50])
def test_paths_built_to_escape_or_overflow_are_404(
    server: StoreProcess, server_token: str, request_line: str
) -> None:
    status, body, content_type = _raw(server, request_line, bearer(server_token))
    assert status == 404, (status, body[:200])
    assert content_type.startswith("application/json")
    assert b'"not_found"' in body


NOT_SERVED = [
    ("PUT", "/api/v1/cart"),
    ("PATCH", "/api/v1/orders/1"),
    ("DELETE", "/api/v1/checkout"),
    ("GET", "/api/v1/checkout"),
    ("POST", "/api/v1/products"),
    ("PUT", "/api/v1/products/1"),
    ("DELETE", "/api/v1/users/me"),
    ("GET", "/api/v1/sessions"),
    ("DELETE", "/admin/audit"),
    ("GET", "/admin/seed"),
    ("POST", "/healthz"),
    ("OPTIONS", "/api/v1/cart"),
    ("TRACE", "/api/v1/products"),
]


@pytest.mark.parametrize(("method", "path"), NOT_SERVED, ids=" ".join)
def test_methods_a_route_does_not_serve_are_405_in_json(
    client: httpx.Client, token: str, method: str, path: str
) -> None:
    response = client.request(method, path, headers=bearer(token))
    _assert_error(response, 405, "method_not_allowed")
    assert method in response.json()["message"]
    assert response.headers["Allow"]
    assert method not in response.headers["Allow"].split(", ")
