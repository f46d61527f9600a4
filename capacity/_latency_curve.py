"""A service's measured latency curve: its points per plateau and where it crosses a budget.

Each plateau gives one point per service: its throughput, mean and p95. The
curve crosses a latency budget where it goes over it *for good*: a plateau
over budget below a heavier plateau within it is noise (a neighbour's burst,
a garbage collection), not the service's limit, and a plateau with too few
requests of the service to estimate its p95 is left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stampede.capacity._plateaus import Plateaus

MAJOR_ENDPOINT_SHARE = 0.05
#: fewest requests whose p95 is worth comparing with a budget: 10 above it
MIN_REQUESTS_FOR_P95 = 200


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


def crossing_notes(service: str, crossing: Crossing, budget_ms: float) -> list[str]:
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
