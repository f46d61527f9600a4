"""Autoscaling policies as plain data: Kubernetes HPA, KEDA cron pre-warm, ECS.

The policies scale up fast and down slowly: an HPA adds 100 % or 4 pods per
15 s (whichever is more) with no stabilisation window, and removes at most
10 % a minute after 300 s of stable recommendations. Before a sale a
scheduled action (a KEDA cron trigger, an Application Auto Scaling scheduled
action) raises the floor to the peak replicas one lead time ahead, because a
reactive policy alone lags by the metric delay plus the task start.

Rendering to YAML and JSON lives in :mod:`capacity._render`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from stampede.core.errors import ConfigError

PolicyType = Literal["Percent", "Pods"]
HpaMetric = Literal["cpu", "pods"]
EcsMetric = Literal["cpu", "alb"]


@dataclass(frozen=True)
class ScalingRule:
    """One HPA scaling policy: change by ``value`` (% or pods) per ``period_s``."""

    type: PolicyType
    value: int
    period_s: int


@dataclass(frozen=True)
class ScalingBehavior:
    """One direction of an HPA's behaviour: stabilisation window and rate limits."""

    stabilization_s: int
    rules: tuple[ScalingRule, ...]
    select: Literal["Max", "Min"] = "Max"


FAST_UP = ScalingBehavior(0, (ScalingRule("Percent", 100, 15), ScalingRule("Pods", 4, 15)))
SLOW_DOWN = ScalingBehavior(300, (ScalingRule("Percent", 10, 60),))


@dataclass(frozen=True)
class LeadTime:
    """How long before demand arrives scaling must start, as a stated breakdown."""

    metric_delay_s: float
    task_start_s: float
    health_check_s: float
    margin_s: float

    @property
    def total_s(self) -> float:
        """The sum of the parts."""
        return self.metric_delay_s + self.task_start_s + self.health_check_s + self.margin_s

    def describe(self) -> str:
        """One line: each part and the total."""
        return (
            f"metric delay {self.metric_delay_s:g} s + task start {self.task_start_s:g} s + "
            f"health checks {self.health_check_s:g} s + margin {self.margin_s:g} s = "
            f"{self.total_s:g} s"
        )


def lead_time(
    controller: Literal["hpa", "ecs"],
    *,
    task_start_s: float,
    health_check_interval_s: float = 10.0,
    healthy_threshold: int = 3,
    margin_s: float = 300.0,
) -> LeadTime:
    """The lead time of a controller.

    The HPA sees a metric after its 15 s sync period plus a 30 s metrics-server
    window; ECS target tracking alarms after 3 one-minute datapoints plus about
    a minute for CloudWatch to publish them. Health checks pass after
    ``interval × healthy threshold``.
    """
    metric = 45.0 if controller == "hpa" else 3 * 60.0 + 60.0
    return LeadTime(metric, task_start_s, health_check_interval_s * healthy_threshold, margin_s)


@dataclass(frozen=True)
class HpaPolicy:
    """An ``autoscaling/v2`` HorizontalPodAutoscaler for one Deployment."""

    service: str
    namespace: str
    min_replicas: int
    max_replicas: int
    metric: HpaMetric
    target: float
    #: what prometheus-adapter's default rule (``^(.*)_total$`` → ``${1}_per_second``) names
    #: the rate of the store's ``stampede_store_requests_total``
    pods_metric_name: str = "stampede_store_requests_per_second"
    scale_up: ScalingBehavior = FAST_UP
    scale_down: ScalingBehavior = SLOW_DOWN


@dataclass(frozen=True)
class QueueScaling:
    """KEDA's rabbitmq trigger: a replica for every ``backlog_per_replica`` messages waiting."""

    queue: str
    backlog_per_replica: int
    #: the environment variable of the Deployment's container holding the broker's URL
    host_env: str = "RABBITMQ_HOST"


@dataclass(frozen=True)
class CronPrewarm:
    """A KEDA ScaledObject: a cron trigger holding the peak replicas over the sale, plus the
    reactive trigger (the queue's backlog for a consumer, else requests or CPU)."""

    hpa: HpaPolicy
    timezone: str
    start: datetime
    end: datetime
    desired_replicas: int
    queue: QueueScaling | None = None


@dataclass(frozen=True)
class ScheduledAction:
    """An Application Auto Scaling scheduled action setting the capacity range at a time."""

    name: str
    at: datetime
    min_capacity: int
    max_capacity: int


@dataclass(frozen=True)
class EcsPolicy:
    """Application Auto Scaling for one ECS service: target tracking plus schedules."""

    service: str
    cluster: str
    timezone: str
    min_capacity: int
    max_capacity: int
    metric: EcsMetric
    target_value: float
    scale_out_cooldown_s: int
    scale_in_cooldown_s: int
    scheduled: tuple[ScheduledAction, ...]
    resource_label: str | None = None

    @property
    def resource_id(self) -> str:
        """``service/<cluster>/<service>``, as Application Auto Scaling names it."""
        return f"service/{self.cluster}/{self.service}"


def hpa_policy(
    service: str,
    namespace: str,
    *,
    min_replicas: int,
    max_replicas: int,
    target_utilization: float,
    metric: HpaMetric = "cpu",
    safe_rps_per_replica: float = 0.0,
) -> HpaPolicy:
    """An HPA with fast scale-up and slow scale-down for one service.

    With ``metric="cpu"`` the target is the utilisation in percent; with
    ``"pods"`` it is requests per second per pod (safe throughput × utilisation).
    """
    if min_replicas < 1 or max_replicas < min_replicas:
        raise ConfigError(
            f"{service}: replicas need 1 <= min <= max, not min={min_replicas}, max={max_replicas}."
        )
    target = (
        round(target_utilization * 100.0)
        if metric == "cpu"
        else round(safe_rps_per_replica * target_utilization, 1)
    )
    return HpaPolicy(service, namespace, min_replicas, max_replicas, metric, target)


def cron_prewarm(
    hpa: HpaPolicy,
    *,
    timezone: str,
    sale_start: datetime,
    sale_end: datetime,
    lead: LeadTime,
    peak_replicas: int,
    queue: QueueScaling | None = None,
) -> CronPrewarm:
    """A cron pre-warm that reaches ``peak_replicas`` one lead time before the sale."""
    if sale_end <= sale_start:
        raise ConfigError(f"the sale must end after it starts, not {sale_start} to {sale_end}.")
    start = sale_start - timedelta(seconds=lead.total_s)
    return CronPrewarm(hpa, timezone, start, sale_end, peak_replicas, queue)


def queue_scaling(
    queue: str, *, safe_rps_per_replica: float, target_utilization: float, lag_s: float
) -> QueueScaling:
    """The backlog one replica should face: what it drains in ``lag_s`` at its target."""
    backlog = max(1, round(safe_rps_per_replica * target_utilization * lag_s))
    return QueueScaling(queue, backlog)


def ecs_policy(
    service: str,
    cluster: str,
    *,
    timezone: str,
    baseline: int,
    peak: int,
    max_capacity: int,
    target_utilization: float,
    safe_rps_per_replica: float,
    sale_start: datetime,
    sale_end: datetime,
    lead: LeadTime,
    metric: EcsMetric = "cpu",
    resource_label: str | None = None,
    scale_out_cooldown_s: int = 60,
    scale_in_cooldown_s: int = 300,
) -> EcsPolicy:
    """Target tracking plus scheduled actions for one ECS service.

    ``ALBRequestCountPerTarget`` counts requests per target per *minute*, so its
    target is ``safe req/s per replica × utilisation × 60``. The scheduled
    actions raise ``MinCapacity`` to the peak one lead time before the sale
    and lower it back to the baseline when the sale ends.
    """
    if metric == "alb" and not resource_label:
        raise ConfigError(
            f"{service}: ALBRequestCountPerTarget needs a resource_label "
            "'app/<lb>/<id>/targetgroup/<tg>/<id>'; pass one or use the cpu metric."
        )
    target = (
        round(target_utilization * 100.0, 1)
        if metric == "cpu"
        else round(safe_rps_per_replica * target_utilization * 60.0, 1)
    )
    top = max(max_capacity, peak)
    scheduled = (
        ScheduledAction(
            f"{service}-prewarm", sale_start - timedelta(seconds=lead.total_s), peak, top
        ),
        ScheduledAction(f"{service}-release", sale_end, baseline, top),
    )
    return EcsPolicy(
        service,
        cluster,
        timezone,
        baseline,
        top,
        metric,
        target,
        scale_out_cooldown_s,
        scale_in_cooldown_s,
        scheduled,
        resource_label,
    )
