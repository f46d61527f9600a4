from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import pytest

from stampede.capacity import Endpoint, detect_plateaus, normalize_history, plateau_frame
from stampede.core.errors import ConfigError
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


class RecordedWindows:
    """A WindowLatency double: a p95 that encodes its arguments, and a log of the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[frozenset[tuple[str, str]] | None, int, int]] = []

    def p95_ms(self, endpoints: Collection[Endpoint] | None, start_s: int, end_s: int) -> float:
        chosen = None if endpoints is None else frozenset(endpoints)
        self.calls.append((chosen, start_s, end_s))
        return float(end_s - start_s) + (0.0 if chosen is None else 1000.0 * len(chosen))


def test_a_window_latency_gives_each_plateau_endpoint_and_service_its_exact_p95(
    history_frame: pd.DataFrame,
) -> None:
    latency = RecordedWindows()
    plateaus = detect_plateaus(normalize_history(history_frame), latency=latency)
    for p in plateaus.points:
        assert p.p95_exact and p.p95_ms == p.end_s - p.start_s
        assert (None, p.start_s, p.end_s) in latency.calls
        assert p.requests == pytest.approx(p.throughput * (p.end_s - p.start_s), rel=1e-9)
    endpoint = plateaus.endpoints.iloc[0]
    assert endpoint["p95_ms"] == 1000 + plateaus.points[0].end_s - plateaus.points[0].start_s
    orders = plateaus.services[plateaus.services["service"] == "orders"].iloc[0]
    rows = plateaus.endpoints[plateaus.endpoints["service"] == "orders"]
    members = {(str(t), str(n)) for t, n in zip(rows["type"], rows["name"], strict=True)}
    assert members == {
        ("POST", "/api/v1/cart/items"),
        ("POST", "/api/v1/checkout"),
        ("GET", "/api/v1/orders/[id]"),
    }
    first = plateaus.points[0]
    assert (frozenset(members), first.start_s, first.end_s) in latency.calls
    assert orders["p95_ms"] == 3000 + first.end_s - first.start_s
    per_plateau = plateaus.endpoints[plateaus.endpoints["plateau"] == 0]
    assert orders["requests"] == per_plateau[per_plateau["service"] == "orders"]["requests"].sum()


def test_without_a_window_latency_p95s_are_locusts_rolling_ones(
    history_frame: pd.DataFrame,
) -> None:
    plateaus = detect_plateaus(normalize_history(history_frame))
    assert not any(p.p95_exact for p in plateaus.points)
    assert plateaus.services["p95_ms"].isna().all()


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


def _with_slow_seconds(history: pd.DataFrame, first: int, last: int, factor: float) -> pd.DataFrame:
    """``history`` with the total's requests in seconds ``first..last`` ``factor`` times slower."""
    out = history.copy()
    agg = out.index[out["name"] == "Aggregated"]
    n = out.loc[agg, "total_requests"].to_numpy()
    weighted = (out.loc[agg, "total_avg_ms"] * out.loc[agg, "total_requests"]).to_numpy()
    per_second = np.diff(weighted, prepend=0.0)
    slow = out.loc[agg, "timestamp"].between(first, last).to_numpy()
    per_second[slow] *= factor
    out.loc[agg, "total_avg_ms"] = np.cumsum(per_second) / np.maximum(n, 1)
    return out


def test_settle_factor_skips_a_login_burst(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    start = T0 + 1 + 2 * 40  # the third level; its first 4 s are a login burst
    slow = _with_slow_seconds(history, start + 1, start + 4, 20.0)
    plain = detect_plateaus(slow, warmup_s=1, min_duration_s=5).points[2]
    settled = detect_plateaus(slow, warmup_s=1, min_duration_s=5, settle_factor=2.0).points[2]
    reference = detect_plateaus(history, warmup_s=1, min_duration_s=5).points[2]
    assert plain.start_s == start + 1
    assert settled.start_s == start + 4
    assert plain.mean_ms > 1.5 * reference.mean_ms
    assert settled.mean_ms == pytest.approx(reference.mean_ms, rel=0.02)
    unchanged = detect_plateaus(history, warmup_s=1, min_duration_s=5, settle_factor=2.0)
    assert unchanged.points[2].start_s == reference.start_s
