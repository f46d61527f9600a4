from __future__ import annotations

import pandas as pd
import pytest

from stampede.capacity import (
    VisitRatios,
    demand_at,
    detect_plateaus,
    normalize_history,
    reference_services,
    requests_per_user,
    visit_ratios,
)
from stampede.core.errors import ConfigError
from tests.capacity.synthetic import CHECKOUT_FAILURE, Truth


@pytest.mark.parametrize(
    ("kind", "name", "service"),
    [
        ("GET", "/api/v1/users/me", "users"),
        ("POST", "/api/v1/sessions", "users"),
        ("GET", "/api/v1/categories", "catalog"),
        ("GET", "/api/v1/products/[id]", "catalog"),
        ("GET", "/api/v1/search?q=[q]", "catalog"),
        ("POST", "/api/v1/cart/items", "orders"),
        ("POST", "/api/v1/checkout", "orders"),
        ("GET", "/api/v1/orders/[id]", "orders"),
        ("GET", "/api/v1/stock/[sku]", "inventory"),
    ],
)
def test_endpoints_map_to_services_by_the_reference_description(
    kind: str, name: str, service: str
) -> None:
    assert reference_services().service_of(kind, name) == service


@pytest.mark.parametrize("name", ["/admin/audit", "/api/v2/products"])
def test_endpoints_in_no_service_are_one_line_naming_the_services(name: str) -> None:
    with pytest.raises(ConfigError) as error:
        reference_services().service_of("GET", name)
    message = str(error.value)
    assert f"endpoint 'GET {name}' is in group other, which no service of the target " in message
    assert "reference-target.yaml" in message and "catalog (browse)" in message
    assert "\n" not in message


def test_visit_ratios_match_the_generated_mix(history_frame: pd.DataFrame) -> None:
    ratios = visit_ratios(detect_plateaus(normalize_history(history_frame)))
    expected = {"users": 0.10, "catalog": 0.55, "orders": 0.25, "inventory": 0.10}
    assert ratios.per_service == pytest.approx(expected, abs=0.01)
    paid = 0.05 * (1 - CHECKOUT_FAILURE)
    assert ratios.paid_orders_per_request == pytest.approx(paid, abs=0.003)
    # the reference description: two payment calls and one notification per paid order
    assert ratios.derived_per_request == pytest.approx(
        {"payments": 2 * paid, "notifications": paid, "gateway": 1.0}, abs=0.006
    )


def test_requests_per_user_from_think_time(history_frame: pd.DataFrame, truth: Truth) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame))
    lightest = plateaus.points[0]
    with_z = requests_per_user(plateaus, truth.think_s)
    assert with_z == pytest.approx(1 / (lightest.mean_ms / 1000 + truth.think_s))
    assert requests_per_user(plateaus) == pytest.approx(lightest.throughput / lightest.users)
    assert requests_per_user(plateaus) == pytest.approx(with_z, rel=0.06)


def test_demand_drives_payments_and_notifications_by_paid_orders() -> None:
    shares = {"users": 0.1, "catalog": 0.6, "orders": 0.2, "inventory": 0.1}
    derived = {"payments": 0.1, "notifications": 0.05, "gateway": 1.0}
    d = demand_at(1000, 2.0, VisitRatios(shares, 0.05, derived))
    assert d.total_rps == 2000
    assert d.paid_orders_per_s == pytest.approx(100)
    assert d.per_service == pytest.approx(
        {
            "users": 200,
            "catalog": 1200,
            "orders": 400,
            "inventory": 200,
            "payments": 200,
            "notifications": 100,
            "gateway": 2000,
        }
    )


def test_demand_rejects_nonsense() -> None:
    with pytest.raises(ConfigError, match="positive rate per user"):
        demand_at(10, 0.0, VisitRatios({}, 0.0))
