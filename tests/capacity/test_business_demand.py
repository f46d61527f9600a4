"""Demand from the business: visits x conversion for the orders, the pace at scale 1 from
the profile's think time, the ordinary day from daily visits or a share; the gateway
sized by its CPU per request; Aurora I/O per write transaction."""

from __future__ import annotations

import math

import pytest

from stampede.capacity import (
    BusinessDemand,
    VisitRatios,
    default_topology,
    demand_at,
    detect_plateaus,
    normalize_history,
    shopper_pace,
)
from stampede.capacity._bill import database_io_per_s
from stampede.capacity._service_capacity import queueing_capacity
from stampede.core.errors import ConfigError
from tests.capacity.synthetic import exact_history

RATIOS = VisitRatios(
    {"catalog": 0.8, "orders": 0.2},
    0.1,  # the probe: a tenth of its requests were paid orders
    {"payments": 0.2, "gateway": 1.0},
    {"payments": 0.2},  # two payment calls per paid order
)


def test_orders_are_visits_times_conversion_not_the_probe_s_mix() -> None:
    business = BusinessDemand(conversion=0.0256, visit_s=300.0)
    d = demand_at(120_000, 1.0, RATIOS, business)
    assert d.total_rps == pytest.approx(120_000)
    # 120,000 users / 300 s = 400 visits/s; x 2.56 % = 10.24 orders/s (the mix said 12,000)
    assert d.paid_orders_per_s == pytest.approx(10.24)
    # the calls a paid order drives follow the orders: two payments each
    assert d.per_service["payments"] == pytest.approx(20.48)
    # requests users send keep the probe's split
    assert d.per_service["catalog"] == pytest.approx(96_000)
    assert d.per_service["gateway"] == pytest.approx(120_000)


def test_without_the_business_the_probe_s_mix_stands() -> None:
    d = demand_at(1000, 2.0, RATIOS)
    assert d.paid_orders_per_s == pytest.approx(200.0)
    assert d.per_service["payments"] == pytest.approx(400.0)


@pytest.mark.parametrize(
    ("business", "users"),
    [
        (BusinessDemand(), 120_000 * 5_000 / 120_000),  # the case study's 5,000 of 120,000
        (BusinessDemand(baseline_share=0.1), 12_000),
        # 864,000 visits a day of 5 minutes: 864,000 x 300 / 86,400 = 3,000 at a time
        (BusinessDemand(daily_visits=864_000), 3_000),
    ],
)
def test_the_ordinary_day(business: BusinessDemand, users: float) -> None:
    assert business.baseline_users(120_000) == pytest.approx(users)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("conversion", 1.5, "conversion is 1.5; it must be between 0 and 1"),
        ("visit_s", 0.0, "visit_s is 0; it must be above 0 seconds"),
        ("pace_rps", -1.0, "pace_rps is -1; it must be above 0"),
        ("baseline_share", 0.0, "baseline_share is 0; it must be in (0, 1]"),
        ("daily_visits", -5.0, "daily_visits is -5; it must be above 0"),
    ],
)
def test_bad_business_figures_are_one_line(field: str, value: float, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        BusinessDemand(**{field: value})
    assert words in str(error.value) and "\n" not in str(error.value)


def test_the_pace_puts_the_measured_requests_per_action_on_the_think_time() -> None:
    # each user sends 3 requests a second of 10 ms each; with a think time of 0.99 s an
    # action takes 1 s, so an action is 3 requests and the pace 3 req/s
    plateaus = detect_plateaus(
        normalize_history(
            exact_history((10, 20, 30, 40, 50, 60), (("GET", "/api/v1/products/[id]", 3),))
        )
    )
    pace = shopper_pace(plateaus, 0.99, BusinessDemand())
    assert pace.action_s == pytest.approx(1.0)
    assert pace.requests_per_action == pytest.approx(3.0)
    assert pace.rps == pytest.approx(3.0)
    stated = shopper_pace(plateaus, 0.99, BusinessDemand(pace_rps=1.25))
    assert (stated.rps, stated.requests_per_action) == (1.25, None)
    assert shopper_pace(plateaus, None, BusinessDemand()).rps == pytest.approx(3.0)


def test_the_gateway_is_sized_by_its_cpu_not_its_slots() -> None:
    spec = default_topology().service("gateway")
    assert spec.cpu_ms == 0.1 and spec.vcpu == 0.5
    capacity = queueing_capacity("gateway", spec, 500.0)
    # one CPU server of 0.5 vCPU / 0.1 ms = 5,000 req/s; the other 1.9 ms of its 2 ms is
    # a fixed delay; M/M/1's p95 ln(20) / (5,000 - x) within 50 - 1.9 ms
    mu, budget_s = 5000.0, (50.0 - 1.9) / 1000.0
    assert capacity.safe_rps_per_replica == pytest.approx(mu - math.log(20) / budget_s, rel=1e-6)
    assert capacity.method == "queueing (CPU)"
    # 64 slots of 2 ms took 31,938 req/s a replica: more than its CPU can do
    assert capacity.safe_rps_per_replica < mu


def test_aurora_io_is_per_write_transaction_and_read_miss() -> None:
    shared = default_topology().shared
    # 10 orders/s x 3 transactions x 4 I/Os + 1,000 reads/s x 0.05
    assert database_io_per_s(1000.0, 10.0, shared) == pytest.approx(120 + 50)
