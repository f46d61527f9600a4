"""Replay a demand curve through a simulated autoscaler, one second at a time.

Supply is the ready replicas times the safe throughput of one replica. The
controller sees a utilisation metric, load over safe capacity of the ready
replicas, saturating at ``max_metric`` (a CPU cannot exceed its limit); like
the HPA, replicas that are not ready yet count as idle. New tasks become
ready after a delay drawn from a log-normal with a fixed seed; removed tasks
go at once. Tasks are billed from launch.

Three strategies are compared: the peak held all day (static-peak), the
reactive policy alone, and the reactive policy whose floor a schedule raises
to the peak one lead time before the sale (scheduled-plus-reactive).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from stampede.capacity._controllers import EcsConfig, EcsController, HpaConfig, HpaController
from stampede.capacity._elasticity import ElasticityMetrics, elasticity_metrics
from stampede.core.errors import ConfigError

FloatArray = npt.NDArray[np.float64]
Controller = Literal["hpa", "ecs"]
ScalingStrategy = Literal["static-peak", "reactive-only", "scheduled-plus-reactive"]
SCALING_STRATEGIES: tuple[ScalingStrategy, ...] = (
    "static-peak",
    "reactive-only",
    "scheduled-plus-reactive",
)


@dataclass(frozen=True)
class TaskStartDelay:
    """Seconds from launch to ready: log-normal with this median and p95."""

    median_s: float
    p95_s: float

    def draw(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` delays; exactly the median when p95 equals it."""
        if self.p95_s < self.median_s or self.median_s < 0:
            raise ConfigError(
                f"task start needs 0 <= median <= p95, not median={self.median_s:g}, "
                f"p95={self.p95_s:g}."
            )
        if self.p95_s == self.median_s or self.median_s == 0:
            return np.full(n, self.median_s)
        sigma = math.log(self.p95_s / self.median_s) / 1.6448536269514722
        return np.asarray(rng.lognormal(math.log(self.median_s), sigma, n), dtype=float)


@dataclass(frozen=True)
class SimulationSetup:
    """Everything a simulation needs besides the demand curve."""

    replica_rps: float
    target_utilization: float
    min_replicas: int
    max_replicas: int
    peak_replicas: int
    task_start: TaskStartDelay
    price_per_task_hour: float
    prewarm_at_s: int = 0
    release_at_s: int = 0
    controller: Controller = "hpa"
    hpa: HpaConfig = field(default_factory=HpaConfig)
    ecs: EcsConfig = field(default_factory=EcsConfig)
    max_metric: float = 2.0
    seed: int = 0


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """What one strategy did with the demand curve."""

    strategy: ScalingStrategy
    controller: Controller
    demand: FloatArray
    supply: FloatArray
    replicas: FloatArray
    minutes_over_slo: float
    requests_late: float
    elasticity: ElasticityMetrics
    task_hours: float
    cost: float


def _floor_schedule(strategy: ScalingStrategy, setup: SimulationSetup) -> Callable[[int], int]:
    if strategy == "scheduled-plus-reactive":
        raised = max(setup.min_replicas, setup.peak_replicas)
        return lambda t: (
            raised if setup.prewarm_at_s <= t < setup.release_at_s else setup.min_replicas
        )
    return lambda t: setup.min_replicas


def _run(
    demand: FloatArray, strategy: ScalingStrategy, setup: SimulationSetup
) -> tuple[FloatArray, FloatArray]:
    """(ready replicas, launched replicas) at each second."""
    rng = np.random.default_rng(setup.seed)
    floor = _floor_schedule(strategy, setup)
    need0 = math.ceil(demand[0] / (setup.replica_rps * setup.target_utilization) - 1e-9)
    start = setup.peak_replicas if strategy == "static-peak" else max(floor(0), need0)
    ready: int = start
    pending: list[float] = []
    desired = start
    controller = HpaController(setup.hpa) if setup.controller == "hpa" else EcsController(setup.ecs)
    period = setup.hpa.sync_period_s if setup.controller == "hpa" else setup.ecs.period_s
    window: list[float] = []
    ready_out = np.zeros(demand.size)
    launched_out = np.zeros(demand.size)
    for t in range(demand.size):
        ready += len([r for r in pending if r <= t])
        pending = [r for r in pending if r > t]
        capacity = max(ready, 0) * setup.replica_rps
        util = min(demand[t] / capacity, setup.max_metric) if capacity > 0 else setup.max_metric
        window.append(util * ready / max(ready + len(pending), 1))
        if strategy != "static-peak":
            lo = floor(t)
            if t % period == period - 1:
                metric = float(np.mean(window[-period:]))
                desired = controller.step(
                    float(t),
                    desired,
                    metric,
                    setup.target_utilization,
                    lo,
                    max(setup.max_replicas, lo),
                )
            desired = max(desired, lo)
            have = ready + len(pending)
            if desired > have:
                pending.extend(float(t) + d for d in setup.task_start.draw(rng, desired - have))
            elif desired < have:
                drop = have - desired
                cut = min(drop, len(pending))
                pending = sorted(pending)[: len(pending) - cut]
                ready -= drop - cut
        ready_out[t] = ready
        launched_out[t] = ready + len(pending)
    return ready_out, launched_out


def simulate(
    demand: FloatArray | list[float], strategy: ScalingStrategy, setup: SimulationSetup
) -> SimulationResult:
    """Replay ``demand`` (requests per second, one value a second) under one strategy.

    Parameters
    ----------
    demand : array of float
        Requests per second at each second.
    strategy : {"static-peak", "reactive-only", "scheduled-plus-reactive"}
        How capacity is managed.
    setup : SimulationSetup
        Replica capacity, bounds, controller, task start delays, prices, seed.

    Returns
    -------
    SimulationResult
        Supply, minutes with capacity below demand, requests served late,
        elasticity metrics, task-hours and cost.
    """
    d = np.asarray(demand, dtype=float)
    if d.ndim != 1 or d.size < 2 or np.any(d < 0) or setup.replica_rps <= 0:
        raise ConfigError(
            "a simulation needs a demand curve of at least 2 non-negative values and a "
            "positive replica_rps."
        )
    ready, launched = _run(d, strategy, setup)
    supply = ready * setup.replica_rps
    late = np.clip(d - supply, 0.0, None)
    needed = np.ceil(d / setup.replica_rps - 1e-9)
    task_hours = float(launched.sum()) / 3600.0
    return SimulationResult(
        strategy=strategy,
        controller=setup.controller,
        demand=d,
        supply=supply,
        replicas=ready,
        minutes_over_slo=float(np.count_nonzero(late > 0)) / 60.0,
        requests_late=float(late.sum()),
        elasticity=elasticity_metrics(needed, ready),
        task_hours=task_hours,
        cost=task_hours * setup.price_per_task_hour,
    )


def compare_strategies(
    demand: FloatArray | list[float], setup: SimulationSetup
) -> tuple[SimulationResult, ...]:
    """Simulate all three strategies with the same setup (and seed)."""
    return tuple(simulate(demand, s, setup) for s in SCALING_STRATEGIES)


def flash_sale_demand(
    baseline_rps: float,
    peak_rps: float,
    *,
    before_s: int,
    ramp_s: int,
    sale_s: int,
    after_s: int,
) -> FloatArray:
    """A flash-sale demand curve: baseline, a linear ramp to the peak at the sale start,
    the peak for the sale, then baseline again.

    The sale starts at index ``before_s``; the ramp is the last ``ramp_s``
    seconds before it.
    """
    if min(before_s, ramp_s, sale_s, after_s) < 0 or ramp_s > before_s:
        raise ConfigError(
            "a sale curve needs non-negative durations and a ramp no longer than the "
            "time before the sale."
        )
    flat = np.full(before_s - ramp_s, baseline_rps)
    ramp = np.linspace(baseline_rps, peak_rps, ramp_s, endpoint=False)
    return np.concatenate([flat, ramp, np.full(sale_s, peak_rps), np.full(after_s, baseline_rps)])
