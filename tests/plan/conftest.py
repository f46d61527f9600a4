"""Fixtures for ``stampede plan``: a run directory written from a synthetic probe history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stampede.profiles import load_profile
from tests.capacity.synthetic import LEVELS, Truth, synthetic_history
from tests.synthetic import write_run_json

MakeRun = Callable[..., Path]


@pytest.fixture
def make_run(tmp_path: Path) -> MakeRun:
    """Build a run directory the way ``stampede run`` leaves one, from synthetic data."""

    def make(levels: tuple[int, ...] = LEVELS, *, valid: bool = True, history: bool = True) -> Path:
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        profile = load_profile("capacity-probe").scaled(0.005, 0.5)
        (run_dir / "profile.yaml").write_text(profile.to_yaml(), encoding="utf-8")
        run = {
            "format": "stampede.run/1",
            "profile": "capacity-probe",
            "scale": 0.005,
            "time_scale": 0.5,
            "validity": {"valid": valid, "reasons": [] if valid else ["12 % of sends were late"]},
            "generator_sizing": {
                "measured_rps_per_core": 1500.0,
                "measured_memory_mb_per_user": 0.25,
            },
        }
        write_run_json(run_dir, run)
        if history:
            frame = synthetic_history(Truth(), levels, seconds=40)
            frame.to_csv(run_dir / "locust_stats_history.csv", index=False)
        return run_dir

    return make
