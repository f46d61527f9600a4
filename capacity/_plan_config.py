"""What :func:`capacity.make_plan` is asked: the target, the SLO, the sale and the run's facts.

One frozen :class:`PlanConfig` groups the planner's inputs besides the stats
history; each group is a small frozen dataclass of its own with the defaults
a capacity-probe run needs, so a caller names only what it knows::

    PlanConfig(
        target_users=120_000,
        slo_p95_ms=500,
        sale=SaleWindow(start=datetime(2025, 11, 28, 9), duration_s=3600),
        run=ProbeFacts(think_time_s=2.0, store_cpu=cpu),
    )

Values are checked when the config is built, with a ConfigError naming the
field and the bad value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from stampede.capacity._demand import BusinessDemand
from stampede.capacity._plateaus import OutcomeAnswers, WindowLatency
from stampede.capacity._policies import EcsMetric, HpaMetric
from stampede.capacity._prices import PriceSheet
from stampede.capacity._services import ServiceMap
from stampede.capacity._simulate import Controller
from stampede.capacity._tiers import GeneratorMeasurement
from stampede.capacity._topology import Topology
from stampede.capacity._windows import LevelWindow
from stampede.core.errors import ConfigError

#: when the schedules place a sale that was given no start (the plan warns)
PLACEHOLDER_SALE_START = datetime(2030, 1, 1, 9, 0)


@dataclass(frozen=True)
class SaleWindow:
    """When the sale opens and how long it lasts.

    Attributes
    ----------
    start : datetime, optional
        When the sale opens (local to the topology's timezone); without it the
        schedules use :data:`PLACEHOLDER_SALE_START` and the plan warns.
    duration_s : int
        How long the sale lasts, in seconds.
    """

    start: datetime | None = None
    duration_s: int = 3600

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ConfigError(
                f"the sale's duration_s is {self.duration_s}; a sale lasts 1 second or more."
            )


@dataclass(frozen=True, eq=False)
class ProbeFacts:
    """What the capacity-probe run measured or knew, besides its stats history.

    Attributes
    ----------
    think_time_s : float, optional
        The scenario's mean think time between tasks; the plan says how many
        requests a user sends per think time (demand always uses the measured
        requests per user-second).
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
    services : ServiceMap, optional
        The services of the run's target description and how its requests
        reach them; the reference store's by default.
    levels : tuple of LevelWindow, optional
        The plateaus the profile planned, for an open-model probe (whose user
        count does not change); without them, runs of equal user counts.
    outcomes : OutcomeAnswers, optional
        The share of each request's answers that were business outcomes the task
        accepted: a sold-out answer marked a success is not a paid order, nor a
        success that drives a derived service; without it every success counts.
    """

    think_time_s: float | None = None
    latency: WindowLatency | None = None
    store_cpu: pd.DataFrame | None = None
    generator: GeneratorMeasurement | None = None
    services: ServiceMap | None = None
    levels: tuple[LevelWindow, ...] | None = None
    outcomes: OutcomeAnswers | None = None


@dataclass(frozen=True)
class PlateauDetection:
    """How the run's plateaus are found (see :func:`capacity.detect_plateaus`).

    Attributes
    ----------
    warmup_s : float
        Seconds trimmed from the start of each plateau.
    min_duration_s : float
        Shortest measured window that counts as a plateau.
    settle_factor : float, optional
        Also trim leading seconds slower than this multiple of the plateau's
        steady latency.
    """

    warmup_s: float = 10.0
    min_duration_s: float = 20.0
    settle_factor: float | None = None


@dataclass(frozen=True)
class Autoscaling:
    """The metrics the autoscaling policies scale on.

    Attributes
    ----------
    hpa_metric : str
        Metric of the Kubernetes HPA: ``"cpu"`` or ``"pods"``.
    ecs_metric : str
        Metric of ECS target tracking: ``"cpu"`` or ``"alb"``.
    alb_resource_label : str, optional
        A target group's resource label, for a topology of one service; with
        several, each service's own ``alb_resource_label`` in the topology.
    """

    hpa_metric: HpaMetric = "cpu"
    ecs_metric: EcsMetric = "cpu"
    alb_resource_label: str | None = None


@dataclass(frozen=True)
class SaleSimulation:
    """How the sale is replayed through simulated autoscalers.

    Attributes
    ----------
    controllers : tuple of str
        Which controllers to simulate (``"hpa"``, ``"ecs"``).
    ramp_s : int
        Seconds the demand takes to climb to the peak.
    seed : int
        Seed of the task start delays.
    """

    controllers: tuple[Controller, ...] = ("hpa", "ecs")
    ramp_s: int = 60
    seed: int = 0


@dataclass(frozen=True, eq=False)
class PlanConfig:
    """Everything :func:`capacity.make_plan` needs besides the stats history.

    Attributes
    ----------
    target_users : float
        Concurrent users at the sale's peak.
    slo_p95_ms : float
        End-to-end p95 latency objective; each service gets its ``slo_share``.
    baseline_users : float, optional
        Users on an ordinary day; by default the business's (its daily visits, or
        its share of the peak: the case study's 5,000 of 120,000).
    business : BusinessDemand
        Conversion, visit length, pace and the ordinary day: paid orders are
        visits × conversion, not the probe's paid-order mix.
    sale : SaleWindow
        When the sale opens and how long it lasts.
    run : ProbeFacts
        What the probe run measured besides its history.
    plateaus : PlateauDetection
        How the run's plateaus are found.
    prices : PriceSheet, optional
        Unit prices; the packaged AWS us-east-1 sheet by default.
    topology : Topology, optional
        Task sizes and shared tiers; :func:`capacity.default_topology` by default.
    autoscaling : Autoscaling
        The metrics the policies scale on.
    simulation : SaleSimulation
        How the sale is replayed through simulated autoscalers.
    spot_share : float
        Share of stateless tasks on Spot in the savings levers.
    """

    target_users: float
    slo_p95_ms: float
    baseline_users: float | None = None
    business: BusinessDemand = field(default_factory=BusinessDemand)
    sale: SaleWindow = field(default_factory=SaleWindow)
    run: ProbeFacts = field(default_factory=ProbeFacts)
    plateaus: PlateauDetection = field(default_factory=PlateauDetection)
    prices: PriceSheet | None = None
    topology: Topology | None = None
    autoscaling: Autoscaling = field(default_factory=Autoscaling)
    simulation: SaleSimulation = field(default_factory=SaleSimulation)
    spot_share: float = 0.5

    def __post_init__(self) -> None:
        for name in ("target_users", "slo_p95_ms"):
            if not getattr(self, name) > 0:
                raise ConfigError(
                    f"a capacity plan's {name} is {getattr(self, name):g}; it must be above 0."
                )
