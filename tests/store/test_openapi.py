"""The OpenAPI document describes every route the store serves."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Route

from stampede.store.app import create_app
from stampede.store.config import StoreConfig
from tests.store.inprocess import InProcessStore

CONTRACT = [
    ("post", "/api/v1/users"),
    ("post", "/api/v1/sessions"),
    ("get", "/api/v1/users/me"),
    ("get", "/api/v1/categories"),
    ("get", "/api/v1/products"),
    ("get", "/api/v1/products/{product_id}"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/stock/{sku}"),
    ("get", "/api/v1/cart"),
    ("post", "/api/v1/cart/items"),
    ("delete", "/api/v1/cart/items/{product_id}"),
    ("post", "/api/v1/checkout"),
    ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/{order_id}"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("post", "/admin/seed"),
    ("post", "/admin/reset"),
    ("get", "/admin/audit"),
]


def test_every_contract_route_is_documented(store: InProcessStore) -> None:
    doc = store.client().get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert set(CONTRACT) <= documented
    checkout = doc["paths"]["/api/v1/checkout"]["post"]
    assert {"201", "402", "409", "429"} <= set(checkout["responses"])
    assert checkout["parameters"][0]["name"] == "Idempotency-Key"
    assert checkout["security"] == [{"bearer": []}]
    schemas = doc["components"]["schemas"]
    assert {"Product", "OrderPlaced", "CheckoutFailed", "ErrorBody"} <= set(schemas)
    for path, ops in doc["paths"].items():
        for op in ops.values():
            for response in op["responses"].values():
                for media in response.get("content", {}).values():
                    ref = media["schema"].get("$ref") or media["schema"].get("items", {}).get(
                        "$ref"
                    )
                    if ref:
                        assert ref.rsplit("/", 1)[1] in schemas, (path, ref)


def test_every_served_route_is_documented(store: InProcessStore, tmp_path: Path) -> None:
    doc = store.client().get("/openapi.json").json()
    config = StoreConfig(data_dir=str(tmp_path), admin_token="a", token_secret="s")
    served = {
        (method.lower(), route.path)
        for route in create_app(config).routes
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert served == documented
