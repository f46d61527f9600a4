from __future__ import annotations

import numpy as np
import pytest

from stampede.capacity import (
    SimulationSetup,
    TaskStartDelay,
    compare_strategies,
    flash_sale_demand,
    simulate,
)
from stampede.core.errors import ConfigError

# 100 req/s for a minute, then 400 req/s; a replica serves 100 req/s within the
# SLO and the target utilisation is 50 %; tasks take exactly 30 s to be ready.
STEP = np.array([100.0] * 60 + [400.0] * 240)


def _setup(**kw: object) -> SimulationSetup:
    base: dict[str, object] = {
        "replica_rps": 100.0,
        "target_utilization": 0.5,
        "min_replicas": 2,
        "max_replicas": 20,
        "peak_replicas": 8,
        "task_start": TaskStartDelay(30.0, 30.0),
        "price_per_task_hour": 0.1,
        "prewarm_at_s": 10,
        "release_at_s": 250,
    }
    base.update(kw)
    return SimulationSetup(**base)  # type: ignore[arg-type]


def test_static_peak_never_runs_short() -> None:
    r = simulate(STEP, "static-peak", _setup())
    assert r.minutes_over_slo == 0 and r.requests_late == 0
    assert r.task_hours == pytest.approx(8 * 300 / 3600)
    assert r.cost == pytest.approx(r.task_hours * 0.1)
    assert r.elasticity.under_timeshare == 0


def test_reactive_hpa_on_a_step_by_hand() -> None:
    # Syncs end at t = 14, 29, … At t=74 the last 15 s ran at 2× target: the HPA
    # wants 8 but may add 4 pods (beating +100 %), so 6; those are ready at 104.
    # At t=89 the unready pods count as idle: metric 2 × 2/6 → 8, ready at 119.
    # Until t=104 two replicas serve 200 of 400 req/s: 44 s, 8,800 requests late.
    r = simulate(STEP, "reactive-only", _setup())
    assert r.minutes_over_slo == pytest.approx(44 / 60)
    assert r.requests_late == pytest.approx(44 * 200)
    assert r.replicas[103] == 2 and r.replicas[104] == 6 and r.replicas[119] == 8
    assert r.replicas[-1] == 8
    assert r.task_hours == pytest.approx((2 * 74 + 6 * 15 + 8 * 211) / 3600)
    assert r.elasticity.under_timeshare == pytest.approx(100 * 44 / 300)


def test_scheduled_prewarm_covers_the_step() -> None:
    r = simulate(STEP, "scheduled-plus-reactive", _setup())
    assert r.requests_late == 0
    assert r.replicas[39] == 2 and r.replicas[40] == 8


def test_ecs_reacts_later_than_the_hpa() -> None:
    hpa = simulate(STEP, "reactive-only", _setup())
    ecs = simulate(STEP, "reactive-only", _setup(controller="ecs"))
    assert ecs.requests_late > hpa.requests_late > 0


def test_strategies_are_reproducible_with_a_seed() -> None:
    demand = flash_sale_demand(50, 600, before_s=300, ramp_s=30, sale_s=600, after_s=300)
    setup = _setup(
        task_start=TaskStartDelay(30.0, 90.0),
        prewarm_at_s=100,
        release_at_s=900,
        peak_replicas=14,
        seed=3,
    )
    first = compare_strategies(demand, setup)
    again = compare_strategies(demand, setup)
    assert [r.requests_late for r in first] == [r.requests_late for r in again]
    static, reactive, scheduled = first
    assert static.requests_late == 0 and scheduled.requests_late == 0 < reactive.requests_late
    assert static.task_hours > scheduled.task_hours


def test_task_start_delays_are_lognormal() -> None:
    delays = TaskStartDelay(30.0, 60.0).draw(np.random.default_rng(0), 20_000)
    assert np.median(delays) == pytest.approx(30.0, rel=0.03)
    assert np.quantile(delays, 0.95) == pytest.approx(60.0, rel=0.05)


def test_flash_sale_curve_shape() -> None:
    d = flash_sale_demand(10, 110, before_s=5, ramp_s=2, sale_s=3, after_s=2)
    assert list(d) == [10, 10, 10, 10, 60, 110, 110, 110, 10, 10]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: simulate([1.0], "static-peak", _setup()), "at least 2"),
        (lambda: flash_sale_demand(1, 2, before_s=1, ramp_s=5, sale_s=1, after_s=1), "ramp"),
        (lambda: TaskStartDelay(60, 30).draw(np.random.default_rng(0), 1), "median <= p95"),
    ],
)
def test_bad_simulations_are_config_errors(call: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()  # type: ignore[operator]
