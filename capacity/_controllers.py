"""Simulated autoscaling controllers: the Kubernetes HPA and ECS target tracking.

Each controller is a small state machine stepped by the simulator with the
current time, replica count and metric; it answers the replica count it wants.

The HPA follows the Kubernetes algorithm: every sync period
``desired = ceil(current × metric / target)`` unless the ratio is within the
tolerance, clamped to min/max, stabilised (scale up to the lowest and down to
the highest recommendation in each window) and rate limited by the behaviour
policies. ECS target tracking publishes one-minute datapoints and alarms
after 3 above the target (scale out) or 15 below 90 % of it (scale in),
honouring the cooldowns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stampede.capacity._policies import FAST_UP, SLOW_DOWN, ScalingBehavior, ScalingRule
from stampede.core.errors import ConfigError


def hpa_desired_replicas(
    current: int, current_metric: float, target_metric: float, *, tolerance: float = 0.1
) -> int:
    """The Kubernetes HPA formula ``ceil(current × currentMetric / target)``.

    Parameters
    ----------
    current : int
        Current replicas.
    current_metric, target_metric : float
        The metric's average value and its target (any unit, the same for both).
    tolerance : float
        No change while the ratio is within ``1 ± tolerance``.

    Returns
    -------
    int
        Desired replicas; 1 replica at 200m against a 100m target gives 2.
    """
    if target_metric <= 0:
        raise ConfigError(f"an HPA target must be positive, not {target_metric:g}.")
    ratio = current_metric / target_metric
    if abs(ratio - 1.0) <= tolerance:
        return current
    return math.ceil(current * ratio - 1e-9)


@dataclass(frozen=True)
class HpaConfig:
    """The HPA's timing and behaviour."""

    sync_period_s: int = 15
    tolerance: float = 0.1
    scale_up: ScalingBehavior = FAST_UP
    scale_down: ScalingBehavior = SLOW_DOWN


@dataclass(frozen=True)
class EcsConfig:
    """ECS target tracking's alarms and cooldowns."""

    period_s: int = 60
    scale_out_datapoints: int = 3
    scale_in_datapoints: int = 15
    scale_in_threshold: float = 0.9
    scale_out_cooldown_s: int = 60
    scale_in_cooldown_s: int = 300


def _rule_limit(rule: ScalingRule, period_start: int, up: bool) -> int:
    if rule.type == "Pods":
        return period_start + rule.value if up else period_start - rule.value
    factor = 1.0 + rule.value / 100.0 if up else 1.0 - rule.value / 100.0
    return math.ceil(period_start * factor - 1e-9)


@dataclass
class HpaController:
    """The HPA's state: past recommendations and scale events."""

    config: HpaConfig = field(default_factory=HpaConfig)
    recommendations: list[tuple[float, int]] = field(default_factory=list)
    events: list[tuple[float, int]] = field(default_factory=list)

    def _stabilize(self, t: float, current: int, desired: int) -> int:
        self.recommendations.append((t, desired))
        keep = max(self.config.scale_up.stabilization_s, self.config.scale_down.stabilization_s)
        self.recommendations = [(s, r) for s, r in self.recommendations if s > t - keep - 1e-9]
        up_cut = t - self.config.scale_up.stabilization_s - 1e-9
        down_cut = t - self.config.scale_down.stabilization_s - 1e-9
        up = min(r for s, r in self.recommendations if s >= up_cut)
        down = max(r for s, r in self.recommendations if s >= down_cut)
        recommendation = current
        if recommendation < up:
            recommendation = up
        if recommendation > down:
            recommendation = down
        return recommendation

    def _limit(self, t: float, current: int, desired: int) -> int:
        up = desired > current
        behavior = self.config.scale_up if up else self.config.scale_down
        limits = []
        for rule in behavior.rules:
            changed = sum(d for s, d in self.events if s > t - rule.period_s and (d > 0) == up)
            limits.append(_rule_limit(rule, current - changed, up))
        if not limits:
            return desired
        pick = max if (behavior.select == "Max") == up else min
        bound = pick(limits)
        return min(desired, bound) if up else max(desired, bound)

    def step(
        self,
        t: float,
        current: int,
        metric: float,
        target: float,
        min_replicas: int,
        max_replicas: int,
    ) -> int:
        """One sync: the replica count the HPA sets at time ``t``."""
        raw = hpa_desired_replicas(current, metric, target, tolerance=self.config.tolerance)
        raw = min(max(raw, min_replicas), max_replicas)
        desired = self._stabilize(t, current, raw)
        if desired != current:
            desired = self._limit(t, current, desired)
        desired = min(max(desired, min_replicas), max_replicas)
        if desired != current:
            self.events.append((t, desired - current))
        return desired


@dataclass
class EcsController:
    """ECS target tracking's state: datapoints and the last scaling times."""

    config: EcsConfig = field(default_factory=EcsConfig)
    datapoints: list[float] = field(default_factory=list)
    last_out: float = -math.inf
    last_in: float = -math.inf

    def step(
        self,
        t: float,
        current: int,
        metric: float,
        target: float,
        min_replicas: int,
        max_replicas: int,
    ) -> int:
        """One minute's datapoint: the desired count after the alarms are evaluated."""
        cfg = self.config
        self.datapoints.append(metric)
        desired = current
        high = self.datapoints[-cfg.scale_out_datapoints :]
        low = self.datapoints[-cfg.scale_in_datapoints :]
        if (
            len(high) == cfg.scale_out_datapoints
            and all(v > target for v in high)
            and t - self.last_out >= cfg.scale_out_cooldown_s
        ):
            desired = max(current + 1, math.ceil(current * metric / target - 1e-9))
            self.last_out = t
        elif (
            len(low) == cfg.scale_in_datapoints
            and all(v < target * cfg.scale_in_threshold for v in low)
            and t - self.last_in >= cfg.scale_in_cooldown_s
            and t - self.last_out >= cfg.scale_out_cooldown_s
        ):
            desired = min(current - 1, math.ceil(current * metric / target - 1e-9))
            self.last_in = t
        return min(max(desired, min_replicas), max_replicas)
