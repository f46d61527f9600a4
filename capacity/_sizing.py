"""Replicas per service: safe throughput per replica, N+1 headroom, an M/M/c check.

A service's safe throughput is the largest load whose predicted p95 stays
within its share of the SLO. For a measured service it comes from the USL fit
of its plateaus (mean response ``R(N) = N / X(N)``, scaled to a p95 by the
measured p95/mean ratio) and from the measured latency curve, taking the
lower of the two when the curve crosses the budget. The curve crosses where
it goes over the budget *for good*: a plateau over budget below a heavier
plateau within it is noise (a neighbour's burst, a garbage collection), not
the service's limit, and a plateau with too few requests of the service to
estimate its p95 is left out. Services Locust cannot
see (payments, notifications, the gateway) are sized with an M/M/c queue of
their slots and their configured service time.

Replicas assume linear scaling across stateless replicas:
``ceil(demand / (safe per replica × target utilisation)) + 1``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from stampede.capacity._plateaus import Plateaus
from stampede.capacity._queueing import (
    max_arrival_rate_for_percentile,
    min_servers_for_percentile,
    response_time_percentile,
)
from stampede.capacity._topology import ServiceSpec
from stampede.capacity._usl import UslFit, fit_usl
from stampede.core.errors import ConfigError

MAJOR_ENDPOINT_SHARE = 0.05
#: fewest requests whose p95 is worth comparing with a budget: 10 above it
MIN_REQUESTS_FOR_P95 = 200
#: smallest share of a shared replica's work a service is credited with (caps 1/share at 20)
MIN_REPLICA_SHARE = 0.05


@dataclass(frozen=True)
class ServicePoints:
    """A service's measurements, one per plateau (``requests``: how many each)."""

    throughput: tuple[float, ...]
    mean_ms: tuple[float, ...]
    p95_ms: tuple[float, ...]
    requests: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Crossing:
    """Where a service's measured p95 curve goes over its budget for good.

    ``throughput`` is None when the heaviest plateau was still within the
    budget (the capacity is then a lower bound); ``noise`` counts lighter
    plateaus over the budget that a heavier plateau contradicts, and
    ``too_few`` the plateaus left out for having too few requests.
    """

    throughput: float | None
    noise: int
    too_few: int


@dataclass(frozen=True)
class ServiceCapacity:
    """How much load one replica of a service takes within its latency budget."""

    service: str
    budget_ms: float
    safe_rps: float
    safe_rps_per_replica: float
    method: str
    service_time_ms: float
    usl: UslFit | None
    p95_to_mean: float | None
    notes: tuple[str, ...]
    replica_share: float | None = None
    cpu_ms: float | None = None


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


def service_points(plateaus: Plateaus, service: str) -> ServicePoints:
    """Throughput, mean, p95 and request count of one service at each plateau.

    The p95 is the exact p95 of the service's requests when the plateaus were
    measured with a :class:`capacity.WindowLatency`; otherwise the worst of
    Locust's rolling p95s among the service's endpoints that carry at least
    5 % of its requests, a conservative stand-in for the p95 of the mixture.
    """
    frame = plateaus.endpoints[plateaus.endpoints["service"] == service]
    exact = plateaus.services[plateaus.services["service"] == service].set_index("plateau")
    xs: list[float] = []
    means: list[float] = []
    p95s: list[float] = []
    counts: list[int] = []
    for plateau, rows in frame.groupby("plateau", sort=True):
        x = float(rows["throughput"].sum())
        if x <= 0:
            continue
        major = rows[rows["throughput"] >= MAJOR_ENDPOINT_SHARE * x]
        p95 = float(exact.at[plateau, "p95_ms"]) if plateau in exact.index else math.nan
        if not math.isfinite(p95):
            p95 = float(np.nanmax(major["p95_ms"].to_numpy(dtype=float)))
        xs.append(x)
        means.append(float((rows["throughput"] * rows["mean_ms"]).sum()) / x)
        p95s.append(p95)
        counts.append(int(rows["requests"].sum()))
    return ServicePoints(tuple(xs), tuple(means), tuple(p95s), tuple(counts))


def usl_safe_throughput(fit: UslFit, budget_ms: float, p95_to_mean: float) -> float:
    """Largest USL throughput whose p95 (``ratio × N/X(N)``) is within the budget."""

    def p95_ms(n: float) -> float:
        return p95_to_mean * fit.response_time(n) * 1000.0

    lo = 1e-6
    if p95_ms(lo) > budget_ms:
        return 0.0
    hi = fit.n_star if math.isfinite(fit.n_star) else max(fit.max_n, 1.0)
    if math.isfinite(fit.n_star) and p95_ms(hi) <= budget_ms:
        return fit.x_max
    while not math.isfinite(fit.n_star) and p95_ms(hi) <= budget_ms:
        hi *= 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if p95_ms(mid) <= budget_ms else (lo, mid)
    return float(fit.predict(lo))


def measured_crossing(
    points: ServicePoints, budget_ms: float, min_requests: int = MIN_REQUESTS_FOR_P95
) -> Crossing:
    """Where the measured p95 curve goes over ``budget_ms`` and stays over.

    Plateaus are taken in order of throughput, without those with fewer than
    ``min_requests`` requests (when counts are known) or no p95. The crossing
    lies between the heaviest plateau within the budget and the next one,
    interpolated linearly; 0 when every plateau is over it.
    """
    keep = [
        i
        for i, p in enumerate(points.p95_ms)
        if math.isfinite(p) and (points.requests is None or points.requests[i] >= min_requests)
    ]
    too_few = len(points.p95_ms) - len(keep)
    order = sorted(keep, key=lambda i: points.throughput[i])
    x = np.asarray([points.throughput[i] for i in order], dtype=float)
    p = np.asarray([points.p95_ms[i] for i in order], dtype=float)
    within = np.flatnonzero(p <= budget_ms)
    if within.size == 0:
        return Crossing(0.0 if x.size else None, 0, too_few)
    last = int(within[-1])
    noise = int(np.count_nonzero(p[:last] > budget_ms))
    if last == x.size - 1:
        return Crossing(None, noise, too_few)
    frac = (budget_ms - p[last]) / (p[last + 1] - p[last])
    return Crossing(float(x[last] + frac * (x[last + 1] - x[last])), noise, too_few)


def measured_safe_throughput(
    points: ServicePoints, budget_ms: float, min_requests: int = MIN_REQUESTS_FOR_P95
) -> float | None:
    """Throughput where the measured p95 curve crosses the budget for good, or None."""
    return measured_crossing(points, budget_ms, min_requests).throughput


def _safe_throughput(
    fit: UslFit | None, crossing: float | None, budget_ms: float, ratio: float, seen: float
) -> tuple[float, str] | None:
    """(safe throughput, method) within ``budget_ms``; None when it is a lower bound.

    Without a measured crossing the USL's answer is an extrapolation past the
    heaviest plateau (``seen``); a plan does not count on load it has not
    seen, so it is capped there.
    """
    if fit is not None:
        safe = usl_safe_throughput(fit, budget_ms, ratio)
        if crossing is not None and crossing < safe:
            return crossing, "measured"
        if crossing is None and safe > seen:
            return None
        return safe, "usl"
    return (crossing, "measured") if crossing is not None else None


def _crossing_notes(service: str, crossing: Crossing, budget_ms: float) -> list[str]:
    notes = []
    if crossing.noise:
        notes.append(
            f"{service}: {crossing.noise} plateau(s) went over its {budget_ms:g} ms p95 "
            "budget at a load that a heavier plateau met within it; taken as noise."
        )
    if crossing.too_few:
        notes.append(
            f"{service}: {crossing.too_few} plateau(s) had fewer than "
            f"{MIN_REQUESTS_FOR_P95} of its requests and were left out of its latency curve; "
            "hold the plateaus longer for a curve that starts lower."
        )
    return notes


def _latency_floor_ms(fit: UslFit | None, points: ServicePoints, ratio: float) -> float:
    """The service's p95 with no queueing: measured at the lightest load, or the fit's at N→0."""
    lightest = points.p95_ms[int(np.argmin(points.throughput))]
    modelled = ratio * 1000.0 / fit.lambda_ if fit is not None else 0.0
    return max(float(lightest), modelled)


def measured_capacity(
    service: str, points: ServicePoints, spec: ServiceSpec, slo_p95_ms: float
) -> ServiceCapacity:
    """Safe throughput of a service Locust measured, from its USL fit and its curve.

    When even the lightest load misses the budget, replicas cannot help; the
    service is sized where its p95 doubles from that floor, with a note.
    """
    budget = slo_p95_ms * spec.slo_share
    notes: list[str] = []
    ratios = [p / m for p, m in zip(points.p95_ms, points.mean_ms, strict=True) if m > 0]
    ratios = [r for r in ratios if math.isfinite(r)]
    ratio = float(np.median(ratios)) if ratios else 3.0
    fit: UslFit | None = None
    try:
        n = [x * m / 1000.0 for x, m in zip(points.throughput, points.mean_ms, strict=True)]
        fit = fit_usl(n, points.throughput)
        notes.extend(f"USL fit of {service}: {w}" for w in fit.warnings)
    except ConfigError as exc:
        notes.append(f"no USL fit for {service}: {exc}")
    crossing = measured_crossing(points, budget)
    notes.extend(_crossing_notes(service, crossing, budget))
    seen = max(points.throughput, default=0.0)
    found = _safe_throughput(fit, crossing.throughput, budget, ratio, seen)
    if found is not None and found[0] <= 0:
        floor = _latency_floor_ms(fit, points, ratio)
        notes.append(
            f"{service}: its p95 at the lightest load ({floor:.0f} ms) already exceeds its SLO "
            f"share of {budget:g} ms and replicas cannot lower it; sized where its p95 "
            f"doubles ({2 * floor:.0f} ms) instead: speed up its slowest endpoint or raise "
            "slo_p95_ms or its slo_share."
        )
        budget = 2.0 * floor
        crossed = measured_safe_throughput(points, budget)
        found = _safe_throughput(fit, crossed, budget, ratio, seen)
    if found is None:
        found = (seen, "measured-lower-bound")
        notes.append(
            f"{service}: its p95 stayed within its budget up to the heaviest plateau "
            f"({seen:,.1f} req/s); it is sized there, a lower bound: probe higher loads."
        )
    safe, method = found
    if safe <= 0:
        raise ConfigError(
            f"{service}: its p95 at the lightest load already exceeds its SLO share of "
            f"{budget:g} ms; raise slo_p95_ms or that service's slo_share."
        )
    lightest = int(np.argmin(points.throughput))
    return ServiceCapacity(
        service,
        budget,
        safe,
        safe / spec.measured_replicas * spec.vcpu / spec.measured_vcpu,
        method,
        points.mean_ms[lightest],
        fit,
        ratio,
        tuple(notes),
    )


def dedicated_capacity(
    capacity: ServiceCapacity, share: float, cpu_ms: float | None = None
) -> ServiceCapacity:
    """A measured capacity scaled to a replica that serves only this service.

    In the probe the service had ``share`` of each replica's request work (its
    CPU share, see :func:`capacity.estimate_service_demands`); alone, a replica
    gives it all of it, so it takes ``1 / share`` times the throughput at the
    same utilisation and so, to first order, the same queueing delay. The
    share is floored at :data:`MIN_REPLICA_SHARE`: a service whose CPU the
    regression cannot tell from zero is not promised unbounded throughput.
    ``cpu_ms``, the CPU one request costs on a measured worker, lets
    :func:`size_service` cross-check the replicas with a CPU queue.
    """
    if not 0 <= share <= 1:
        raise ConfigError(f"a service's share of a replica is in [0, 1], not {share!r}.")
    used = max(share, MIN_REPLICA_SHARE)
    note = (
        f"{capacity.service} did {share:.1%} of each measured replica's request work (CPU); "
        f"a replica of its own is planned at {1 / used:.1f}× the "
        f"{capacity.safe_rps_per_replica:,.1f} req/s it could take there"
        + (f" (the share floored at {MIN_REPLICA_SHARE:.0%})." if used > share else ".")
    )
    return dataclasses.replace(
        capacity,
        safe_rps_per_replica=capacity.safe_rps_per_replica / used,
        notes=(*capacity.notes, note),
        replica_share=share,
        cpu_ms=cpu_ms,
    )


def queueing_capacity(service: str, spec: ServiceSpec, slo_p95_ms: float) -> ServiceCapacity:
    """Safe throughput per replica of a service sized from its M/M/c model."""
    budget = slo_p95_ms * spec.slo_share
    if spec.service_time_ms is None:
        raise ConfigError(
            f"topology service {service} has no service_time_ms and no measurements; "
            f"set services.{service}.service_time_ms."
        )
    mu = 1000.0 / spec.service_time_ms
    per_replica = max_arrival_rate_for_percentile(
        budget / 1000.0, spec.slots_per_replica, mu, cs=spec.service_cv
    )
    if per_replica <= 0:
        raise ConfigError(
            f"{service}: its service time of {spec.service_time_ms:g} ms cannot meet its SLO "
            f"share of {budget:g} ms at p95; raise slo_p95_ms or services.{service}.slo_share."
        )
    return ServiceCapacity(
        service,
        budget,
        per_replica,
        per_replica,
        "queueing",
        spec.service_time_ms,
        None,
        None,
        (),
    )


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
    if mmc_p95 > capacity.budget_ms:
        notes.append(
            f"M/M/c predicts a p95 of {mmc_p95:.0f} ms for {capacity.service} at "
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
