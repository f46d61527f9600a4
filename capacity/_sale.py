"""The sale itself: autoscaling policies for every service, and the replay of
the sale's demand through them under the three strategies.

Both take the sizing :func:`capacity.make_plan` computed; they are split out
to keep the orchestration readable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from stampede.capacity._demand import Demand
from stampede.capacity._plan_config import Autoscaling, SaleSimulation
from stampede.capacity._policies import (
    CronPrewarm,
    EcsPolicy,
    HpaPolicy,
    LeadTime,
    cron_prewarm,
    ecs_policy,
    hpa_policy,
    queue_scaling,
)
from stampede.capacity._prices import PriceSheet
from stampede.capacity._simulate import (
    SimulationResult,
    SimulationSetup,
    TaskStartDelay,
    compare_strategies,
    flash_sale_demand,
)
from stampede.capacity._sizing import ServiceSizing
from stampede.capacity._topology import Topology
from stampede.core.errors import ConfigError


def _alb_label(
    service: str, topology: Topology, autoscaling: Autoscaling, services: int
) -> str | None:
    """The service's own target-group label; one label for several services is refused."""
    own = topology.service(service).alb_resource_label
    if own or autoscaling.ecs_metric != "alb":
        return own
    if autoscaling.alb_resource_label and services > 1:
        raise ConfigError(
            f"one ALB target-group label ({autoscaling.alb_resource_label}) for {services} "
            f"services: requests per target counts one target group each; set "
            f"services.{service}.alb_resource_label in the topology for every service."
        )
    return autoscaling.alb_resource_label


def sale_policies(
    sizing: Mapping[str, ServiceSizing],
    baseline: Mapping[str, int],
    topology: Topology,
    leads: Mapping[str, LeadTime],
    sale_start: datetime,
    sale_end: datetime,
    autoscaling: Autoscaling,
) -> tuple[dict[str, HpaPolicy], dict[str, CronPrewarm], dict[str, EcsPolicy]]:
    """Each service's HPA, KEDA cron pre-warm and ECS policy for the sale."""
    hpas, kedas, ecss = {}, {}, {}
    for s, size in sizing.items():
        spec = topology.service(s)
        top = max(spec.max_replicas, size.replicas)
        per_replica = size.capacity.safe_rps_per_replica
        hpas[s] = hpa_policy(
            s,
            topology.namespace,
            min_replicas=baseline[s],
            max_replicas=top,
            target_utilization=spec.target_utilization,
            metric=autoscaling.hpa_metric,
            safe_rps_per_replica=per_replica,
        )
        kedas[s] = cron_prewarm(
            hpas[s],
            timezone=topology.timezone,
            sale_start=sale_start,
            sale_end=sale_end,
            lead=leads["hpa"],
            peak_replicas=size.replicas,
            queue=None
            if spec.queue is None
            else queue_scaling(
                spec.queue,
                safe_rps_per_replica=per_replica,
                target_utilization=spec.target_utilization,
                lag_s=spec.queue_lag_s,
            ),
        )
        ecss[s] = ecs_policy(
            s,
            topology.cluster,
            timezone=topology.timezone,
            baseline=baseline[s],
            peak=size.replicas,
            max_capacity=top,
            target_utilization=spec.target_utilization,
            safe_rps_per_replica=per_replica,
            sale_start=sale_start,
            sale_end=sale_end,
            lead=leads["ecs"],
            metric=autoscaling.ecs_metric,
            resource_label=_alb_label(s, topology, autoscaling, len(sizing)),
        )
    return hpas, kedas, ecss


def simulate_sale(
    plan_sizing: Mapping[str, ServiceSizing],
    baseline: Demand,
    peak: Demand,
    baseline_replicas: Mapping[str, int],
    topology: Topology,
    prices: PriceSheet,
    leads: Mapping[str, LeadTime],
    simulation: SaleSimulation,
    sale_s: int,
) -> dict[str, tuple[SimulationResult, ...]]:
    """The sale's demand replayed through each service's autoscaler, by ``service/controller``."""
    out: dict[str, tuple[SimulationResult, ...]] = {}
    for controller in simulation.controllers:
        lead = leads[controller]
        before = math.ceil(lead.total_s) + 600
        for s, size in plan_sizing.items():
            spec = topology.service(s)
            curve = flash_sale_demand(
                baseline.per_service[s],
                peak.per_service[s],
                before_s=before,
                ramp_s=min(simulation.ramp_s, before),
                sale_s=sale_s,
                after_s=900,
            )
            setup = SimulationSetup(
                replica_rps=size.capacity.safe_rps_per_replica,
                target_utilization=spec.target_utilization,
                min_replicas=baseline_replicas[s],
                max_replicas=max(spec.max_replicas, size.replicas),
                peak_replicas=size.replicas,
                task_start=TaskStartDelay(spec.task_start_median_s, spec.task_start_p95_s),
                price_per_task_hour=prices.task_hour(spec.vcpu, spec.memory_gb, spec.arch),
                prewarm_at_s=before - math.ceil(lead.total_s),
                release_at_s=before + sale_s,
                controller=controller,
                seed=simulation.seed,
            )
            out[f"{s}/{controller}"] = compare_strategies(curve, setup)
    return out
