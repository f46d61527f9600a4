"""Schemathesis against the store's own ``/openapi.json``: no 5xx, no answer that breaks it.

Every documented operation is fuzzed with schema-valid requests (which must not be refused
as invalid) and schema-violating ones (which must be refused with a 4xx), signed in as a
shopper or as the admin through the document's security schemes. Each answer is checked for
a documented status, a documented content type, a body that fits the documented schema and
auth that is enforced (the check replays the request without and with a bad token).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from stampede.store.launcher import StoreProcess
from tests.security.conftest import GENEROUS_LIMITS
from tests.security.shoppers import log_in
from tests.store.conftest import start_server

#: hundreds of requests per operation: the slow tier, against a real server
pytestmark = pytest.mark.slow

#: /admin/seed and /admin/reset are not fuzzed: they replace or wipe the store's data, which
#: would pull the catalog and the signed-in shopper out from under the other operations;
#: PUT /admin/chaos neither: it switches faults (a payment outage, slow queries) on; nor
#: DELETE /api/v1/sessions: it would log the fuzzing shopper out (tests/store covers it)
NOT_FUZZED = {
    "POST /admin/seed",
    "POST /admin/reset",
    "PUT /admin/chaos",
    "DELETE /api/v1/sessions",
}
#: Schemathesis generates no cases for the operation that serves the document it reads
SERVES_THE_DOCUMENT = "GET /openapi.json"

OPERATIONS = [
    "POST /api/v1/users",
    "POST /api/v1/sessions",
    "GET /api/v1/users/me",
    "GET /api/v1/categories",
    "GET /api/v1/products",
    "GET /api/v1/products/{product_id}",
    "GET /api/v1/search",
    "GET /api/v1/stock/{sku}",
    "GET /api/v1/cart",
    "POST /api/v1/cart/items",
    "DELETE /api/v1/cart/items/{product_id}",
    "POST /api/v1/checkout",
    "GET /api/v1/orders",
    "GET /api/v1/orders/{order_id}",
    "GET /healthz",
    "GET /metrics",
    "GET /admin/audit",
    "GET /admin/summary",
    "GET /admin/chaos",
    # the storefront's HTML documents (store/storefront.py)
    "GET /",
    "GET /c/{slug}",
    "GET /p/{product_id}",
    "GET /cart",
]

#: operations without parameters, body or security, or (the storefront's documents) whose only
#: parameter is any text of the path: there is nothing to make invalid
NOTHING_TO_NEGATE = {
    "GET /api/v1/categories",
    "GET /healthz",
    "GET /metrics",
    "GET /",
    "GET /c/{slug}",
    "GET /p/{product_id}",
    "GET /cart",
}

CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE) for label in OPERATIONS if label not in NOTHING_TO_NEGATE
]

#: bounded: the module takes about 20 s on the 2-core CI machine
EXAMPLES = 50


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreProcess]:
    with start_server(tmp_path_factory.mktemp("fuzz"), *GENEROUS_LIMITS) as process:
        yield process


@pytest.fixture(scope="module")
def api(store: StoreProcess) -> schemathesis.BaseSchema:
    with httpx.Client(base_url=store.url, timeout=30) as client:
        shopper = log_in(client, 7)
    config = schemathesis.Config.from_dict(
        {
            "auth": {
                "openapi": {"bearer": {"bearer": shopper}, "admin": {"bearer": store.admin_token}}
            },
            # The store ignores query parameters it does not know (caches and load tools add
            # them), so requests made invalid only by an extra parameter are not negative cases.
            # Unknown body fields are refused (422): tests/store/test_bad_input.py covers that.
            "generation": {"allow-extra-parameters": False},
            "operations": [
                {
                    # A checkout the schema admits can still be refused for what it asks:
                    # an empty cart, or a key already used for another purchase (422).
                    "include-name": "POST /api/v1/checkout",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", 401, 402, 404, 409, 422, 429]
                        }
                    },
                }
            ],
        }
    )
    return schemathesis.openapi.from_url(f"{store.url}/openapi.json", config=config)


def test_every_documented_operation_is_fuzzed_or_named_as_not(
    api: schemathesis.BaseSchema,
) -> None:
    paths = api.raw_schema["paths"]
    documented = {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}
    assert documented == {*OPERATIONS, *NOT_FUZZED, SERVES_THE_DOCUMENT}


@pytest.mark.parametrize(("label", "mode"), CASES, ids=[f"{m.value} {op}" for op, m in CASES])
def test_the_store_keeps_to_its_openapi_document(
    api: schemathesis.BaseSchema, label: str, mode: GenerationMode
) -> None:
    operation = api.find_operation_by_label(label)
    assert operation is not None, label

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(case=operation.as_strategy(mode))
    def fuzz(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate()

    fuzz()
