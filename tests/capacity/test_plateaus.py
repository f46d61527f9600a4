from __future__ import annotations

import pandas as pd
import pytest

from capacity import detect_plateaus, normalize_history, plateau_frame
from stampede.errors import ConfigError
from tests.capacity.synthetic import LEVELS, T0, Truth, synthetic_history


def test_one_plateau_per_level_with_warmup_trimmed(history_frame: pd.DataFrame) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame), warmup_s=10)
    assert [p.users for p in plateaus.points] == list(LEVELS)
    first = plateaus.points[0]
    assert first.start_s == T0 + 1 + 10
    assert first.end_s == T0 + 40
    assert len(plateau_frame(plateaus)) == len(LEVELS)


def test_points_obey_littles_law(history_frame: pd.DataFrame, truth: Truth) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame), think_time_s=truth.think_s)
    for p in plateaus.points:
        assert p.concurrency == pytest.approx(p.throughput * p.mean_ms / 1000)
        # users = X·(R + Z): the measured think time is the generated one
        assert p.implied_think_time_s == pytest.approx(truth.think_s, abs=0.06)
        assert p.throughput == pytest.approx(truth.throughput(p.users), rel=0.06)
        assert p.p95_ms / p.mean_ms == pytest.approx(2.2, rel=0.05)
        assert 0 < p.error_rate < 0.01


def test_endpoint_rows_carry_services(history_frame: pd.DataFrame) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame))
    services = set(plateaus.endpoints["service"])
    assert services == {"users", "catalog", "orders", "inventory"}
    per_plateau = plateaus.endpoints.groupby("plateau")["throughput"].sum()
    for i, p in enumerate(plateaus.points):
        assert per_plateau[i] == pytest.approx(p.throughput)


def test_too_few_plateaus_asks_for_the_probe_profile() -> None:
    short = synthetic_history(Truth(), (10, 20, 30), seconds=40)
    with pytest.raises(ConfigError, match=r"3 steady plateau.*6 are needed.*capacity-probe"):
        detect_plateaus(normalize_history(short))


def test_history_without_aggregated_rows_is_rejected(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    with pytest.raises(ConfigError, match=r"'Aggregated'.*capacity-probe"):
        detect_plateaus(history[history["name"] != "Aggregated"])


def test_short_levels_are_not_plateaus(history_frame: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="0 steady plateau"):
        detect_plateaus(normalize_history(history_frame), warmup_s=10, min_duration_s=100)
