from __future__ import annotations

import pytest

from stampede.capacity import elasticity_metrics
from stampede.core.errors import ConfigError


def test_step_demand_with_late_supply() -> None:
    # demand steps 2 → 4 at t=4; supply follows at t=6 (8 one-second steps)
    m = elasticity_metrics([2, 2, 2, 2, 4, 4, 4, 4], [2, 2, 2, 2, 2, 2, 4, 4])
    assert m.under_accuracy == pytest.approx(100 / 8 * (2 / 4 + 2 / 4))  # 12.5 %
    assert m.under_timeshare == pytest.approx(100 * 2 / 8)  # 25 %
    assert m.over_accuracy == 0 and m.over_timeshare == 0
    # demand moves at step 4, supply at step 6: 2 mismatches over 7 intervals
    assert m.instability == pytest.approx(100 * 2 / 7)
    # one supply and one demand adaptation: no jitter
    assert m.jitter == 0


def test_oscillating_overprovisioned_supply() -> None:
    m = elasticity_metrics([1, 1, 1, 1], [2, 3, 2, 3], step_s=15)
    assert m.over_accuracy == pytest.approx(100 * (1 + 2 + 1 + 2) / 4)
    assert m.over_timeshare == 100
    assert m.instability == 100
    assert m.jitter == pytest.approx(3 / 1.0)  # 3 adaptations in one minute


def test_mismatched_curves_are_rejected() -> None:
    with pytest.raises(ConfigError, match="equal length"):
        elasticity_metrics([1, 2], [1])
