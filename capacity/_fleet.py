"""Every service of the store sized for the plan: peak replicas, baseline replicas, utilisation.

A measured service's capacity comes from its latency curve and USL fit
(:mod:`capacity._service_capacity`); the others' from their M/M/c queue. In
the probe the services shared each replica: given the store's CPU, the
shared work is split between them (:func:`capacity.estimate_service_demands`)
and each is sized at a replica of its own, unless the split is too vague to
trust. The services are those of the run's target description; one the
topology has no tier data for is planned with the defaults, said in a note
(:func:`fleet_topology`). A service users call but never during the
plateaus (a login in ``on_start``, before the first hold) has no measured
demand: it is held at its ``min_replicas`` and marked not sized
(:attr:`ServiceSizing.not_sized_because`), never sized from a demand of zero.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from stampede.capacity._demand import Demand
from stampede.capacity._history import endpoint_rows
from stampede.capacity._latency_curve import service_points
from stampede.capacity._plateaus import Plateaus
from stampede.capacity._service_capacity import (
    ServiceCapacity,
    dedicated_capacity,
    measured_capacity,
    queueing_capacity,
)
from stampede.capacity._service_demand import ServiceDemands, estimate_service_demands
from stampede.capacity._services import ServiceMap
from stampede.capacity._sizing import ServiceSizing, hold_unsized, replicas_for, size_service
from stampede.capacity._topology import ServiceSpec, Topology
from stampede.core.errors import ConfigError

#: a CPU split is used only when it explains this much of the CPU …
MIN_SPLIT_R_SQUARED = 0.5
#: … and no service's share is less certain than this (one standard error)
MAX_SHARE_ERROR = 0.15
#: the service time assumed for a derived service the topology gives none
DEFAULT_DERIVED_SERVICE_TIME_MS = 50.0


def fleet_topology(topology: Topology, services: ServiceMap) -> tuple[Topology, list[str]]:
    """``topology`` for exactly the services of ``services``, and what it had to assume.

    A service the topology gives no tier data (or a derived one no service
    time) is planned with :class:`ServiceSpec`'s defaults (and
    :data:`DEFAULT_DERIVED_SERVICE_TIME_MS`); services the description does
    not name are not planned.
    """
    specs: dict[str, ServiceSpec] = {}
    notes: list[str] = []
    plain = ServiceSpec()
    derived = {d.name for d in services.derived}
    for name in services.names:
        spec = topology.services.get(name, plain)
        if spec == plain:
            notes.append(
                f"the topology has no tier data for {name}: planned as a default task "
                f"({plain.vcpu:g} vCPU, {plain.memory_gb:g} GB, {plain.min_replicas}–"
                f"{plain.max_replicas} replicas, {plain.slo_share:.0%} of the SLO); "
                f"set services.{name} in a topology file (--topology)."
            )
        if name in derived and spec.service_time_ms is None:
            notes.append(
                f"{name} is derived (users never call it) and the topology gives it no "
                f"service_time_ms: assumed {DEFAULT_DERIVED_SERVICE_TIME_MS:g} ms on "
                f"{spec.slots_per_replica} slots per replica; set "
                f"services.{name}.service_time_ms."
            )
            spec = dataclasses.replace(spec, service_time_ms=DEFAULT_DERIVED_SERVICE_TIME_MS)
        specs[name] = spec
    return dataclasses.replace(topology, services=specs), notes


@dataclass(frozen=True, eq=False)
class Fleet:
    """Every service sized at the peak and on an ordinary day.

    ``utilization`` is each service's baseline load over its baseline
    replicas' safe throughput; ``demands`` the CPU split of the shared
    replica, when one was estimated; ``notes`` what the sizing warns of.
    """

    sizing: Mapping[str, ServiceSizing]
    baseline_replicas: Mapping[str, int]
    utilization: Mapping[str, float]
    demands: ServiceDemands | None
    notes: tuple[str, ...]


def _capacities(
    services: ServiceMap,
    plateaus: Plateaus,
    topology: Topology,
    slo: float,
    shares: Mapping[str, float] | None,
    demands: ServiceDemands | None,
) -> dict[str, ServiceCapacity]:
    out: dict[str, ServiceCapacity] = {}
    for service in services.names:
        spec = topology.service(service)
        points = service_points(plateaus, service) if service in services.measured else None
        if points is not None and points.throughput:
            out[service] = measured_capacity(service, points, spec, slo)
            if shares is not None and service in shares:
                cpu = demands.cpu_ms[service] if demands is not None else None
                out[service] = dedicated_capacity(out[service], shares[service], cpu)
        elif service in services.measured:
            out[service] = _unmeasured_capacity(service, spec, slo)
        else:
            out[service] = queueing_capacity(service, spec, slo)
    return out


def _unmeasured_capacity(service: str, spec: ServiceSpec, slo: float) -> ServiceCapacity:
    """What one replica of a service no plateau measured takes, by its M/M/c queue of the
    topology's service time (or an assumed one): for its autoscaling thresholds only."""
    stated = spec.service_time_ms is not None
    if not stated:
        spec = dataclasses.replace(spec, service_time_ms=DEFAULT_DERIVED_SERVICE_TIME_MS)
    capacity = queueing_capacity(service, spec, slo)
    basis = "the topology's" if stated else "an assumed (no services.{0}.service_time_ms)"
    note = (
        f"the autoscaling thresholds of {service} take {capacity.safe_rps_per_replica:,.1f} req/s "
        f"a replica from {basis.format(service)} service time of {spec.service_time_ms:g} ms."
    )
    return dataclasses.replace(capacity, method="not measured", notes=(note,))


def requests_seen(history: pd.DataFrame, services: ServiceMap) -> dict[str, int]:
    """Requests each measured service answered over the whole run, plateaus or not."""
    seen: dict[str, int] = {}
    for (kind, name), rows in endpoint_rows(history).groupby(["type", "name"], sort=True):
        service = services.description.service_of(f"{kind} {name}" if kind else str(name))
        total = rows["total_requests"].max()
        if service is not None and pd.notna(total):
            seen[service] = seen.get(service, 0) + int(total)
    return seen


def _not_sized_because(service: str, seen: int, users: float, spec: ServiceSpec) -> str:
    where = (
        f"none of its {seen:,} requests came inside the probe's plateaus (its users call "
        "it only outside them: in on_start, say, before the first hold)"
        if seen
        else "no user called it in the run"
    )
    return (
        f"{service} was not measured enough to size: {where}, so its demand at "
        f"{users:,.0f} users is unknown; it is planned at its min_replicas "
        f"({spec.min_replicas}), not sized: call it from a task during the holds, or set "
        f"services.{service}.min_replicas to the replicas it needs."
    )


def _replica_shares(
    history: pd.DataFrame,
    cpu: pd.DataFrame | None,
    plateaus: Plateaus,
    services: ServiceMap,
    notes: list[str],
) -> tuple[ServiceDemands | None, dict[str, float] | None]:
    """Each measured service's share of a shared replica's work, from the process's CPU."""
    if cpu is None:  # the services ran apart, or nobody measured the shared process
        return None, None
    try:
        demands = estimate_service_demands(history, cpu, services=services)
        mean_x = plateaus.services.groupby("service")["throughput"].mean()
        rates = {s: float(mean_x.get(s, 0.0)) for s in services.measured}
        shares = demands.shares(rates)
    except ConfigError as exc:
        notes.append(f"services sized at their share of a shared replica: {exc}")
        return None, None
    errors = demands.share_errors(rates)
    vague = sorted((s for s in errors if errors[s] > MAX_SHARE_ERROR), key=lambda s: -errors[s])
    if demands.r_squared < MIN_SPLIT_R_SQUARED or vague:
        why = (
            f"{vague[0]}'s share is {shares[vague[0]]:.0%} ± {errors[vague[0]]:.0%}"
            if vague
            else f"the regression explains only {demands.r_squared:.0%} of the store's CPU"
        )
        notes.append(
            f"the store's CPU could not be split between its services ({why}), so each is "
            "sized at the throughput it had while sharing a worker, which over-counts "
            "replicas; a longer probe (the profile's own time scale) splits it."
        )
        return demands, None
    return demands, shares


def size_fleet(
    services: ServiceMap,
    history: pd.DataFrame,
    store_cpu: pd.DataFrame | None,
    plateaus: Plateaus,
    topology: Topology,
    slo_p95_ms: float,
    peak: Demand,
    base: Demand,
) -> Fleet:
    """Size every service of ``services`` for the ``peak`` demand and the ordinary day's ``base``.

    ``topology`` covers exactly those services (:func:`fleet_topology`).
    """
    notes: list[str] = []
    demands, shares = _replica_shares(history, store_cpu, plateaus, services, notes)
    capacities = _capacities(services, plateaus, topology, slo_p95_ms, shares, demands)
    seen = requests_seen(history, services)
    sizing: dict[str, ServiceSizing] = {}
    for s in services.names:
        spec = topology.service(s)
        if capacities[s].method == "not measured":
            why = _not_sized_because(s, seen.get(s, 0), peak.users, spec)
            sizing[s] = hold_unsized(capacities[s], spec, why)
        else:
            sizing[s] = size_service(capacities[s], peak.per_service[s], spec)
    baseline: dict[str, int] = {}
    utilization: dict[str, float] = {}
    for s in services.names:
        spec, per_replica = topology.service(s), capacities[s].safe_rps_per_replica
        need = replicas_for(base.per_service[s], per_replica, spec.target_utilization)
        baseline[s] = (
            sizing[s].replicas if sizing[s].not_sized_because else max(spec.min_replicas, need)
        )
        utilization[s] = base.per_service[s] / (baseline[s] * per_replica)
    for size in sizing.values():
        held = () if size.not_sized_because is None else (size.not_sized_because,)
        notes.extend(held + size.notes + size.capacity.notes)
    return Fleet(sizing, baseline, utilization, demands, tuple(notes))
