from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from stampede.capacity import (
    GeneratorMeasurement,
    database_connections,
    default_topology,
    generator_sizing,
    outbox_drain,
    redis_load,
)
from stampede.capacity._topology import Topology
from stampede.core.errors import ConfigError


def _topology(**shared: Any) -> Topology:
    base = default_topology()
    return dataclasses.replace(base, shared=dataclasses.replace(base.shared, **shared))


def test_database_connections_sum_the_pools() -> None:
    topo = _topology(db_max_connections=100, db_reserved_connections=10)
    db = database_connections({"catalog": 10, "orders": 12, "gateway": 5}, topo)
    assert db.per_service == {"catalog": 40, "orders": 48, "gateway": 0}
    assert (db.total, db.available, db.fits) == (88, 90, True)
    assert not database_connections({"catalog": 30}, topo).fits


def test_redis_ops_against_node_capacity() -> None:
    topo = _topology(redis_ops_per_s_per_node=10_000, redis_target_utilization=0.5, redis_nodes=2)
    redis = redis_load({"inventory": 1000.0, "gateway": 4000.0}, topo)
    assert redis.ops_per_s == pytest.approx(1000 * 3 + 4000 * 1)
    assert redis.nodes_needed == 2 and redis.fits


@pytest.mark.parametrize(
    ("orders", "after", "backlog", "drain"),
    [(50.0, 0.0, 0.0, 0.0), (150.0, 0.0, 100 * 60.0, 6_000 / 200), (150.0, 50.0, 6_000.0, 60.0)],
)
def test_outbox_backlog_and_drain(
    orders: float, after: float, backlog: float, drain: float
) -> None:
    # 2 events per order, 200 events/s drained, a 60 s sale
    result = outbox_drain(orders, 60, default_topology(), after_sale_orders_per_s=after)
    assert result.backlog_events == pytest.approx(backlog)
    assert result.drain_time_s == pytest.approx(drain)


def test_outbox_that_never_drains_is_infinite() -> None:
    assert (
        outbox_drain(150.0, 60, default_topology(), after_sale_orders_per_s=100.0).drain_time_s
        == math.inf
    )


@pytest.mark.parametrize(
    ("rps", "cpu", "workers"),
    [(700.0, 0.7, 15), (350.0, 0.35, 15), (1000.0, 1.0, 15), (700.0, 0.5, 11)],
)
def test_generator_workers_at_70_percent_cpu(rps: float, cpu: float, workers: int) -> None:
    sizing = generator_sizing(10_000, 20_000, GeneratorMeasurement(rps, cpu, 2.0))
    assert sizing.workers == workers
    assert sizing.memory_gb == pytest.approx(20_000 * 2.0 / 1024)


def test_generator_measurement_is_validated() -> None:
    with pytest.raises(ConfigError, match="cpu_fraction"):
        generator_sizing(100, 10, GeneratorMeasurement(100, 0.0, 1.0))
