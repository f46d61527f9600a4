"""Replicas per service: the demand over its safe throughput, plus one; checked with M/M/c.

Replicas assume linear scaling across stateless replicas:
``ceil(demand / (safe per replica × target utilisation)) + 1``; an M/M/c
queue of the planned replicas cross-checks the p95 they give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stampede.capacity._queueing import min_servers_for_percentile, response_time_percentile
from stampede.capacity._service_capacity import ServiceCapacity
from stampede.capacity._topology import ServiceSpec
from stampede.core.errors import ConfigError


@dataclass(frozen=True)
class ServiceSizing:
    """Planned replicas of one service at the target load."""

    service: str
    demand_rps: float
    capacity: ServiceCapacity
    target_utilization: float
    replicas: int
    mmc_p95_ms: float
    mmc_replicas: int | None
    notes: tuple[str, ...]
    #: why the service was held at its minimum rather than sized (None: it was sized)
    not_sized_because: str | None = None


def replicas_for(demand_rps: float, safe_per_replica: float, target_utilization: float) -> int:
    """``ceil(demand / (safe × utilisation)) + 1``: enough replicas plus one spare."""
    if safe_per_replica <= 0 or not 0 < target_utilization <= 1:
        raise ConfigError(
            f"replicas need a positive safe throughput and a utilisation in (0, 1], not "
            f"{safe_per_replica:g} and {target_utilization:g}."
        )
    return math.ceil(demand_rps / (safe_per_replica * target_utilization) - 1e-9) + 1


def _queue_check(
    capacity: ServiceCapacity, demand_rps: float, spec: ServiceSpec, replicas: int
) -> tuple[float, int | None, str | None]:
    """(p95 ms at ``replicas``, replicas the queue needs, why not) from an M/M/c model.

    With the service's CPU per request known, each replica is one server of
    rate ``vcpu / cpu`` and the rest of its light-load latency (waiting on the
    database, a provider) is a fixed delay added to the queue's p95. Without
    it, each replica has ``slots_per_replica`` servers of the light-load
    latency.
    """
    if capacity.cpu_ms:
        mu = 1000.0 * spec.vcpu / capacity.cpu_ms
        per_replica, fixed_ms = 1, max(capacity.service_time_ms - capacity.cpu_ms, 0.0)
    else:
        mu = 1000.0 / capacity.service_time_ms
        per_replica, fixed_ms = spec.slots_per_replica, 0.0
    servers = replicas * per_replica
    p95 = math.inf
    if demand_rps < servers * mu:
        queue = response_time_percentile(0.95, servers, demand_rps, mu, cs=spec.service_cv)
        p95 = fixed_ms + 1000.0 * queue
    target_s = (capacity.budget_ms - fixed_ms) / 1000.0
    if target_s <= 0:
        return p95, None, f"its {fixed_ms:.0f} ms of waiting alone exceeds the budget."
    try:
        c = min_servers_for_percentile(target_s, demand_rps, mu, cs=spec.service_cv)
    except ConfigError as exc:
        return p95, None, str(exc)
    return p95, math.ceil(c / per_replica), None


def size_service(capacity: ServiceCapacity, demand_rps: float, spec: ServiceSpec) -> ServiceSizing:
    """Plan replicas for a service and cross-check them with an M/M/c queue."""
    notes: list[str] = []
    replicas = max(
        spec.min_replicas,
        replicas_for(demand_rps, capacity.safe_rps_per_replica, spec.target_utilization),
    )
    if replicas > spec.max_replicas:
        notes.append(
            f"{capacity.service} needs {replicas} replicas, above its max_replicas "
            f"{spec.max_replicas}; the policies use {replicas}."
        )
    mmc_p95, mmc_replicas, why = _queue_check(capacity, demand_rps, spec, replicas)
    if why is not None:
        notes.append(f"M/M/c cross-check for {capacity.service}: {why}")
    if math.isinf(mmc_p95):
        notes.append(
            f"M/M/c says {replicas} replicas of {capacity.service} saturate at "
            f"{demand_rps:,.0f} req/s: its queue grows without bound."
        )
    elif mmc_p95 > capacity.budget_ms:
        notes.append(
            f"M/M/c predicts a p95 of {mmc_p95:,.0f} ms for {capacity.service} at "
            f"{replicas} replicas, above its {capacity.budget_ms:g} ms budget."
        )
    return ServiceSizing(
        capacity.service,
        demand_rps,
        capacity,
        spec.target_utilization,
        replicas,
        mmc_p95,
        mmc_replicas,
        tuple(notes),
    )


def hold_unsized(capacity: ServiceCapacity, spec: ServiceSpec, why: str) -> ServiceSizing:
    """A service no plateau measured, held at its ``min_replicas``: its demand is unknown,
    so no replica count follows from it (``why`` says so in the plan); the M/M/c p95 is
    that of its replicas idle."""
    mmc_p95, _, _ = _queue_check(capacity, 0.0, spec, spec.min_replicas)
    return ServiceSizing(
        capacity.service, 0.0, capacity, spec.target_utilization, spec.min_replicas,
        mmc_p95, None, (), why,
    )  # fmt: skip
