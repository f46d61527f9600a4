"""What ``/metrics`` exports is what the planner's autoscaling triggers query."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from stampede.capacity._render import REQUESTS_COUNTER, requests_rate_query
from tests.store.inprocess import InProcessStore


def _requests(text: str) -> dict[str, float]:
    """Requests by service, from the exported counter."""
    by_service: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == REQUESTS_COUNTER:
                service = sample.labels["service"]
                by_service[service] = by_service.get(service, 0.0) + sample.value
    return by_service


def test_requests_are_counted_by_the_service_that_answered(store: InProcessStore) -> None:
    with store.client() as client:
        before = _requests(client.get("/metrics").text)
        client.get("/api/v1/products/2")
        client.get("/api/v1/categories")
        client.get("/api/v1/stock/FLASH-001")
        client.post("/api/v1/sessions", json={"email": "nobody@x.zz", "password": "wrongwrong"})
        after = _requests(client.get("/metrics").text)
    grown = {s: after.get(s, 0.0) - before.get(s, 0.0) for s in after}
    assert grown["catalog"] == 2
    assert grown["inventory"] == 1
    assert grown["users"] == 1
    assert grown["gateway"] >= 1  # the first /metrics scrape


def test_the_planners_prometheus_query_names_the_exported_counter_and_label() -> None:
    assert requests_rate_query("catalog") == (
        f'sum(rate({REQUESTS_COUNTER}{{service="catalog"}}[1m]))'
    )
    assert requests_rate_query("gateway") == f"sum(rate({REQUESTS_COUNTER}[1m]))"
    assert REQUESTS_COUNTER == "stampede_store_requests_total"
