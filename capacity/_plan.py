"""One call from a stats history to a capacity plan.

:func:`make_plan` chains the models, one named step each: plateaus → USL fit →
demand at the target → replicas per service (:func:`capacity._fleet.size_fleet`)
→ shared tiers → policies → simulation of the three strategies → cost.
Everything is pure; :func:`capacity.write_plan` writes the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from stampede.capacity._cost import CostReport, LoadPoint, cost_report
from stampede.capacity._demand import (
    BusinessDemand,
    Demand,
    Pace,
    VisitRatios,
    demand_at,
    shopper_pace,
    visit_ratios,
)
from stampede.capacity._feasibility import Feasibility, TierState, feasibility
from stampede.capacity._fleet import Fleet, fleet_topology, size_fleet
from stampede.capacity._history import normalize_history
from stampede.capacity._plan_config import PLACEHOLDER_SALE_START, PlanConfig, SaleWindow
from stampede.capacity._plateaus import Plateaus, detect_plateaus
from stampede.capacity._policies import CronPrewarm, EcsPolicy, HpaPolicy, LeadTime, lead_time
from stampede.capacity._prices import PriceSheet, load_prices
from stampede.capacity._sale import sale_policies, simulate_sale
from stampede.capacity._service_demand import ServiceDemands
from stampede.capacity._services import ServiceMap, reference_services
from stampede.capacity._simulate import SimulationResult
from stampede.capacity._sizing import ServiceSizing
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
    #: the business's conversion, visit length, pace and ordinary day
    business: BusinessDemand
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
    #: the fixes the shared tiers need at the peak, priced; feasible as planned when none
    feasibility: Feasibility

    @property
    def pace(self) -> Pace:
        """A shopper's requests per second in the demand, and where the figure came from."""
        return shopper_pace(self.plateaus, self.think_time_s, self.business)


def _checks(config: PlanConfig, plateaus: Plateaus, tiers: _SharedTiers) -> list[str]:
    db, redis, outbox = tiers.database, tiers.redis, tiers.outbox
    notes: list[str] = []
    think_time_s = config.run.think_time_s
    # a stated pace replaces the measured one: nothing to compare with the think time
    if think_time_s is not None and think_time_s > 0 and config.business.pace_rps is None:
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


@dataclass(frozen=True)
class _Load:
    """The demand at the sale's peak and on an ordinary day."""

    ratios: VisitRatios
    baseline_users: float
    peak: Demand
    base: Demand
    pace: Pace


@dataclass(frozen=True)
class _Measured:
    """What the probe run says about the store: its plateaus, their USL fit, the load."""

    history: pd.DataFrame
    plateaus: Plateaus
    usl: UslFit
    load: _Load


def _measure(history: pd.DataFrame, config: PlanConfig, services: ServiceMap) -> _Measured:
    """Plateaus of the normalised history, their USL fit and the demand they imply."""
    normalized = normalize_history(history)
    found = config.plateaus
    plateaus = detect_plateaus(
        normalized,
        warmup_s=found.warmup_s,
        min_duration_s=found.min_duration_s,
        think_time_s=config.run.think_time_s,
        settle_factor=found.settle_factor,
        latency=config.run.latency,
        services=services,
        windows=config.run.levels,
        outcomes=config.run.outcomes,
    )
    usl = fit_usl([p.concurrency for p in plateaus.points], [p.throughput for p in plateaus.points])
    ratios = visit_ratios(plateaus, services)
    business = config.business
    pace = shopper_pace(plateaus, config.run.think_time_s, business)
    base_users = config.baseline_users
    if base_users is None:
        base_users = business.baseline_users(config.target_users)
    load = _Load(
        ratios,
        base_users,
        demand_at(config.target_users, pace.rps, ratios, business),
        demand_at(base_users, pace.rps, ratios, business),
        pace,
    )
    return _Measured(normalized, plateaus, usl, load)


def _size(
    measured: _Measured, services: ServiceMap, topology: Topology, config: PlanConfig
) -> Fleet:
    """Every service's replicas at the peak and on an ordinary day."""
    load = measured.load
    return size_fleet(
        services,
        measured.history,
        config.run.store_cpu,
        measured.plateaus,
        topology,
        config.slo_p95_ms,
        load.peak,
        load.base,
    )


def _sale_window(sale: SaleWindow) -> tuple[datetime, datetime, list[str]]:
    """When the sale opens and closes, and a warning when its start is a placeholder."""
    notes = []
    if sale.start is None:
        notes.append("no sale_start given; the schedules use 2030-01-01 09:00 as a placeholder.")
    start = sale.start or PLACEHOLDER_SALE_START
    return start, start + timedelta(seconds=sale.duration_s), notes


def _generator(peak: Demand, config: PlanConfig) -> tuple[GeneratorSizing, list[str]]:
    """Locust workers for the peak, from the run's measurement or an assumption."""
    measured = config.run.generator
    notes = []
    if measured is None:
        notes.append("no generator measurement given; assumed 500 req/s per core at 70 % CPU.")
    return generator_sizing(
        peak.total_rps, config.target_users, measured or DEFAULT_GENERATOR
    ), notes


def _lead_times(topology: Topology) -> dict[str, LeadTime]:
    """How long before the sale each controller must act, given the slowest task start."""
    task_p95 = max(spec.task_start_p95_s for spec in topology.services.values())
    return {c: lead_time(c, task_start_s=task_p95) for c in ("hpa", "ecs")}


def _cost(
    fleet: Fleet,
    load: _Load,
    topology: Topology,
    prices: PriceSheet,
    leads: Mapping[str, LeadTime],
    config: PlanConfig,
) -> CostReport:
    """The month at baseline replicas and the sale window (with its lead) at peak replicas."""
    base, peak, sale_s = load.base, load.peak, config.sale.duration_s
    peak_replicas = {s: z.replicas for s, z in fleet.sizing.items()}
    return cost_report(
        LoadPoint(
            fleet.baseline_replicas, base.per_service, base.paid_orders_per_s, base.total_rps
        ),
        LoadPoint(peak_replicas, peak.per_service, peak.paid_orders_per_s, peak.total_rps),
        topology,
        prices,
        sale_hours=(sale_s + max(lt.total_s for lt in leads.values())) / 3600.0,
        selling_hours=sale_s / 3600.0,
        utilization=fleet.utilization,
        spot_share=config.spot_share,
    )


@dataclass(frozen=True)
class _SharedTiers:
    database: DatabaseConnections
    redis: RedisLoad
    outbox: OutboxDrain


def _shared_tiers(fleet: Fleet, load: _Load, topology: Topology, sale_s: int) -> _SharedTiers:
    """The database connections, Redis nodes and outbox drain the planned replicas need."""
    replicas = {s: z.replicas for s, z in fleet.sizing.items()}
    return _SharedTiers(
        database_connections(replicas, topology),
        redis_load(load.peak.per_service, topology),
        outbox_drain(
            load.peak.paid_orders_per_s,
            sale_s,
            topology,
            after_sale_orders_per_s=load.base.paid_orders_per_s,
        ),
    )


@dataclass(frozen=True)
class _Policies:
    leads: Mapping[str, LeadTime]
    hpa: Mapping[str, HpaPolicy]
    keda: Mapping[str, CronPrewarm]
    ecs: Mapping[str, EcsPolicy]
    simulations: Mapping[str, tuple[SimulationResult, ...]]


def _policies(
    fleet: Fleet, load: _Load, topology: Topology, prices: PriceSheet, config: PlanConfig
) -> tuple[_Policies, datetime, list[str]]:
    """The autoscaling policies for the sale window and their simulated replay."""
    start, end, notes = _sale_window(config.sale)
    leads = _lead_times(topology)
    sizing, baseline = fleet.sizing, fleet.baseline_replicas
    hpas, kedas, ecss = sale_policies(
        sizing, baseline, topology, leads, start, end, config.autoscaling
    )
    sims = simulate_sale(
        sizing,
        load.base,
        load.peak,
        baseline,
        topology,
        prices,
        leads,
        config.simulation,
        config.sale.duration_s,
    )
    return _Policies(leads, hpas, kedas, ecss, sims), start, notes


def _feasibility(
    fleet: Fleet, tiers: _SharedTiers, cost: CostReport, topology: Topology, prices: PriceSheet
) -> Feasibility:
    """The fixes the shared tiers need at the planned peak, priced over the sale window."""
    peak = {s: z.replicas for s, z in fleet.sizing.items()}
    state = TierState(tiers.database, tiers.redis, tiers.outbox, peak, cost.sale_hours)
    return feasibility(state, topology, prices)


def make_plan(history: pd.DataFrame, config: PlanConfig) -> CapacityPlan:
    """Plan capacity for a flash sale from a capacity-probe run.

    Parameters
    ----------
    history : pandas.DataFrame
        The run's stats history (:func:`capacity.load_stats_history`).
    config : PlanConfig
        The target, the SLO, the sale, the run's other facts (its services),
        prices, topology and the policies' and simulation's settings.

    Returns
    -------
    CapacityPlan

    Raises
    ------
    ConfigError
        On too few plateaus, an endpoint in no service, or an SLO none can meet.
    """
    services, prices = config.run.services or reference_services(), config.prices or load_prices()
    topology, assumed = fleet_topology(config.topology or default_topology(), services)
    measured = _measure(history, config, services)
    load, fleet = measured.load, _size(measured, services, topology, config)
    tiers = _shared_tiers(fleet, load, topology, config.sale.duration_s)
    generator, generator_notes = _generator(load.peak, config)
    policies, start, sale_notes = _policies(fleet, load, topology, prices, config)
    checks = _checks(config, measured.plateaus, tiers)
    warnings = (*assumed, *measured.usl.warnings, *fleet.notes, *checks, *generator_notes)
    cost = _cost(fleet, load, topology, prices, policies.leads, config)
    return CapacityPlan(
        config.target_users,
        load.baseline_users,
        config.slo_p95_ms,
        config.run.think_time_s,
        config.business,
        start,
        config.sale.duration_s,
        topology,
        measured.plateaus,
        measured.usl,
        fleet.demands,
        load.ratios,
        load.peak,
        load.base,
        fleet.sizing,
        fleet.baseline_replicas,
        tiers.database,
        tiers.redis,
        tiers.outbox,
        generator,
        policies.leads,
        policies.hpa,
        policies.keda,
        policies.ecs,
        policies.simulations,
        cost,
        tuple(dict.fromkeys((*warnings, *sale_notes))),
        _feasibility(fleet, tiers, cost, topology, prices),
    )
