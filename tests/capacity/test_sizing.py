from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from stampede.capacity import (
    default_topology,
    detect_plateaus,
    fit_usl,
    normalize_history,
    replicas_for,
    response_time_percentile,
    size_service,
)
from stampede.capacity._latency_curve import (
    ServicePoints,
    measured_crossing,
    measured_safe_throughput,
    service_points,
)
from stampede.capacity._service_capacity import (
    dedicated_capacity,
    measured_capacity,
    queueing_capacity,
    usl_safe_throughput,
)
from stampede.capacity._sizing import _queue_check
from stampede.capacity._usl import usl_throughput
from stampede.core.errors import ConfigError


@pytest.mark.parametrize(
    ("demand", "safe", "util", "expected"),
    [(1000, 100, 0.5, 21), (1000, 100, 1.0, 11), (0, 100, 0.6, 1), (999, 100, 0.5, 21)],
)
def test_replicas_are_demand_over_safe_capacity_plus_one(
    demand: float, safe: float, util: float, expected: int
) -> None:
    assert replicas_for(demand, safe, util) == expected


def test_measured_curve_crossing_is_interpolated() -> None:
    points = ServicePoints((100, 200, 300), (10, 20, 40), (50, 100, 300))
    # p95 goes 100 → 300 ms between 200 and 300 req/s; 200 ms is half way
    assert measured_safe_throughput(points, 200) == pytest.approx(250)
    assert measured_safe_throughput(points, 1000) is None
    assert measured_safe_throughput(points, 10) == 0.0


def test_a_plateau_over_budget_below_a_heavier_one_within_it_is_noise() -> None:
    # 400 ms at 200 req/s is contradicted by 150 ms at 300 and 400 req/s: the
    # curve goes over 200 ms for good between 400 (150 ms) and 500 req/s (350 ms)
    points = ServicePoints((100, 200, 300, 400, 500), (10,) * 5, (50, 400, 100, 150, 350))
    crossing = measured_crossing(points, 200)
    assert crossing.throughput == pytest.approx(400 + 100 * (50 / 200))
    assert crossing.noise == 1 and crossing.too_few == 0
    # without the rule the first plateau over budget would have set the limit
    assert crossing.throughput is not None and crossing.throughput > 200


def test_plateaus_with_too_few_requests_are_left_out_of_the_curve() -> None:
    points = ServicePoints(
        (10, 100, 200, 300), (10,) * 4, (900, 100, 150, 400), requests=(40, 2000, 4000, 6000)
    )
    crossing = measured_crossing(points, 200, min_requests=200)
    # the 900 ms of 40 requests is not a latency floor: the curve starts at 100 req/s
    assert crossing.too_few == 1 and crossing.noise == 0
    assert crossing.throughput == pytest.approx(200 + 100 * (50 / 250))
    assert measured_crossing(points, 200, min_requests=1).noise == 1


def test_a_curve_within_budget_at_its_heaviest_plateau_has_no_crossing() -> None:
    points = ServicePoints((100, 200), (10, 10), (500, 100))
    crossing = measured_crossing(points, 200)
    assert crossing.throughput is None and crossing.noise == 1


def test_measured_capacity_names_the_service_in_its_notes() -> None:
    points = ServicePoints(
        (5, 10, 20, 40, 80, 120, 160, 200),
        (20, 20, 21, 23, 28, 40, 70, 140),
        (50, 500, 52, 60, 75, 110, 190, 400),
        requests=(100, 400, 800, 1600, 3200, 4800, 6400, 8000),
    )
    cap = measured_capacity("orders", points, default_topology().service("orders"), 250)
    assert cap.budget_ms == 200
    assert any(n.startswith("orders: 1 plateau(s) went over") for n in cap.notes), cap.notes
    assert any(n.startswith("orders: 1 plateau(s) had fewer than") for n in cap.notes)
    # the sustained crossing lies between 160 (190 ms) and 200 req/s (400 ms)
    assert cap.method == "measured"
    assert cap.safe_rps == pytest.approx(160 + 40 * 10 / 210)
    assert all("orders" in n for n in cap.notes), cap.notes


def test_usl_safe_throughput_meets_the_budget_exactly() -> None:
    n = np.array([1, 2, 4, 8, 16, 32, 64], dtype=float)
    fit = fit_usl(n, usl_throughput(n, 0.02, 0.0004, 20.0))
    ratio = 2.0
    # mean response at N=1 is 50 ms, so p95 there is 100 ms
    safe = usl_safe_throughput(fit, 200.0, ratio)
    n_safe = next(k / 1000 for k in range(1000, 100_000) if fit.predict(k / 1000) >= safe)
    assert ratio * fit.response_time(n_safe) * 1000 == pytest.approx(200.0, rel=1e-3)
    assert usl_safe_throughput(fit, 1e6, ratio) == pytest.approx(fit.x_max)
    assert usl_safe_throughput(fit, 50.0, ratio) == 0.0


def test_measured_service_capacity(history_frame: pd.DataFrame) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame))
    points = service_points(plateaus, "catalog")
    assert len(points.throughput) == len(plateaus.points)
    spec = default_topology().service("catalog")
    cap = measured_capacity("catalog", points, spec, slo_p95_ms=500)
    assert cap.budget_ms == 400
    # a service carrying a share s of the requests sees N_s = s·N in flight, so
    # its USL has sigma/s and kappa/s² of the whole system's (0.02, 0.0004)
    share = 0.55
    assert cap.usl is not None
    assert cap.usl.sigma == pytest.approx(0.02 / share, rel=0.2)
    assert cap.usl.kappa == pytest.approx(0.0004 / share**2, rel=0.2)
    assert cap.p95_to_mean == pytest.approx(2.2, rel=0.05)
    assert 0 < cap.safe_rps <= max(points.throughput) * 1.2


def test_a_budget_below_the_latency_floor_sizes_at_the_knee(history_frame: pd.DataFrame) -> None:
    # replicas cannot lower a p95 the lightest load already misses: size where it doubles
    points = service_points(detect_plateaus(normalize_history(history_frame)), "catalog")
    spec = default_topology().service("catalog")
    cap = measured_capacity("catalog", points, spec, slo_p95_ms=50)
    floor = max(points.p95_ms[0], cap.p95_to_mean * 1000 / cap.usl.lambda_)  # type: ignore[union-attr, operator]
    assert cap.budget_ms == pytest.approx(2 * floor)
    assert 0 < cap.safe_rps < measured_capacity("catalog", points, spec, 500).safe_rps * 1.01
    assert any("already exceeds its SLO share of 40 ms" in n for n in cap.notes)


def test_queueing_capacity_meets_the_budget() -> None:
    spec = default_topology().service("payments")
    cap = queueing_capacity("payments", spec, slo_p95_ms=800)
    mu = 1000 / 60.0
    p95 = response_time_percentile(
        0.95, spec.slots_per_replica, cap.safe_rps_per_replica, mu, cs=spec.service_cv
    )
    assert p95 * 1000 == pytest.approx(cap.budget_ms, rel=1e-4)


def test_size_service_cross_checks_with_mmc() -> None:
    topology = default_topology()
    spec = topology.service("payments")
    cap = queueing_capacity("payments", spec, slo_p95_ms=800)
    sizing = size_service(cap, 1000.0, spec)
    assert (
        sizing.replicas
        == math.ceil(1000 / (cap.safe_rps_per_replica * spec.target_utilization)) + 1
    )
    assert sizing.mmc_p95_ms <= cap.budget_ms
    assert sizing.mmc_replicas is not None and sizing.mmc_replicas <= sizing.replicas


def test_a_replica_of_its_own_takes_the_inverse_of_the_services_share() -> None:
    cap = queueing_capacity("payments", default_topology().service("payments"), 800)
    half = dedicated_capacity(cap, 0.25)
    assert half.safe_rps_per_replica == pytest.approx(4 * cap.safe_rps_per_replica)
    assert half.replica_share == 0.25 and "25.0%" in half.notes[-1]
    # a share the regression cannot tell from zero is floored, not unbounded
    tiny = dedicated_capacity(cap, 0.0)
    assert tiny.safe_rps_per_replica == pytest.approx(20 * cap.safe_rps_per_replica)
    assert "floored at 5%" in tiny.notes[-1]
    with pytest.raises(ConfigError):
        dedicated_capacity(cap, 1.5)


def test_a_curve_that_never_crossed_is_not_extrapolated() -> None:
    # p95 flat well under budget: the USL could promise far more, the plan takes what it saw
    points = ServicePoints(
        (10, 20, 40, 80, 120, 160),
        (20, 20, 20.5, 21, 22, 23),
        (40, 41, 42, 44, 46, 48),
        requests=(1000,) * 6,
    )
    cap = measured_capacity("catalog", points, default_topology().service("catalog"), 500)
    assert cap.method == "measured-lower-bound" and cap.safe_rps == 160
    assert any("lower bound" in n for n in cap.notes)


def test_a_cpu_queue_cross_checks_a_service_whose_cpu_is_known() -> None:
    # 10 ms of CPU in 50 ms of light-load latency: one 1-vCPU replica is an M/M/1
    # queue of rate 100/s behind 40 ms of waiting; at 50 req/s its sojourn time is
    # exponential with rate 50/s, so the p95 is 40 ms + ln(20)/50 s
    payments = default_topology().service("payments")
    spec = dataclasses.replace(payments, vcpu=1.0, min_replicas=1, service_cv=1.0)
    cap = dataclasses.replace(
        queueing_capacity("payments", spec, slo_p95_ms=500),
        service_time_ms=50.0,
        cpu_ms=10.0,
        safe_rps_per_replica=200.0,
    )
    p95, needed, why = _queue_check(cap, 50.0, spec, replicas=1)
    assert p95 == pytest.approx(40 + 1000 * math.log(20) / 50, rel=1e-6)
    assert needed == 1 and why is None
    # half a vCPU halves the rate: 50 req/s saturates one replica, two are needed
    half = dataclasses.replace(spec, vcpu=0.5)
    assert _queue_check(cap, 50.0, half, replicas=1)[0] == math.inf
    assert _queue_check(cap, 50.0, half, replicas=1)[1] == 2
    # size_service reports the same check at the replicas it plans (N+1: two)
    sized = size_service(cap, 50.0, spec)
    assert sized.replicas == 2 and sized.mmc_p95_ms == _queue_check(cap, 50.0, spec, 2)[0]
    # waiting alone over the budget: no number of replicas helps
    slow = dataclasses.replace(cap, service_time_ms=400.0)
    assert "waiting alone exceeds" in str(_queue_check(slow, 50.0, spec, 1)[2])


def test_a_measured_replica_scales_with_the_tasks_vcpu(history_frame: pd.DataFrame) -> None:
    points = service_points(detect_plateaus(normalize_history(history_frame)), "catalog")
    spec = default_topology().service("catalog")
    one = measured_capacity("catalog", points, dataclasses.replace(spec, vcpu=1.0), 500)
    half = measured_capacity("catalog", points, dataclasses.replace(spec, vcpu=0.5), 500)
    assert half.safe_rps_per_replica == pytest.approx(one.safe_rps_per_replica / 2)
    assert half.safe_rps == one.safe_rps
