"""Whether the plan holds as planned, and what fixes it, priced.

A plan whose replicas open more database connections than exist, need more
Redis nodes than are priced, leave an outbox backlog that does not clear, or
exceed a service's ``max_replicas`` is *infeasible as planned*. Each failing
tier gets a fix with its sizes and what it adds to the bill:

* database: PgBouncer in transaction mode in front of the database, its
  client connections the replicas' pools, its server pool the connections
  the database has, split between services in proportion; one PgBouncer
  process (one vCPU, single-threaded) per 10,000 client connections, at
  least two;
* Redis: the nodes needed instead of those planned, all month;
* the outbox: relay workers of ``outbox_drain_per_s`` each, enough to keep
  up with the sale's events (so no backlog), during the sale window; the
  month keeps the one relay it had unless ordinary traffic needs more;
* max_replicas: raised to the replicas the demand needs (already priced).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from stampede.capacity._cost import HOURS_PER_MONTH
from stampede.capacity._prices import PriceSheet
from stampede.capacity._tiers import DatabaseConnections, OutboxDrain, RedisLoad
from stampede.capacity._topology import Topology

#: client connections one PgBouncer process serves (it is single-threaded)
PGBOUNCER_CLIENTS_PER_PROCESS = 10_000
PGBOUNCER_VCPU, PGBOUNCER_GB = 1.0, 2.0
RELAY_VCPU, RELAY_GB = 0.5, 1.0
#: a backlog that takes longer than this to clear after the sale is a failure
OUTBOX_DRAIN_LIMIT_S = 3600.0


@dataclass(frozen=True)
class Fix:
    """One failing tier: what fails, what fixes it, and what the fix adds to the bill."""

    tier: str
    problem: str
    fix: str
    #: the fix's sizes, for tools (pool sizes, nodes, workers, caps)
    sizes: Mapping[str, int]
    monthly: float
    sale_window: float


@dataclass(frozen=True)
class Feasibility:
    """The fixes a plan needs; feasible as planned when there are none."""

    fixes: tuple[Fix, ...]

    @property
    def feasible(self) -> bool:
        return not self.fixes

    @property
    def monthly(self) -> float:
        return sum(f.monthly for f in self.fixes)

    @property
    def sale_window(self) -> float:
        return sum(f.sale_window for f in self.fixes)

    def needs(self) -> str:
        """The fixes as one phrase: ``PgBouncer (…), 17 Redis nodes and 4 outbox relay workers``."""
        parts = [f.fix.split(":", 1)[0] for f in self.fixes]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class TierState:
    """What the shared tiers and the fleet look like at the planned peak."""

    database: DatabaseConnections
    redis: RedisLoad
    outbox: OutboxDrain
    peak_replicas: Mapping[str, int]
    sale_hours: float


def _database(db: DatabaseConnections, prices: PriceSheet, sale_hours: float) -> Fix | None:
    if db.fits:
        return None
    pools = {s: max(1, math.floor(db.available * n / db.total)) for s, n in db.per_service.items()}
    processes = max(2, math.ceil(db.total / PGBOUNCER_CLIENTS_PER_PROCESS))
    hour = processes * prices.task_hour(PGBOUNCER_VCPU, PGBOUNCER_GB)
    split = ", ".join(f"{s} {n}" for s, n in pools.items() if db.per_service[s])
    return Fix(
        "database",
        f"the replicas open {db.total:,} database connections and {db.available:,} are available",
        f"PgBouncer in transaction mode ({processes} processes): max_client_conn "
        f"{db.total:,}, server pools of {sum(pools.values()):,} connections ({split})",
        {"pgbouncer_processes": processes, "max_client_conn": db.total, **pools},
        hour * HOURS_PER_MONTH,
        hour * sale_hours,
    )


def _redis(
    redis: RedisLoad, topology: Topology, prices: PriceSheet, sale_hours: float
) -> Fix | None:
    if redis.fits:
        return None
    extra = redis.nodes_needed - redis.nodes_planned
    node = topology.shared.redis_node_type
    hour = extra * prices.elasticache_node_hour(node)
    return Fix(
        "redis",
        f"Redis takes {redis.ops_per_s:,.0f} ops/s, which needs {redis.nodes_needed} nodes, "
        f"and {redis.nodes_planned} are planned",
        f"{redis.nodes_needed} Redis nodes: {extra} more {node}",
        {"redis_nodes": redis.nodes_needed},
        hour * HOURS_PER_MONTH,
        hour * sale_hours,
    )


def _outbox(outbox: OutboxDrain, prices: PriceSheet, sale_hours: float) -> Fix | None:
    if outbox.backlog_events == 0 or outbox.drain_time_s <= OUTBOX_DRAIN_LIMIT_S:
        return None
    workers = math.ceil(outbox.events_per_s / outbox.drain_per_s)
    clears = (
        "never clears"
        if math.isinf(outbox.drain_time_s)
        else f"takes {outbox.drain_time_s / 3600:,.1f} h to clear"
    )
    hour = (workers - 1) * prices.task_hour(RELAY_VCPU, RELAY_GB)
    return Fix(
        "outbox",
        f"the sale leaves an outbox backlog of {outbox.backlog_events:,.0f} events that {clears}",
        f"{workers} outbox relay workers: {workers - 1} more during the sale, each draining "
        f"{outbox.drain_per_s:,.0f} events/s, to keep up with {outbox.events_per_s:,.0f}",
        {"relay_workers": workers},
        0.0,
        hour * sale_hours,
    )


def _caps(peak: Mapping[str, int], topology: Topology) -> Fix | None:
    over = {s: n for s, n in peak.items() if n > topology.service(s).max_replicas}
    if not over:
        return None
    named = ", ".join(f"{s} {topology.service(s).max_replicas}→{n}" for s, n in over.items())
    return Fix(
        "max_replicas",
        f"{len(over)} service(s) need more replicas than the topology's max_replicas",
        f"higher max_replicas: {named} (already priced)",
        dict(over),
        0.0,
        0.0,
    )


def feasibility(state: TierState, topology: Topology, prices: PriceSheet) -> Feasibility:
    """The fixes the planned peak needs, each priced for the month and the sale window.

    Parameters
    ----------
    state : TierState
        The shared tiers at the peak, the peak replicas and the sale window's hours.
    topology : Topology
        The limits (max_replicas, node type, relay rate).
    prices : PriceSheet
        Prices for PgBouncer and relay tasks and Redis nodes.

    Returns
    -------
    Feasibility
        Feasible as planned when no fix is needed.
    """
    hours = state.sale_hours
    found = (
        _database(state.database, prices, hours),
        _redis(state.redis, topology, prices, hours),
        _outbox(state.outbox, prices, hours),
        _caps(state.peak_replicas, topology),
    )
    return Feasibility(tuple(f for f in found if f is not None))
