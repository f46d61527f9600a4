"""Splitting a shared process's CPU by service: known answers on synthetic seconds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stampede.capacity import estimate_service_demands, normalize_history, per_second_counts
from stampede.core.errors import ConfigError

TRUE_CPU_MS = {"users": 40.0, "catalog": 1.5, "orders": 6.0, "inventory": 1.0}
BACKGROUND = 0.05


def cpu_samples(history: pd.DataFrame, *, noise: float, seed: int = 1) -> pd.DataFrame:
    """The cores a process with TRUE_CPU_MS would have used, sampled just before each row."""
    counts = per_second_counts(history)
    rng = np.random.default_rng(seed)
    work = sum(counts[s] * ms / 1000.0 for s, ms in TRUE_CPU_MS.items())
    cores = BACKGROUND + work + noise * rng.standard_normal(len(counts))
    return pd.DataFrame({"at": counts.index.to_numpy() - 0.3, "cores": cores.clip(lower=0)})


def test_per_second_counts_add_up_to_the_history(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    counts = per_second_counts(history)
    last = history[history["name"] != "Aggregated"].groupby("name")["total_requests"].max()
    assert counts.to_numpy().sum() == pytest.approx(last.sum())
    assert list(counts.columns) == ["users", "catalog", "orders", "inventory"]


def test_without_noise_the_regression_is_exact(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    demands = estimate_service_demands(history, cpu_samples(history, noise=0.0))
    for service, ms in TRUE_CPU_MS.items():
        assert demands.cpu_ms[service] == pytest.approx(ms, rel=1e-6), service
    assert demands.background_cores == pytest.approx(BACKGROUND, rel=1e-6)
    assert demands.r_squared == pytest.approx(1.0)
    shares = demands.shares({"users": 1, "catalog": 100, "orders": 10, "inventory": 0})
    assert shares == pytest.approx({"users": 0.16, "catalog": 0.6, "orders": 0.24, "inventory": 0})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_noise_the_busy_services_are_within_their_errors(
    history_frame: pd.DataFrame, seed: int
) -> None:
    # 20 ms of CPU noise a second: the services that carry the work come out within
    # about 3 standard errors, and the standard errors are honest about the quiet one
    history = normalize_history(history_frame)
    demands = estimate_service_demands(history, cpu_samples(history, noise=0.02, seed=seed))
    for service, ms in TRUE_CPU_MS.items():
        assert abs(demands.cpu_ms[service] - ms) <= 3.5 * demands.cpu_ms_se[service], service
    assert demands.cpu_ms["users"] == pytest.approx(40, rel=0.05)
    assert demands.cpu_ms["catalog"] == pytest.approx(1.5, rel=0.2)
    assert demands.cpu_ms["orders"] == pytest.approx(6, rel=0.1)
    assert demands.r_squared > 0.99


def test_too_few_overlapping_seconds_are_refused(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    cpu = cpu_samples(history, noise=0).iloc[:12]
    with pytest.raises(ConfigError, match="needed to split the CPU by service"):
        estimate_service_demands(history, cpu)


def test_rates_that_cost_nothing_are_refused(history_frame: pd.DataFrame) -> None:
    history = normalize_history(history_frame)
    demands = estimate_service_demands(history, cpu_samples(history, noise=0))
    with pytest.raises(ConfigError, match="cost no CPU"):
        demands.shares({})
