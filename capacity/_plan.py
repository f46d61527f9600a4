"""One call from a stats history to a capacity plan.

:func:`make_plan` chains the models: plateaus → USL fit → demand at the
target → replicas per service → shared tiers → policies → simulation of the
three strategies → cost. Everything is pure; :func:`capacity.write_plan`
writes the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from stampede.capacity._cost import CostReport, LoadPoint, cost_report
from stampede.capacity._demand import (
    Demand,
    VisitRatios,
    demand_at,
    requests_per_user,
    visit_ratios,
)
from stampede.capacity._history import normalize_history
from stampede.capacity._plateaus import Plateaus, WindowLatency, detect_plateaus
from stampede.capacity._policies import (
    CronPrewarm,
    EcsMetric,
    EcsPolicy,
    HpaMetric,
    HpaPolicy,
    LeadTime,
    lead_time,
)
from stampede.capacity._prices import PriceSheet, load_prices
from stampede.capacity._sale import sale_policies, simulate_sale
from stampede.capacity._service_demand import ServiceDemands, estimate_service_demands
from stampede.capacity._services import MEASURED_SERVICES, SERVICES
from stampede.capacity._simulate import (
    Controller,
    SimulationResult,
)
from stampede.capacity._sizing import (
    ServiceCapacity,
    ServiceSizing,
    dedicated_capacity,
    measured_capacity,
    queueing_capacity,
    replicas_for,
    service_points,
    size_service,
)
from stampede.capacity._tiers import (
    DatabaseConnections,
    GeneratorMeasurement,
    GeneratorSizing,
    OutboxDrain,
    RedisLoad,
    database_connections,
    generator_sizing,
    outbox_drain,
    redis_load,
)
from stampede.capacity._topology import Topology, default_topology
from stampede.capacity._usl import UslFit, fit_usl
from stampede.core.errors import ConfigError

PLACEHOLDER_SALE_START = datetime(2030, 1, 1, 9, 0)
#: a CPU split is used only when it explains this much of the CPU …
MIN_SPLIT_R_SQUARED = 0.5
#: … and no service's share is less certain than this (one standard error)
MAX_SHARE_ERROR = 0.15
DEFAULT_GENERATOR = GeneratorMeasurement(
    rps_per_core=500.0, cpu_fraction=0.7, memory_mb_per_user=1.0
)


@dataclass(frozen=True, eq=False)
class CapacityPlan:
    """Everything the planner concluded, as plain data."""

    target_users: float
    baseline_users: float
    slo_p95_ms: float
    think_time_s: float | None
    sale_start: datetime
    sale_duration_s: int
    topology: Topology
    plateaus: Plateaus
    usl: UslFit
    service_demands: ServiceDemands | None
    ratios: VisitRatios
    peak_demand: Demand
    baseline_demand: Demand
    sizing: Mapping[str, ServiceSizing]
    baseline_replicas: Mapping[str, int]
    database: DatabaseConnections
    redis: RedisLoad
    outbox: OutboxDrain
    generator: GeneratorSizing
    lead_times: Mapping[str, LeadTime]
    hpa: Mapping[str, HpaPolicy]
    keda: Mapping[str, CronPrewarm]
    ecs: Mapping[str, EcsPolicy]
    simulations: Mapping[str, tuple[SimulationResult, ...]]
    cost: CostReport
    warnings: tuple[str, ...]


def _capacities(
    plateaus: Plateaus,
    topology: Topology,
    slo: float,
    shares: Mapping[str, float] | None,
    demands: ServiceDemands | None,
) -> dict[str, ServiceCapacity]:
    out: dict[str, ServiceCapacity] = {}
    for service in SERVICES:
        spec = topology.service(service)
        points = service_points(plateaus, service) if service in MEASURED_SERVICES else None
        if points is not None and points.throughput:
            out[service] = measured_capacity(service, points, spec, slo)
            if shares is not None and service in shares:
                cpu = demands.cpu_ms[service] if demands is not None else None
                out[service] = dedicated_capacity(out[service], shares[service], cpu)
        else:
            out[service] = queueing_capacity(service, spec, slo)
    return out


def _replica_shares(
    history: pd.DataFrame, cpu: pd.DataFrame | None, plateaus: Plateaus, notes: list[str]
) -> tuple[ServiceDemands | None, dict[str, float] | None]:
    """Each measured service's share of a shared replica's work, from the process's CPU."""
    if cpu is None:  # the services ran apart, or nobody measured the shared process
        return None, None
    try:
        demands = estimate_service_demands(history, cpu)
        mean_x = plateaus.services.groupby("service")["throughput"].mean()
        rates = {s: float(mean_x.get(s, 0.0)) for s in MEASURED_SERVICES}
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


def _size(
    plateaus: Plateaus,
    topology: Topology,
    slo: float,
    peak: Demand,
    base: Demand,
    shares: Mapping[str, float] | None,
    demands: ServiceDemands | None,
) -> tuple[dict[str, ServiceSizing], dict[str, int], dict[str, float]]:
    """Peak sizing, baseline replicas, and baseline utilisation of each service."""
    capacities = _capacities(plateaus, topology, slo, shares, demands)
    sizing = {
        s: size_service(capacities[s], peak.per_service[s], topology.service(s)) for s in SERVICES
    }
    baseline: dict[str, int] = {}
    utilization: dict[str, float] = {}
    for s in SERVICES:
        spec, per_replica = topology.service(s), capacities[s].safe_rps_per_replica
        need = replicas_for(base.per_service[s], per_replica, spec.target_utilization)
        baseline[s] = max(spec.min_replicas, need)
        utilization[s] = base.per_service[s] / (baseline[s] * per_replica)
    return sizing, baseline, utilization


def _checks(
    think_time_s: float | None,
    plateaus: Plateaus,
    db: DatabaseConnections,
    redis: RedisLoad,
    outbox: OutboxDrain,
) -> list[str]:
    notes: list[str] = []
    if think_time_s is not None and think_time_s > 0:
        lightest = min(plateaus.points, key=lambda p: p.users)
        # Little's law for one user: requests per (response + think) cycle
        per_think = lightest.throughput / lightest.users * (lightest.mean_ms / 1000 + think_time_s)
        if abs(per_think - 1.0) > 0.2:
            notes.append(
                f"each user sent {per_think:.2f} requests per think time of {think_time_s:g} s "
                f"at the lightest plateau (a think time of {lightest.implied_think_time_s:.2f} s "
                "per request); demand uses the measured "
                f"{lightest.throughput / lightest.users:.3f} req/s per user, not 1/(R + Z)."
            )
    worst = max(p.error_rate for p in plateaus.points)
    if worst > 0.01:
        notes.append(f"a plateau failed {worst:.1%} of requests; latency there is unreliable.")
    if not db.fits:
        notes.append(
            f"the replicas open {db.total} database connections and {db.available} are "
            "available; add a pooler (PgBouncer) or shrink db_pool_size."
        )
    if not redis.fits:
        notes.append(
            f"Redis needs {redis.nodes_needed} nodes and {redis.nodes_planned} are planned."
        )
    if math.isinf(outbox.drain_time_s):
        notes.append(
            f"the outbox relay drains {outbox.drain_per_s:,.0f} events/s, no more than ordinary "
            f"traffic adds after the sale: the {outbox.backlog_events:,.0f}-event backlog never "
            "clears; raise shared.outbox_drain_per_s (more relay workers)."
        )
    elif outbox.drain_time_s > 3600:
        notes.append(
            f"the outbox takes {outbox.drain_time_s / 60:.0f} min to drain after the sale."
        )
    return notes


def make_plan(
    history: pd.DataFrame,
    *,
    target_users: float,
    slo_p95_ms: float,
    prices: PriceSheet | None = None,
    topology: Topology | None = None,
    think_time_s: float | None = None,
    baseline_users: float | None = None,
    sale_start: datetime | None = None,
    sale_duration_s: int = 3600,
    warmup_s: float = 10.0,
    min_duration_s: float = 20.0,
    settle_factor: float | None = None,
    latency: WindowLatency | None = None,
    store_cpu: pd.DataFrame | None = None,
    generator: GeneratorMeasurement | None = None,
    hpa_metric: HpaMetric = "cpu",
    ecs_metric: EcsMetric = "cpu",
    alb_resource_label: str | None = None,
    controllers: tuple[Controller, ...] = ("hpa", "ecs"),
    ramp_s: int = 60,
    seed: int = 0,
    spot_share: float = 0.5,
) -> CapacityPlan:
    """Plan capacity for a flash sale from a capacity-probe run.

    Parameters
    ----------
    history : pandas.DataFrame
        The run's stats history (:func:`capacity.load_stats_history` or a
        frame with the same columns).
    target_users : float
        Concurrent users at the sale's peak.
    slo_p95_ms : float
        End-to-end p95 latency objective; each service gets its ``slo_share``.
    prices : PriceSheet, optional
        Unit prices; the packaged AWS us-east-1 sheet by default.
    topology : Topology, optional
        Task sizes and shared tiers; :func:`capacity.default_topology` by default.
    think_time_s : float, optional
        The scenario's mean think time between tasks; the plan says how many
        requests a user sends per think time (demand always uses the measured
        requests per user-second).
    baseline_users : float, optional
        Users on an ordinary day; a tenth of the target by default.
    sale_start : datetime, optional
        When the sale opens (local to the topology's timezone); without it the
        schedules use 2030-01-01 09:00 and the plan warns.
    sale_duration_s : int
        How long the sale lasts.
    warmup_s, min_duration_s : float
        Plateau detection: warm-up trimmed, shortest plateau kept.
    settle_factor : float, optional
        Plateau detection: also trim leading seconds slower than this multiple
        of the plateau's steady latency (see :func:`capacity.detect_plateaus`).
    latency : WindowLatency, optional
        Exact percentiles of any window of the run; without it the plateaus'
        p95s are medians of Locust's rolling-window p95.
    store_cpu : pandas.DataFrame, optional
        Cores the measured store used each second (columns ``at``, ``cores``).
        The services shared each replica; with this the plan splits a
        replica's work between them (:func:`capacity.estimate_service_demands`)
        and sizes a replica of each service alone.
    generator : GeneratorMeasurement, optional
        One Locust worker's measured throughput; an assumption by default.
    hpa_metric, ecs_metric : str
        Metric of the HPA (``"cpu"``/``"pods"``) and of ECS (``"cpu"``/``"alb"``).
    alb_resource_label : str, optional
        Needed with ``ecs_metric="alb"``.
    controllers : tuple of str
        Which controllers to simulate (``"hpa"``, ``"ecs"``).
    ramp_s : int
        Seconds the demand takes to climb to the peak in the simulation.
    seed : int
        Seed of the task start delays.
    spot_share : float
        Share of stateless tasks on Spot in the savings levers.

    Returns
    -------
    CapacityPlan

    Raises
    ------
    ConfigError
        On bad inputs, a history without enough plateaus, or an SLO no
        service can meet.
    """
    if target_users <= 0 or slo_p95_ms <= 0 or sale_duration_s <= 0:
        raise ConfigError(
            f"make_plan needs target_users, slo_p95_ms and sale_duration_s > 0, not "
            f"{target_users:g}, {slo_p95_ms:g}, {sale_duration_s}."
        )
    topology = topology or default_topology()
    prices = prices or load_prices()
    warnings: list[str] = []
    normalized = normalize_history(history)
    plateaus = detect_plateaus(
        normalized,
        warmup_s=warmup_s,
        min_duration_s=min_duration_s,
        think_time_s=think_time_s,
        settle_factor=settle_factor,
        latency=latency,
    )
    usl = fit_usl([p.concurrency for p in plateaus.points], [p.throughput for p in plateaus.points])
    warnings.extend(usl.warnings)
    ratios = visit_ratios(plateaus)
    # measured, not 1/(R + Z): a scenario's task may send several requests per think time
    per_user = requests_per_user(plateaus)
    base_users = baseline_users if baseline_users is not None else target_users / 10.0
    peak, base = demand_at(target_users, per_user, ratios), demand_at(base_users, per_user, ratios)
    demands, shares = _replica_shares(normalized, store_cpu, plateaus, warnings)
    sizing, baseline_replicas, utilization = _size(
        plateaus, topology, slo_p95_ms, peak, base, shares, demands
    )
    for size in sizing.values():
        warnings.extend(size.notes + size.capacity.notes)
    db = database_connections({s: z.replicas for s, z in sizing.items()}, topology)
    redis = redis_load(peak.per_service, topology)
    outbox = outbox_drain(
        peak.paid_orders_per_s,
        sale_duration_s,
        topology,
        after_sale_orders_per_s=base.paid_orders_per_s,
    )
    warnings.extend(_checks(think_time_s, plateaus, db, redis, outbox))
    if generator is None:
        warnings.append("no generator measurement given; assumed 500 req/s per core at 70 % CPU.")
    gen = generator_sizing(peak.total_rps, target_users, generator or DEFAULT_GENERATOR)
    if sale_start is None:
        warnings.append("no sale_start given; the schedules use 2030-01-01 09:00 as a placeholder.")
    start = sale_start or PLACEHOLDER_SALE_START
    end = start + timedelta(seconds=sale_duration_s)
    task_p95 = max(topology.service(s).task_start_p95_s for s in SERVICES)
    leads = {c: lead_time(c, task_start_s=task_p95) for c in ("hpa", "ecs")}
    hpas, kedas, ecss = sale_policies(
        sizing,
        baseline_replicas,
        topology,
        leads,
        start,
        end,
        hpa_metric,
        ecs_metric,
        alb_resource_label,
    )
    sims = simulate_sale(
        sizing,
        base,
        peak,
        baseline_replicas,
        topology,
        prices,
        leads,
        controllers,
        sale_duration_s,
        ramp_s,
        seed,
    )
    cost = cost_report(
        LoadPoint(baseline_replicas, base.per_service, base.paid_orders_per_s),
        LoadPoint(
            {s: z.replicas for s, z in sizing.items()}, peak.per_service, peak.paid_orders_per_s
        ),
        topology,
        prices,
        sale_hours=(sale_duration_s + max(lt.total_s for lt in leads.values())) / 3600.0,
        selling_hours=sale_duration_s / 3600.0,
        utilization=utilization,
        spot_share=spot_share,
    )
    return CapacityPlan(
        target_users,
        base_users,
        slo_p95_ms,
        think_time_s,
        start,
        sale_duration_s,
        topology,
        plateaus,
        usl,
        demands,
        ratios,
        peak,
        base,
        sizing,
        baseline_replicas,
        db,
        redis,
        outbox,
        gen,
        leads,
        hpas,
        kedas,
        ecss,
        sims,
        cost,
        tuple(dict.fromkeys(warnings)),
    )
