"""Known answers for the planner alone: plateaus measured exactly on an M/M/c queue (the
sojourn time's mean and p95 at each load, no sampling noise) are sized by
`measured_capacity` at the analytic safe rate.

The end-to-end known-answer tests add the probe's noise; this one pins the planner's own
share of their error (its USL fit, p95/mean ratio and crossing interpolation) near zero.
"""

from __future__ import annotations

import pytest

from stampede.capacity import mmc_safe_rate
from stampede.capacity._latency_curve import ServicePoints
from stampede.capacity._queueing import erlang_c, response_time_percentile
from stampede.capacity._service_capacity import measured_capacity
from stampede.capacity._topology import ServiceSpec

#: plateaus as utilisations of c/S, as the probes of the known-answer tests hold them
UTILIZATIONS = (0.45, 0.55, 0.62, 0.69, 0.76, 0.83, 0.9)


def _exact_points(servers: int, mean_s: float) -> ServicePoints:
    """One point per plateau: throughput, the mean and the p95 sojourn time in ms."""
    mu = 1.0 / mean_s
    rates = [u * servers * mu for u in UTILIZATIONS]
    # mean sojourn of M/M/c: S + C(c, λ/μ) / (cμ − λ)
    means = [1000 * (mean_s + erlang_c(servers, x / mu) / (servers * mu - x)) for x in rates]
    p95s = [1000 * response_time_percentile(0.95, servers, x, mu) for x in rates]
    return ServicePoints(tuple(rates), tuple(means), tuple(p95s), (1000,) * len(rates))


@pytest.mark.parametrize(
    ("servers", "mean_ms", "budget_ms"),
    [(1, 10.0, 100.0), (2, 20.0, 100.0), (4, 20.0, 100.0), (4, 10.0, 50.0), (8, 20.0, 100.0)],
)
def test_exact_mmc_plateaus_are_planned_at_the_analytic_safe_rate(
    servers: int, mean_ms: float, budget_ms: float
) -> None:
    analytic = mmc_safe_rate(servers, mean_ms / 1000, budget_ms / 1000).safe_rate
    spec = ServiceSpec(vcpu=1.0, slo_share=1.0)
    planned = measured_capacity("queue", _exact_points(servers, mean_ms / 1000), spec, budget_ms)
    assert planned.method in ("measured", "usl")
    # measured on 2026-12-02: within 2 % for each pair; 15 % is the bar end to end
    assert planned.safe_rps_per_replica == pytest.approx(analytic, rel=0.03)


def test_the_mmc_points_are_the_closed_form_for_one_server() -> None:
    # M/M/1: mean 1/(μ − λ), p95 ln(20)/(μ − λ); at S = 20 ms and λ = 0.45 μ, μ − λ = 27.5/s
    points = _exact_points(1, 0.02)
    assert points.mean_ms[0] == pytest.approx(1000 / 27.5)
    assert points.p95_ms[0] == pytest.approx(1000 * 2.995732 / 27.5, rel=1e-6)
