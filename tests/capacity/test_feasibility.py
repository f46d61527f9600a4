"""Infeasible as planned, and each fix priced by hand."""

from __future__ import annotations

import math

import pytest

from stampede.capacity import default_topology, load_prices
from stampede.capacity._feasibility import TierState, feasibility
from stampede.capacity._tiers import DatabaseConnections, OutboxDrain, RedisLoad

#: Fargate x86 on the bundled sheet: 0.04048 per vCPU-hour, 0.004445 per GB-hour
PGBOUNCER_HOUR = 1.0 * 0.04048 + 2.0 * 0.004445
RELAY_HOUR = 0.5 * 0.04048 + 1.0 * 0.004445
REDIS_NODE_HOUR = 0.206  # cache.r6g.large

FITS = TierState(
    DatabaseConnections({"users": 200, "orders": 300}, 500, 990, True, 0.5),
    RedisLoad(40_000.0, 100_000.0, 1, 2, True),
    OutboxDrain(100.0, 200.0, 0.0, 0.0),
    {"users": 50, "orders": 60},
    2.0,
)
BREAKS = TierState(
    DatabaseConnections({"users": 1200, "orders": 800, "gateway": 0}, 2000, 990, False, 2.02),
    RedisLoad(250_000.0, 100_000.0, 5, 2, False),
    OutboxDrain(1000.0, 200.0, 5_760_000.0, math.inf),
    {"users": 300, "orders": 200, "gateway": 4},
    2.0,
)


def test_a_plan_whose_tiers_hold_is_feasible() -> None:
    result = feasibility(FITS, default_topology(), load_prices())
    assert result.feasible and result.fixes == () and result.monthly == 0.0


def test_each_failing_tier_gets_its_fix_priced_by_hand() -> None:
    result = feasibility(BREAKS, default_topology(), load_prices())
    assert not result.feasible
    fixes = {f.tier: f for f in result.fixes}
    assert list(fixes) == ["database", "redis", "outbox", "max_replicas"]
    db = fixes["database"]
    # server pools split the 990 connections 60/40; two PgBouncer processes at least
    assert dict(db.sizes) == {
        "pgbouncer_processes": 2,
        "max_client_conn": 2000,
        "users": 594,
        "orders": 396,
        "gateway": 1,
    }
    assert db.monthly == pytest.approx(2 * PGBOUNCER_HOUR * 730)
    assert db.sale_window == pytest.approx(2 * PGBOUNCER_HOUR * 2.0)
    assert "2,000 database connections and 990 are available" in db.problem
    redis = fixes["redis"]
    assert redis.sizes == {"redis_nodes": 5}
    assert redis.monthly == pytest.approx(3 * REDIS_NODE_HOUR * 730)  # 451.14
    outbox = fixes["outbox"]
    # 1,000 events/s over 200 each: 5 workers, 4 more for the 2 h sale window
    assert outbox.sizes == {"relay_workers": 5}
    assert outbox.monthly == 0 and outbox.sale_window == pytest.approx(4 * RELAY_HOUR * 2.0)
    assert "never clears" in outbox.problem
    caps = fixes["max_replicas"]
    assert caps.sizes == {"users": 300, "orders": 200} and "users 60→300" in caps.fix
    assert result.monthly == pytest.approx(db.monthly + redis.monthly)
    assert result.needs().startswith("PgBouncer in transaction mode (2 processes), 5 Redis nodes")
    assert result.needs().endswith("5 outbox relay workers and higher max_replicas")


def test_a_backlog_that_clears_within_an_hour_needs_no_relay_workers() -> None:
    state = TierState(
        FITS.database, FITS.redis, OutboxDrain(300.0, 200.0, 360_000.0, 2400.0), {}, 1.0
    )
    assert feasibility(state, default_topology(), load_prices()).feasible
