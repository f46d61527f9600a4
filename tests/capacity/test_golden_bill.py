"""The golden bill: the reference store's case-study topology planned for 120,000 users,
every line of its monthly bill redone by hand from the packaged price sheet.

The probe is exact (no noise): each user sends one request a second (the case study's
"about one request a second each at its busiest", profiles/flash-sale.yaml), split over
the reference store's endpoints as below, at six plateaus of 1,000 to 6,000 users, every
request taking 10 ms. The business is the case study's: 120,000 users at the peak, an
ordinary day of 5,000 (its share), a visit of 5 minutes, 2.56 % of visits buying. The
mean response body is the 2,752 bytes a soak run of the reference store measured
(locust_stats.csv, Aggregated, 2026-12-03), rounded to 2,750.

Prices are the packaged sheet's (capacity/prices/aws-us-east-1.yaml), written out here
so that a change to the sheet or to the arithmetic shows up as a failing line.
"""

from __future__ import annotations

import dataclasses

import pytest

from stampede.capacity import (
    BusinessDemand,
    CapacityPlan,
    PlanConfig,
    ProbeFacts,
    SaleWindow,
    default_topology,
    make_plan,
)
from stampede.capacity._summary import summary_markdown
from tests.capacity.synthetic import exact_history
from tests.plan.test_command import UNREADABLE

#: requests per user-second of each endpoint: 1.0 in all
PER_USER = (
    ("GET", "/api/v1/products/[id]", 0.4),
    ("GET", "/api/v1/categories", 0.1),
    ("POST", "/api/v1/sessions", 0.05),
    ("GET", "/api/v1/users/me", 0.05),
    ("POST", "/api/v1/cart/items", 0.15),
    ("GET", "/api/v1/stock/[sku]", 0.15),
    ("POST", "/api/v1/checkout", 0.05),
    ("GET", "/api/v1/orders/[id]", 0.05),
)
LEVELS = (1000, 2000, 3000, 4000, 5000, 6000)
CASE_STUDY_MONTHLY_USD = 7440.0
HOURS = 730.0

# the packaged sheet's prices, USD
FARGATE_VCPU_HOUR, FARGATE_GB_HOUR = 0.04048, 0.004445
AURORA_R6G_LARGE_HOUR, AURORA_IO_PER_MILLION, AURORA_GB_MONTH = 0.26, 0.20, 0.10
ELASTICACHE_R6G_LARGE_HOUR = 0.206
ALB_HOUR, LCU_HOUR = 0.0225, 0.008
SQS_PER_MILLION, OUT_PER_GB = 0.40, 0.09


@pytest.fixture(scope="module")
def plan() -> CapacityPlan:
    topology = default_topology()
    topology = dataclasses.replace(
        topology, shared=dataclasses.replace(topology.shared, bytes_per_response=2750.0)
    )
    config = PlanConfig(
        target_users=120_000,
        slo_p95_ms=500,
        business=BusinessDemand(pace_rps=1.0),
        sale=SaleWindow(duration_s=600),
        run=ProbeFacts(think_time_s=None),
        topology=topology,
    )
    return make_plan(exact_history(LEVELS, PER_USER, seconds=40), config)  # type: ignore[arg-type]


def test_the_demand_is_the_business_s(plan: CapacityPlan) -> None:
    base = plan.baseline_demand
    # 5,000 of 120,000 users on an ordinary day, each sending one request a second
    assert plan.baseline_users == pytest.approx(5000)
    assert base.total_rps == pytest.approx(5000)
    # orders are visits x conversion: 5,000 users / 300 s x 2.56 % = 0.4267 a second
    assert base.paid_orders_per_s == pytest.approx(5000 / 300 * 0.0256)
    # at the peak 120,000 / 300 x 2.56 % = 10.24, not the probe's 5 % of 120,000 req/s
    assert plan.peak_demand.paid_orders_per_s == pytest.approx(10.24)
    assert plan.peak_demand.per_service["payments"] == pytest.approx(2 * 10.24)
    assert plan.peak_demand.per_service["notifications"] == pytest.approx(10.24)


def test_every_line_of_the_month_by_hand(plan: CapacityPlan) -> None:
    lines = plan.cost.monthly_lines
    n = plan.baseline_replicas
    half, whole = 0.5 * FARGATE_VCPU_HOUR + 1.0 * FARGATE_GB_HOUR, FARGATE_VCPU_HOUR + 2 * 0.004445
    # every service is a 0.5 vCPU / 1 GB task but orders (1 vCPU / 2 GB), 730 h each
    compute = (sum(n.values()) - n["orders"]) * half * HOURS + n["orders"] * whole * HOURS
    assert lines["compute"] == pytest.approx(compute)
    assert lines["database"] == pytest.approx(2 * AURORA_R6G_LARGE_HOUR * HOURS)  # 379.60
    orders = 5000 / 300 * 0.0256
    # every request but the gateway's reaches a service with a database pool: the four
    # measured services' 5,000 req/s plus payments' 2 and notifications' 1 per order
    db_rps = 5000 + 3 * orders
    # 3 write transactions of 4 I/Os an order, 0.05 read I/Os a database request
    io_per_s = orders * 3 * 4 + db_rps * 0.05
    assert lines["database_io"] == pytest.approx(
        io_per_s * HOURS * 3600 / 1e6 * AURORA_IO_PER_MILLION
    )
    assert lines["database_storage"] == pytest.approx(100 * AURORA_GB_MONTH)
    assert lines["redis"] == pytest.approx(2 * ELASTICACHE_R6G_LARGE_HOUR * HOURS)  # 300.76
    # LCUs: new connections 5,000 / 20 a connection / 25 = 10; active 250 x 60 s / 3,000
    # = 5; processed bytes 5,000 x 2,750 B x 3,600 s / 1e9 = 49.5 GB an hour = 49.5 LCUs;
    # rules 7, all free: the bytes set the bill
    gb_per_hour = 5000 * 2750 * 3600 / 1e9
    assert gb_per_hour == pytest.approx(49.5)
    assert lines["load_balancer"] == pytest.approx((ALB_HOUR + 49.5 * LCU_HOUR) * HOURS)
    # 2 outbox events an order, 3 calls each in batches of 10 2-KB messages (one 64 KB
    # chunk a call): 0.3 billed requests an event
    events = orders * 2
    assert lines["queue"] == pytest.approx(events * 0.3 * HOURS * 3600 / 1e6 * SQS_PER_MILLION)
    assert lines["data_transfer"] == pytest.approx(gb_per_hour * HOURS * OUT_PER_GB)
    assert set(lines) == {
        "compute",
        "database",
        "database_io",
        "database_storage",
        "redis",
        "load_balancer",
        "queue",
        "data_transfer",
    }
    assert plan.cost.monthly_baseline == pytest.approx(sum(lines.values()))


def test_the_replicas_behind_the_compute_line(plan: CapacityPlan) -> None:
    """The replicas the compute line prices, from the probe's heaviest plateau (6,000
    users, never over budget: a lower bound) and ceil(demand / (safe x 0.6)) + 1."""
    n = plan.baseline_replicas
    # catalog: 0.5 of 6,000 req/s seen on one 1-vCPU worker, 1,500 a 0.5 vCPU task;
    # 2,500 req/s / (1,500 x 0.6) = 2.8 -> 3 + 1
    assert n["catalog"] == 4
    # orders (1 vCPU): 0.25 x 6,000 = 1,500 a task; 1,250 / 900 -> 2 + 1
    assert n["orders"] == 3
    # gateway by CPU: 0.1 ms a request on 0.5 vCPU, an M/M/1 queue of 5,000 req/s whose
    # p95 of ln(20) / (5,000 - x) stays within 50 - 1.9 ms: x = 4,937.7; 5,000 / 2,962.6
    # -> 2 + 1
    assert plan.sizing["gateway"].capacity.safe_rps_per_replica == pytest.approx(
        5000 - 2.995732 / 0.0481, rel=1e-4
    )
    assert n["gateway"] == 3


def test_the_month_is_the_case_study_s_order_of_magnitude(plan: CapacityPlan) -> None:
    total = plan.cost.monthly_baseline
    assert CASE_STUDY_MONTHLY_USD / 10 <= total <= CASE_STUDY_MONTHLY_USD * 10, total


def test_the_summary_explains_every_line(plan: CapacityPlan) -> None:
    summary = summary_markdown(plan)
    explained = summary.split("The baseline month, line by line:")[1].split("Savings")[0]
    for line in plan.cost.lines():
        assert f"- {line.label}: " in explained
        assert f"= {line.monthly:,.2f} USD" in explained
    assert (
        "49.5 LCUs (the largest of AWS's four dimensions at 5,000 req/s: processed bytes; new "
        "connections 10, active connections 5, processed bytes 49.5, rule evaluations 0, with "
        "20 requests a keep-alive connection of 60 s, stated)"
    ) in explained
    assert "2.56% of visits buy" in summary and "each lasts 5 min (stated)" in summary
    assert "4.2% of the peak" in summary


def test_the_golden_summary_holds_only_readable_numbers(plan: CapacityPlan) -> None:
    found = UNREADABLE.findall(summary_markdown(plan))
    assert not found, found
