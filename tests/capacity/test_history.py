from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stampede.capacity import HISTORY_COLUMNS, load_stats_history, normalize_history
from stampede.core.errors import ConfigError


def test_load_reads_locust_csv_with_na(history_csv: Path) -> None:
    assert "N/A" in history_csv.read_text().splitlines()[1]
    frame = load_stats_history(history_csv)
    assert tuple(frame.columns) == HISTORY_COLUMNS
    first = frame.iloc[0]
    assert first["name"] == "Aggregated" and np.isnan(first["p95_ms"])
    assert frame["timestamp"].is_monotonic_increasing
    assert frame["users"].dtype == np.int64


def test_frame_built_directly_passes_through() -> None:
    frame = pd.DataFrame(
        {
            "timestamp": [2, 1],
            "users": [5, 5],
            "name": ["Aggregated", "Aggregated"],
            "requests_per_s": [10.0, 9.0],
            "total_requests": [20, 10],
            "total_failures": [0, 0],
            "total_avg_ms": [50.0, 50.0],
            "p95_ms": ["N/A", 80.0],
        }
    )
    out = normalize_history(frame)
    assert list(out["timestamp"]) == [1, 2]
    assert list(out["type"]) == ["", ""]
    assert np.isnan(out["p99_ms"]).all()
    assert out["p95_ms"].iloc[0] == 80.0 and np.isnan(out["p95_ms"].iloc[1])


def test_missing_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope_stats_history\.csv.*capacity-probe"):
        load_stats_history(tmp_path / "nope_stats_history.csv")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "no rows"),
        ("Timestamp,User Count,Name\n1,2,Aggregated\n", "lacks the column"),
    ],
)
def test_bad_files_are_config_errors(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "x_stats_history.csv"
    path.write_text(content)
    with pytest.raises(ConfigError, match=match):
        load_stats_history(path)
