from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from stampede.capacity import (
    allen_cunneen_factor,
    erlang_c,
    max_arrival_rate_for_percentile,
    mean_wait,
    min_servers_for_percentile,
    mmc_safe_rate,
    response_time_percentile,
)
from stampede.core.errors import ConfigError


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [(3, 2.0, 4 / 9), (2, 1.0, 1 / 3), (1, 0.5, 0.5), (1, 0.9, 0.9), (5, 0.0, 0.0)],
)
def test_erlang_c_known_answers(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


def test_mean_wait_of_mm3() -> None:
    # c=3, λ=2, μ=1: Wq = C / (cμ − λ) = (4/9) / 1
    assert mean_wait(3, 2.0, 1.0) == pytest.approx(4 / 9)


def test_allen_cunneen_scales_the_wait() -> None:
    assert allen_cunneen_factor(1.0, 1.0) == 1.0
    assert allen_cunneen_factor(0.0, 0.0) == 0.0
    assert mean_wait(3, 2.0, 1.0, ca=1.0, cs=2.0) == pytest.approx(4 / 9 * 2.5)


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (90.0, 100.0), (0.0, 2.0)])
def test_mm1_percentile_is_exponential(lam: float, mu: float) -> None:
    # M/M/1 response time is exponential with rate μ − λ
    assert response_time_percentile(0.95, 1, lam, mu) == pytest.approx(math.log(20) / (mu - lam))


def test_general_service_path_agrees_with_the_exponential_closed_form() -> None:
    exact = response_time_percentile(0.95, 3, 2.0, 1.0)
    assert response_time_percentile(0.95, 3, 2.0, 1.0, cs=1.0 + 1e-6) == pytest.approx(
        exact, rel=1e-5
    )


def test_idle_queue_with_gamma_service_gives_the_gamma_quantile() -> None:
    # cs=0.5 → gamma with shape 4, mean 1; its 95 % quantile is 1.93841...
    assert response_time_percentile(0.95, 1, 0.0, 1.0, cs=0.5) == pytest.approx(1.938414, rel=1e-5)


def test_burstier_traffic_has_a_longer_tail() -> None:
    calm = response_time_percentile(0.95, 3, 2.0, 1.0, ca=0.5, cs=0.5)
    bursty = response_time_percentile(0.95, 3, 2.0, 1.0, ca=1.5, cs=1.5)
    assert calm < response_time_percentile(0.95, 3, 2.0, 1.0) < bursty


def test_min_servers_is_the_smallest_that_meets_the_target() -> None:
    lam, mu, target = 40.0, 1.0, 4.0
    c = min_servers_for_percentile(target, lam, mu)
    assert response_time_percentile(0.95, c, lam, mu) <= target
    assert response_time_percentile(0.95, c - 1, lam, mu) > target


def test_max_arrival_rate_inverts_the_percentile() -> None:
    lam = max_arrival_rate_for_percentile(4.0, 3, 1.0)
    assert response_time_percentile(0.95, 3, lam, 1.0) == pytest.approx(4.0, rel=1e-6)
    assert max_arrival_rate_for_percentile(1.0, 3, 1.0) == 0.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erlang_c(2, 2.0), "saturates 2 server"),
        (lambda: erlang_c(0, 0.5), "servers >= 1"),
        (lambda: response_time_percentile(1.5, 1, 0.5, 1.0), "percentile"),
        (lambda: min_servers_for_percentile(1.0, 5.0, 1.0), "no number of servers"),
        (lambda: allen_cunneen_factor(-1.0, 1.0), ">= 0"),
    ],
)
def test_bad_queues_are_config_errors(call: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()  # type: ignore[operator]


def _simulated_mmc_sojourns(servers: int, lam: float, mean_s: float, n: int) -> np.ndarray:
    """Sojourn times of a FIFO M/M/c queue, simulated event by event (a known-answer check)."""
    rng = np.random.default_rng(20261202)
    arrivals = np.cumsum(rng.exponential(1 / lam, n))
    service = rng.exponential(mean_s, n)
    free_at = [0.0] * servers  # a heap of when each server is next free
    done = np.empty(n)
    for i in range(n):
        start = max(arrivals[i], heapq.heappop(free_at))
        done[i] = start + service[i]
        heapq.heappush(free_at, done[i])
    return (done - arrivals)[n // 20 :]  # without the empty-queue start


@pytest.mark.parametrize(("servers", "mean_s", "budget_s"), [(4, 0.02, 0.1), (2, 0.05, 0.25)])
def test_mmc_safe_rate_meets_the_budget_exactly(
    servers: int, mean_s: float, budget_s: float
) -> None:
    answer = mmc_safe_rate(servers, mean_s, budget_s)
    assert 0 < answer.utilization < 1
    assert answer.quantile_at(answer.safe_rate) == pytest.approx(budget_s, rel=1e-6)
    assert answer.quantile_at(1.25 * answer.safe_rate) > budget_s
    assert answer.quantile_at(servers / mean_s) == math.inf
    # an event-by-event simulation of the queue agrees with the closed form
    sojourns = _simulated_mmc_sojourns(servers, answer.safe_rate, mean_s, 200_000)
    assert float(np.quantile(sojourns, 0.95)) == pytest.approx(budget_s, rel=0.03)


def test_mmc_safe_rate_known_answers() -> None:
    # M/M/1: T ~ Exp(μ − λ), so p95 = ln 20 / (μ − λ) and λ = μ − ln 20 / budget
    one = mmc_safe_rate(1, 0.01, 0.1)
    assert one.safe_rate == pytest.approx(100 - math.log(20) / 0.1, rel=1e-6)
    assert one.erlang_c == pytest.approx(one.utilization)
    # idle, the p95 of an exponential service is S·ln 20: a tighter budget takes nothing
    assert mmc_safe_rate(4, 0.02, 0.02 * math.log(20) * 0.99).safe_rate == 0.0


@pytest.mark.parametrize(
    ("servers", "mean_s", "budget_s"), [(0, 0.02, 0.1), (2, 0.0, 0.1), (2, 0.02, -1.0)]
)
def test_mmc_safe_rate_rejects_bad_servers(servers: int, mean_s: float, budget_s: float) -> None:
    with pytest.raises(ConfigError, match="an M/M/c server needs servers >= 1"):
        mmc_safe_rate(servers, mean_s, budget_s)
