"""How much load one replica of a service takes within its share of the latency SLO.

A service's safe throughput is the largest load whose predicted p95 stays
within its share of the SLO. For a measured service it comes from the USL fit
of its plateaus (mean response ``R(N) = N / X(N)``, scaled to a p95 by the
measured p95/mean ratio) and from its measured latency curve
(:mod:`capacity._latency_curve`), taking the lower of the two when the curve
crosses the budget. Services Locust cannot see (payments, notifications, the
gateway) are sized with an M/M/c queue of their slots and their configured
service time.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from stampede.capacity._latency_curve import (
    ServicePoints,
    crossing_notes,
    measured_crossing,
    measured_safe_throughput,
)
from stampede.capacity._queueing import max_arrival_rate_for_percentile
from stampede.capacity._topology import ServiceSpec
from stampede.capacity._usl import UslFit, fit_usl
from stampede.core.errors import ConfigError

#: smallest share of a shared replica's work a service is credited with (caps 1/share at 20)
MIN_REPLICA_SHARE = 0.05


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
    notes.extend(crossing_notes(service, crossing, budget))
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
    """Safe throughput per replica of a service sized from its queue model.

    With ``cpu_ms`` (CPU per request, stated or measured) a replica is one CPU
    server of rate ``vcpu / cpu_ms`` and the rest of ``service_time_ms`` a fixed
    delay (waiting on what it calls); without it, ``slots_per_replica`` servers
    of ``service_time_ms`` each, which bounds concurrency but not CPU.
    """
    budget = slo_p95_ms * spec.slo_share
    if spec.service_time_ms is None:
        raise ConfigError(
            f"topology service {service} has no service_time_ms and no measurements; "
            f"set services.{service}.service_time_ms."
        )
    if spec.cpu_ms:
        fixed_ms = max(spec.service_time_ms - spec.cpu_ms, 0.0)
        servers, mu, method = 1, 1000.0 * spec.vcpu / spec.cpu_ms, "queueing (CPU)"
    else:
        fixed_ms, servers = 0.0, spec.slots_per_replica
        mu, method = 1000.0 / spec.service_time_ms, "queueing"
    per_replica = 0.0
    if budget > fixed_ms:
        per_replica = max_arrival_rate_for_percentile(
            (budget - fixed_ms) / 1000.0, servers, mu, cs=spec.service_cv
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
        method,
        spec.service_time_ms,
        None,
        None,
        (),
        cpu_ms=spec.cpu_ms,
    )
