"""Bad input is a 4xx that names the problem: never a 500, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.store.inprocess import InProcessStore
from tests.store.shoppers import PASSWORD


@pytest.fixture(scope="module")
def token(store: InProcessStore) -> str:
    with store.client() as client:
        response = client.post(
            "/api/v1/sessions", json={"email": "shopper30@stampede.test", "password": PASSWORD}
        )
        return str(response.json()["token"])


# (method, path, body as raw bytes or JSON, extra headers, status, error code, words in message)
CASES: list[tuple[str, str, Any, dict[str, str], int, str, str]] = [
    ("POST", "/api/v1/users", b"{not json", {}, 400, "invalid_json", "not valid JSON"),
    ("POST", "/api/v1/users", b"", {}, 400, "invalid_json", "empty"),
    ("POST", "/api/v1/users", [1, 2], {}, 422, "invalid_request", "expected `object`"),
    (
        "POST",
        "/api/v1/users",
        {"email": "x@y.zz", "password": "longenough"},
        {},
        422,
        "invalid_request",
        "`name`",
    ),
    (
        "POST",
        "/api/v1/users",
        {"email": "x@y.zz", "password": "longenough", "name": "n", "admin": True},
        {},
        422,
        "invalid_request",
        "admin",
    ),
    (
        "POST",
        "/api/v1/users",
        {"email": "nope", "password": "longenough", "name": "n"},
        {},
        422,
        "invalid_request",
        "e-mail",
    ),
    (
        "POST",
        "/api/v1/users",
        {"email": "a@b.cd", "password": "short", "name": "n"},
        {},
        422,
        "invalid_request",
        "`password`",
    ),
    (
        "POST",
        "/api/v1/sessions",
        {"email": 5, "password": "x"},
        {},
        422,
        "invalid_request",
        "$.email",
    ),
    (
        "POST",
        "/api/v1/cart/items",
        {"product_id": "7"},
        {"auth": "1"},
        422,
        "invalid_request",
        "$.product_id",
    ),
    (
        "POST",
        "/api/v1/cart/items",
        {"product_id": 7, "quantity": -1},
        {"auth": "1"},
        422,
        "invalid_request",
        "`quantity` is -1",
    ),
    (
        "POST",
        "/api/v1/cart/items",
        {"product_id": 7, "quantity": 10**30},
        {"auth": "1"},
        422,
        "invalid_request",
        "quantity",
    ),
    (
        "POST",
        "/api/v1/cart/items",
        {"product_id": 7, "quantity": 1000},
        {"auth": "1"},
        422,
        "invalid_request",
        "`quantity` is 1000",
    ),
    (
        "POST",
        "/api/v1/cart/items",
        {"product_id": 999999, "quantity": 1},
        {"auth": "1"},
        404,
        "not_found",
        "999999",
    ),
    ("POST", "/api/v1/cart/items", {"product_id": 7}, {}, 401, "unauthorized", "bearer token"),
    (
        "POST",
        "/api/v1/checkout",
        {},
        {"auth": "1"},
        400,
        "idempotency_key_required",
        "Idempotency-Key",
    ),
    (
        "POST",
        "/api/v1/checkout",
        {"items": []},
        {"auth": "1", "Idempotency-Key": "bad-1"},
        422,
        "cart_empty",
        "empty",
    ),
    (
        "POST",
        "/api/v1/checkout",
        {"items": [{"product_id": 0}]},
        {"auth": "1", "Idempotency-Key": "bad-2"},
        404,
        "not_found",
        "product",
    ),
    (
        "POST",
        "/api/v1/checkout",
        {"items": [{"product_id": 3, "quantity": 0}]},
        {"auth": "1", "Idempotency-Key": "bad-3"},
        422,
        "invalid_request",
        "`quantity` is 0",
    ),
    (
        "POST",
        "/api/v1/checkout",
        b'{"items": [}',
        {"auth": "1", "Idempotency-Key": "bad-4"},
        400,
        "invalid_json",
        "JSON",
    ),
    (
        "POST",
        "/api/v1/checkout",
        {"items": [{"product_id": 3}]},
        {"auth": "1", "Idempotency-Key": "x" * 300},
        400,
        "invalid_idempotency_key",
        "255",
    ),
    ("GET", "/api/v1/products/abc", None, {}, 404, "not_found", "'abc'"),
    ("GET", "/api/v1/products/99999999999999999999999", None, {}, 404, "not_found", "product"),
    ("GET", "/api/v1/products/-1", None, {}, 404, "not_found", "product"),
    ("GET", "/api/v1/products/1' OR '1'='1", None, {}, 404, "not_found", "product"),
    ("GET", "/api/v1/products?page=0", None, {}, 422, "invalid_request", "`page`"),
    ("GET", "/api/v1/products?per_page=5000", None, {}, 422, "invalid_request", "`per_page`"),
    ("GET", "/api/v1/products?page=x", None, {}, 422, "invalid_request", "'x'"),
    ("GET", "/api/v1/products?category=nope", None, {}, 404, "not_found", "nope"),
    ("GET", "/api/v1/search", None, {}, 422, "invalid_request", "`q`"),
    ("GET", "/api/v1/search?q=" + "a" * 300, None, {}, 422, "invalid_request", "200"),
    ("GET", "/api/v1/stock/NOPE-1", None, {}, 404, "not_found", "NOPE-1"),
    ("GET", "/api/v1/stock/'; DROP TABLE stock;--", None, {}, 404, "not_found", "SKU"),
    ("GET", "/api/v1/orders/0", None, {"auth": "1"}, 404, "not_found", "order"),
    ("GET", "/api/v1/nothing-here", None, {}, 404, "not_found", "no route"),
    ("DELETE", "/api/v1/products/1", None, {}, 405, "method_not_allowed", "DELETE"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code", "words"),
    CASES,
    ids=[f"{c[0]} {c[1][:40]} -> {c[4]} {c[5]}" for c in CASES],
)
def test_bad_input_is_a_clear_4xx(
    store: InProcessStore,
    token: str,
    method: str,
    path: str,
    body: Any,
    headers: dict[str, str],
    status: int,
    code: str,
    words: str,
) -> None:
    send = dict(headers)
    if send.pop("auth", None):
        send["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else None
    payload = None if isinstance(body, bytes) or body is None else body
    with store.client() as client:
        response = client.request(method, path, content=content, json=payload, headers=send)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == code
    assert words in response.json()["message"]


def test_sql_metacharacters_in_search_are_only_text(store: InProcessStore) -> None:
    with store.client() as client:
        for q in ["' OR 1=1 --", "%", "_", "\\", "kettle'; DELETE FROM products; --"]:
            response = client.get("/api/v1/search", params={"q": q})
            assert response.status_code == 200, (q, response.text)
            assert response.json()["total"] == 0, q
        assert client.get("/api/v1/products").json()["total"] == 1001


def test_bodies_over_the_limit_are_413(store: InProcessStore, token: str) -> None:
    big = b'{"email": "' + b"a" * 70_000 + b'"}'
    with store.client() as client:
        declared = client.post("/api/v1/sessions", content=big)

        def chunks() -> Any:
            yield big[:40_000]
            yield big[40_000:]

        streamed = client.post("/api/v1/sessions", content=chunks())
    for response in (declared, streamed):
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "payload_too_large"


def test_every_answer_carries_a_request_id(store: InProcessStore) -> None:
    with store.client() as client:
        mine = client.get("/healthz", headers={"X-Request-ID": "trace-me-1"})
        fresh = client.get("/api/v1/nothing")
    assert mine.headers["x-request-id"] == "trace-me-1"
    assert len(fresh.headers["x-request-id"]) == 32


def test_metrics_count_requests_by_route_in_prometheus_format(store: InProcessStore) -> None:
    with store.client() as client:
        client.get("/api/v1/products/2")
        client.get("/api/v1/products/3")
        text = client.get("/metrics").text
    lines = [
        line
        for line in text.splitlines()
        if line.startswith("stampede_store_requests_total{")
        and 'route="/api/v1/products/{product_id}"' in line
        and 'status="200"' in line
    ]
    assert lines and float(lines[0].rsplit(" ", 1)[1]) >= 2
    assert "stampede_store_request_duration_seconds_bucket" in text
    assert "stampede_store_requests_in_flight" in text
    assert 'stampede_store_errors_total{code="404"' in text
