"""Fixtures for the capacity tests: a synthetic probe run, written once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.capacity.synthetic import Truth, synthetic_history


@pytest.fixture(scope="session")
def truth() -> Truth:
    return Truth()


@pytest.fixture(scope="session")
def history_frame(truth: Truth) -> pd.DataFrame:
    return synthetic_history(truth, seconds=40)


@pytest.fixture(scope="session")
def history_csv(history_frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("run") / "probe_stats_history.csv"
    history_frame.to_csv(path, index=False)
    return path
