"""Fixtures for ``stampede plan``: a run directory written from a synthetic probe history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir
from stampede.core.validity import Validity
from stampede.profiles import load_profile
from tests.capacity.synthetic import LEVELS, Truth, synthetic_history
from tests.core.samples import measured_run, runner_facts

MakeRun = Callable[..., Path]


@pytest.fixture
def make_run(tmp_path: Path) -> MakeRun:
    """Build a run directory the way ``stampede run`` leaves one, from synthetic data."""

    def make(levels: tuple[int, ...] = LEVELS, *, valid: bool = True, history: bool = True) -> Path:
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        rundir = RunDir(run_dir)
        rundir.write_profile(load_profile("capacity-probe").scaled(0.005, 0.5))
        reasons = () if valid else ("12 % of sends were late",)
        record = RunRecord(
            measured_run(validity=Validity(valid, reasons)), runner_facts(store_workers=None)
        )
        rundir.write_record(record)
        if history:
            frame = synthetic_history(Truth(), levels, seconds=40)
            frame.to_csv(run_dir / "locust_stats_history.csv", index=False)
        return run_dir

    return make
