from __future__ import annotations

import pytest

from stampede.capacity import EcsConfig, EcsController, HpaController, hpa_desired_replicas


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        (1, 200, 100, 2),  # Kubernetes docs: 200m against 100m doubles
        (2, 50, 100, 1),  # 50m against 100m halves
        (4, 105, 100, 4),  # within the 0.1 tolerance: no change
        (4, 91, 100, 4),
        (4, 111, 100, 5),
        (3, 100, 100, 3),
    ],
)
def test_hpa_formula_on_the_documented_cases(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert hpa_desired_replicas(current, metric, target) == expected


def test_hpa_scale_up_is_limited_by_the_fastest_policy() -> None:
    hpa = HpaController()
    # metric 10× target wants 20 replicas; 100 % allows 4, 4 pods allows 6: Max → 6
    assert hpa.step(0.0, 2, 5.0, 0.5, 1, 100) == 6
    # 15 s later a new period starts from 6: 100 % → 12 beats +4 → 10
    assert hpa.step(15.0, 6, 5.0, 0.5, 1, 100) == 12


def test_hpa_scale_down_waits_for_the_stabilization_window() -> None:
    hpa = HpaController()
    assert hpa.step(0.0, 10, 0.5, 0.5, 1, 100) == 10
    for t in range(15, 300, 15):
        assert hpa.step(float(t), 10, 0.1, 0.5, 1, 100) == 10
    # after 300 s of low recommendations: down by at most 10 % a minute (ceil(10 × 0.9) = 9)
    assert hpa.step(315.0, 10, 0.1, 0.5, 1, 100) == 9
    assert hpa.step(330.0, 9, 0.1, 0.5, 1, 100) == 9


def test_hpa_respects_min_and_max() -> None:
    assert HpaController().step(0.0, 2, 5.0, 0.5, 1, 3) == 3
    assert HpaController().step(0.0, 2, 0.5, 0.5, 4, 10) == 4


def test_ecs_scales_out_after_three_datapoints_above_target() -> None:
    ecs = EcsController()
    assert ecs.step(0.0, 4, 1.0, 0.5, 1, 100) == 4
    assert ecs.step(60.0, 4, 1.0, 0.5, 1, 100) == 4
    assert ecs.step(120.0, 4, 1.0, 0.5, 1, 100) == 8
    # within the 60 s scale-out cooldown of that action nothing happens... at 180 s it may again
    assert ecs.step(150.0, 8, 1.0, 0.5, 1, 100) == 8


def test_ecs_scales_in_after_fifteen_datapoints_below() -> None:
    ecs = EcsController(EcsConfig(scale_in_cooldown_s=300))
    results = [ecs.step(60.0 * i, 10, 0.2, 0.5, 2, 100) for i in range(15)]
    assert results[:14] == [10] * 14
    assert results[14] == 4  # ceil(10 × 0.2 / 0.5)
