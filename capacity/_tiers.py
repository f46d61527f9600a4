"""The shared tiers every service leans on, and the load generator itself.

* Database connections: each replica holds its pool open, so the sum of
  ``replicas × pool size`` must fit ``max_connections`` less the reserved ones.
* Redis: operations per second against a node's configured capacity.
* The outbox: events produced by paid orders during the sale, drained by a
  relay at a fixed rate; the backlog and how long it takes to clear.
* Locust workers: processes needed so that no generator core runs above
  70 % CPU, and the memory its users take.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.capacity._topology import Topology
from stampede.core.errors import ConfigError

GENERATOR_CPU_CEILING = 0.70


@dataclass(frozen=True)
class DatabaseConnections:
    """Connections the planned replicas open against the database's limit."""

    per_service: Mapping[str, int]
    total: int
    available: int
    fits: bool
    utilization: float


@dataclass(frozen=True)
class RedisLoad:
    """Redis operations per second at the target and the nodes they need."""

    ops_per_s: float
    capacity_per_node: float
    nodes_needed: int
    nodes_planned: int
    fits: bool


@dataclass(frozen=True)
class OutboxDrain:
    """The outbox backlog a sale leaves and how long it takes to clear."""

    events_per_s: float
    drain_per_s: float
    backlog_events: float
    drain_time_s: float


@dataclass(frozen=True)
class GeneratorMeasurement:
    """What one Locust worker process achieved: throughput at a CPU share, memory per user."""

    rps_per_core: float
    cpu_fraction: float
    memory_mb_per_user: float


@dataclass(frozen=True)
class GeneratorSizing:
    """Locust worker processes and memory needed to produce the target load."""

    target_rps: float
    rps_per_core_at_ceiling: float
    workers: int
    memory_gb: float


def database_connections(replicas: Mapping[str, int], topology: Topology) -> DatabaseConnections:
    """Sum the connection pools of all replicas against ``max_connections``."""
    shared = topology.shared
    per_service = {s: n * topology.service(s).db_pool_size for s, n in replicas.items()}
    total = sum(per_service.values())
    available = shared.db_max_connections - shared.db_reserved_connections
    if available <= 0:
        raise ConfigError(
            f"topology shared.db_max_connections ({shared.db_max_connections}) leaves no "
            "connections after the reserved ones; raise it."
        )
    return DatabaseConnections(per_service, total, available, total <= available, total / available)


def redis_load(demand: Mapping[str, float], topology: Topology) -> RedisLoad:
    """Redis operations per second at the target demand and the nodes they need."""
    shared = topology.shared
    ops = sum(rps * topology.service(s).redis_ops_per_request for s, rps in demand.items())
    usable = shared.redis_ops_per_s_per_node * shared.redis_target_utilization
    if usable <= 0:
        raise ConfigError(
            "topology shared.redis_ops_per_s_per_node and redis_target_utilization must be > 0."
        )
    needed = max(1, math.ceil(ops / usable))
    return RedisLoad(
        ops,
        shared.redis_ops_per_s_per_node,
        needed,
        shared.redis_nodes,
        needed <= shared.redis_nodes,
    )


def outbox_drain(
    paid_orders_per_s: float,
    sale_duration_s: float,
    topology: Topology,
    *,
    after_sale_orders_per_s: float = 0.0,
) -> OutboxDrain:
    """Backlog left by the sale and the time to drain it after the sale ends.

    The backlog grows at ``events − drain`` for the sale's duration (zero if
    the relay keeps up); after the sale it shrinks at ``drain − events after``.
    """
    shared = topology.shared
    events = paid_orders_per_s * shared.outbox_events_per_order
    after = after_sale_orders_per_s * shared.outbox_events_per_order
    backlog = max(0.0, events - shared.outbox_drain_per_s) * sale_duration_s
    if backlog == 0:
        return OutboxDrain(events, shared.outbox_drain_per_s, 0.0, 0.0)
    net = shared.outbox_drain_per_s - after
    drain_time = backlog / net if net > 0 else math.inf
    return OutboxDrain(events, shared.outbox_drain_per_s, backlog, drain_time)


def generator_sizing(
    target_rps: float, users: float, measured: GeneratorMeasurement
) -> GeneratorSizing:
    """Locust worker processes (one per core) to produce ``target_rps`` at ≤ 70 % CPU.

    Parameters
    ----------
    target_rps : float
        Requests per second the test must generate.
    users : float
        Simulated users, for the memory estimate.
    measured : GeneratorMeasurement
        Throughput one worker reached and the CPU share it used doing so.

    Returns
    -------
    GeneratorSizing
        ``workers = ceil(target / (rps per core scaled to 70 % CPU))``.
    """
    if measured.rps_per_core <= 0 or not 0 < measured.cpu_fraction <= 1:
        raise ConfigError(
            f"a generator measurement needs rps_per_core > 0 and cpu_fraction in (0, 1], "
            f"not {measured.rps_per_core:g} and {measured.cpu_fraction:g}."
        )
    at_ceiling = measured.rps_per_core * GENERATOR_CPU_CEILING / measured.cpu_fraction
    workers = max(1, math.ceil(target_rps / at_ceiling - 1e-9))
    memory_gb = users * measured.memory_mb_per_user / 1024.0
    return GeneratorSizing(target_rps, at_ceiling, workers, memory_gb)
