"""Capacity planning for flash sales: pure models over a Locust stats history.

From a capacity-probe run (:func:`load_stats_history`) the package finds the
steady plateaus, fits the Universal Scalability Law, turns a target user
count into demand per service, sizes replicas and the shared tiers, writes
autoscaling policies for Kubernetes and AWS, replays a sale through simulated
autoscalers and prices the result. :func:`make_plan` does all of it and
:func:`write_plan` writes the files. Nothing here imports ``locust``.
"""

from stampede.capacity._charts import plot_demand_supply, plot_waterfall
from stampede.capacity._controllers import (
    EcsConfig,
    EcsController,
    HpaConfig,
    HpaController,
    hpa_desired_replicas,
)
from stampede.capacity._cost import (
    CostLine,
    CostReport,
    LoadPoint,
    WaterfallStep,
    cost_report,
    savings_waterfall,
)
from stampede.capacity._demand import (
    BusinessDemand,
    Demand,
    Pace,
    VisitRatios,
    demand_at,
    requests_per_user,
    shopper_pace,
    visit_ratios,
)
from stampede.capacity._drain import DrainChoice, choose_drain, with_drain
from stampede.capacity._elasticity import ElasticityMetrics, elasticity_metrics
from stampede.capacity._history import HISTORY_COLUMNS, load_stats_history, normalize_history
from stampede.capacity._latency_curve import Crossing, measured_crossing
from stampede.capacity._plan import CapacityPlan, make_plan
from stampede.capacity._plan_config import (
    Autoscaling,
    PlanConfig,
    PlateauDetection,
    ProbeFacts,
    SaleSimulation,
    SaleWindow,
)
from stampede.capacity._plateaus import (
    Endpoint,
    MeasuredPlateau,
    OutcomeAnswers,
    Plateaus,
    WindowLatency,
    detect_plateaus,
    plateau_frame,
)
from stampede.capacity._policies import (
    CronPrewarm,
    EcsPolicy,
    HpaPolicy,
    LeadTime,
    QueueScaling,
    ScalingBehavior,
    ScalingRule,
    ScheduledAction,
    cron_prewarm,
    ecs_policy,
    hpa_policy,
    lead_time,
    queue_scaling,
)
from stampede.capacity._prices import PriceRow, PriceSheet, load_prices, price_sheet_from_mapping
from stampede.capacity._queueing import (
    MmcAnswer,
    allen_cunneen_factor,
    erlang_c,
    max_arrival_rate_for_percentile,
    mean_wait,
    min_servers_for_percentile,
    mmc_safe_rate,
    response_time_percentile,
)
from stampede.capacity._render import render_aws, render_hpa, render_keda
from stampede.capacity._service_capacity import ServiceCapacity
from stampede.capacity._service_demand import (
    ServiceDemands,
    estimate_service_demands,
    per_second_counts,
)
from stampede.capacity._services import (
    MEASURED_SERVICES,
    SERVICES,
    ServiceMap,
    reference_services,
)
from stampede.capacity._simulate import (
    SimulationResult,
    SimulationSetup,
    TaskStartDelay,
    compare_strategies,
    flash_sale_demand,
    simulate,
)
from stampede.capacity._sizing import ServiceSizing, replicas_for, size_service
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
from stampede.capacity._topology import (
    ServiceSpec,
    SharedTiers,
    Topology,
    default_topology,
    load_topology,
    topology_from_mapping,
)
from stampede.capacity._usl import UslFit, fit_usl
from stampede.capacity._windows import LevelWindow
from stampede.capacity._write import plan_document, write_plan

__all__ = [
    "HISTORY_COLUMNS",
    "MEASURED_SERVICES",
    "SERVICES",
    "Autoscaling",
    "BusinessDemand",
    "CapacityPlan",
    "CostLine",
    "CostReport",
    "CronPrewarm",
    "Crossing",
    "DatabaseConnections",
    "Demand",
    "DrainChoice",
    "EcsConfig",
    "EcsController",
    "EcsPolicy",
    "ElasticityMetrics",
    "Endpoint",
    "GeneratorMeasurement",
    "GeneratorSizing",
    "HpaConfig",
    "HpaController",
    "HpaPolicy",
    "LeadTime",
    "LevelWindow",
    "LoadPoint",
    "MeasuredPlateau",
    "MmcAnswer",
    "OutboxDrain",
    "OutcomeAnswers",
    "Pace",
    "PlanConfig",
    "PlateauDetection",
    "Plateaus",
    "PriceRow",
    "PriceSheet",
    "ProbeFacts",
    "QueueScaling",
    "RedisLoad",
    "SaleSimulation",
    "SaleWindow",
    "ScalingBehavior",
    "ScalingRule",
    "ScheduledAction",
    "ServiceCapacity",
    "ServiceDemands",
    "ServiceMap",
    "ServiceSizing",
    "ServiceSpec",
    "SharedTiers",
    "SimulationResult",
    "SimulationSetup",
    "TaskStartDelay",
    "Topology",
    "UslFit",
    "VisitRatios",
    "WaterfallStep",
    "WindowLatency",
    "allen_cunneen_factor",
    "choose_drain",
    "compare_strategies",
    "cost_report",
    "cron_prewarm",
    "database_connections",
    "default_topology",
    "demand_at",
    "detect_plateaus",
    "ecs_policy",
    "elasticity_metrics",
    "erlang_c",
    "estimate_service_demands",
    "fit_usl",
    "flash_sale_demand",
    "generator_sizing",
    "hpa_desired_replicas",
    "hpa_policy",
    "lead_time",
    "load_prices",
    "load_stats_history",
    "load_topology",
    "make_plan",
    "max_arrival_rate_for_percentile",
    "mean_wait",
    "measured_crossing",
    "min_servers_for_percentile",
    "mmc_safe_rate",
    "normalize_history",
    "outbox_drain",
    "per_second_counts",
    "plan_document",
    "plateau_frame",
    "plot_demand_supply",
    "plot_waterfall",
    "price_sheet_from_mapping",
    "queue_scaling",
    "redis_load",
    "reference_services",
    "render_aws",
    "render_hpa",
    "render_keda",
    "replicas_for",
    "requests_per_user",
    "response_time_percentile",
    "savings_waterfall",
    "shopper_pace",
    "simulate",
    "size_service",
    "topology_from_mapping",
    "visit_ratios",
    "with_drain",
    "write_plan",
]
