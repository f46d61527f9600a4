"""Memory per simulated user: the slope on known synthetic runs, the fallbacks, the process tree.

The synthetic runs hold memory as a real Locust process does: resident memory
follows the most users held so far (freed memory stays with the process).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import psutil
import pytest

from stampede.app.generator_sizing import (
    GeneratorFootprint,
    full_scale_workers,
    measured_footprint,
)
from stampede.core.generator import (
    KB,
    MB,
    REFERENCE_KB_PER_USER,
    SlopeRules,
    memory_per_user,
    tree_rss,
)
from stampede.core.rundir import RunDir
from stampede.profiles import load_profile
from tests.run.helpers import run_json
from tests.synthetic import write_run, write_run_json

PEAK_ABOVE_IDLE = 120 * MB


def _flash_sale_users(t: np.ndarray) -> np.ndarray:
    """25 users for 40 s, 600 by 60 s, held to 200 s, down to 0 by 240 s."""
    ramp = 25 + (600 - 25) * np.clip((t - 40) / 20, 0, 1)
    decay = 600 * np.clip((240 - t) / 40, 0, 1)
    return np.round(np.where(t < 200, ramp, decay))


def _run(
    per_user_kb: float, per_second_kb: float = 0.0, seed: int = 7
) -> tuple[list[float], list[float], list[float]]:
    t = np.arange(0.0, 240.0)
    users = _flash_sale_users(t)
    noise = np.random.default_rng(seed).normal(0.0, 0.5 * MB, t.size)
    held = np.maximum.accumulate(users)
    rss = 50 * MB + per_user_kb * KB * held + per_second_kb * KB * t + noise
    return list(t), list(users), list(rss)


def _waves(per_user_kb: float) -> tuple[list[float], list[float], list[float]]:
    """Black Friday's shape: 100 users, a wave of 300, a lull of 150, a wave of 500."""
    t = np.arange(0.0, 400.0)
    users = np.select([t < 80, t < 160, t < 240], [100.0, 300.0, 150.0], 500.0)
    noise = np.random.default_rng(3).normal(0.0, 0.3 * MB, t.size)
    rss = 60 * MB + per_user_kb * KB * np.maximum.accumulate(users) + noise
    return list(t), list(users), list(rss)


def test_the_slope_is_the_memory_each_user_adds_without_the_fixed_part() -> None:
    t, users, rss = _run(per_user_kb=20.0)
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    assert found.method == "slope"
    assert found.mb * MB / KB == pytest.approx(20.0, abs=0.5)
    assert found.fixed_mb == pytest.approx(50.0, abs=0.5)  # what it holds whatever the users
    # peak over users would have counted the 50 MB the generator holds anyway
    assert PEAK_ABOVE_IDLE / MB / max(users) > 10 * found.mb
    assert "with run time as a second term" in found.note
    assert found.note.endswith("KB per user")


def test_memory_kept_through_a_lull_is_not_read_as_a_smaller_slope() -> None:
    t, users, rss = _waves(per_user_kb=40.0)
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    assert found.method == "slope"
    assert found.mb * MB / KB == pytest.approx(40.0, rel=0.02)
    assert "on the most users held so far" in found.note
    # fitted on the users running now, the lull's flat memory would pull the slope down
    design = np.column_stack([np.ones(len(users)), users, t])
    naive = np.linalg.lstsq(design, np.array(rss), rcond=None)[0][1] / KB
    assert naive < 0.8 * 40.0


def test_memory_that_grows_with_run_time_is_not_counted_per_user() -> None:
    t, users, rss = _run(per_user_kb=20.0, per_second_kb=500.0)
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    assert found.method == "slope"
    assert found.mb * MB / KB == pytest.approx(20.0, abs=0.5)
    assert "memory grew 500 KB/s with time" in found.note


def test_users_that_rise_with_time_throughout_get_a_slope_on_users_alone() -> None:
    t = [float(s) for s in range(60)]
    users = [10.0 * (s + 1) for s in range(60)]
    rss = [50 * MB + 20 * KB * u for u in users]
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    assert found.method == "slope"
    assert found.mb * MB / KB == pytest.approx(20.0)
    assert "users rose with run time (correlation 1.00)" in found.note


def test_samples_without_users_are_left_out() -> None:
    t, users, rss = _run(per_user_kb=20.0)
    before = [-3.0, -2.0, -1.0]
    found = memory_per_user(before + t, [0.0] * 3 + users, [5 * MB] * 3 + rss, PEAK_ABOVE_IDLE)
    assert found.mb * MB / KB == pytest.approx(20.0, abs=0.5)
    assert "over 240 per-second samples (25 to 600 users)" in found.note


def test_a_slope_below_zero_is_no_measurement_and_the_reference_stands_in() -> None:
    t, users, rss = _run(per_user_kb=-5.0)
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE, SlopeRules(min_users_for_peak=1e6))
    assert found.method == "reference"
    assert found.mb * MB / KB == REFERENCE_KB_PER_USER
    assert "KB per user, below 0, so 0" in found.note


def test_too_few_users_to_rise_above_the_noise_use_the_reference_figure() -> None:
    """An open model's 2 to 20 visits at a time, 2 MB of noise: no slope can be told."""
    t = np.arange(0.0, 120.0)
    users = np.round(2 + 18 * np.abs(np.sin(t / 9)))
    rss = 70 * MB + 40 * KB * np.maximum.accumulate(users)
    rss += np.random.default_rng(5).normal(0.0, 2 * MB, t.size)
    found = memory_per_user(list(t), list(users), list(rss), PEAK_ABOVE_IDLE)
    assert found.method == "reference"
    assert found.mb == pytest.approx(REFERENCE_KB_PER_USER * KB / MB)
    assert "a standard error above 25% of the slope" in found.note
    assert found.note.startswith(f"the reference {REFERENCE_KB_PER_USER:g} KB per user")
    # the process's own footprint is what the peak holds beyond the reference's users
    assert found.fixed_mb == pytest.approx(max(rss) / MB - found.mb * max(users))


@pytest.mark.parametrize(
    ("users", "rss", "why"),
    [
        pytest.param([1000.0, 2000.0] * 4, [60 * MB] * 8, "8 memory samples", id="too-few"),
        pytest.param([1000.0] * 30, [60 * MB] * 30, "one level (1000)", id="one-level"),
        pytest.param(
            [1000.0] + [1500.0] * 29, [60 * MB] * 30, "only from 1000 to 1500", id="narrow-spread"
        ),
        pytest.param([1000.0, 3000.0] * 15, [0.0] * 30, "0 memory samples", id="no-memory-read"),
    ],
)
def test_a_run_of_many_users_without_a_slope_falls_back_to_peak_over_users(
    users: list[float], rss: list[float], why: str
) -> None:
    t = [float(s) for s in range(len(users))]
    found = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    assert found.method == "peak/users"
    assert found.mb == pytest.approx(120.0 / max(users))
    assert found.note.startswith("peak memory above idle / peak users: ") and why in found.note


def test_a_run_without_samples_is_sized_by_the_reference_not_by_nothing() -> None:
    found = memory_per_user([], [], [], PEAK_ABOVE_IDLE)
    assert (found.method, found.fixed_mb) == ("reference", None)
    assert found.mb == pytest.approx(REFERENCE_KB_PER_USER * KB / MB)


def test_full_scale_sizing_says_how_memory_per_user_was_found() -> None:
    t, users, rss = _run(per_user_kb=20.0)
    memory = memory_per_user(t, users, rss, PEAK_ABOVE_IDLE)
    footprint = GeneratorFootprint(
        requests=60_000,
        cpu_seconds=30.0,
        peak_users=600,
        memory=memory,
        peak_rps=300,
        scale=0.005,
    )
    sizing = full_scale_workers(footprint)
    assert sizing.memory_per_user_method == "slope"
    assert sizing.memory_per_user_note == memory.note
    assert sizing.measured_memory_mb_per_user == round(memory.mb, 4)
    assert sizing.full_scale_peak_users == 120_000


def test_tree_rss_adds_up_a_process_and_its_children() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        own = psutil.Process().memory_info().rss
        assert tree_rss(os.getpid()) > own
        assert tree_rss(child.pid) > 0
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    assert tree_rss(child.pid) == 0  # reaped: gone


def test_a_run_stopped_before_its_peak_still_sizes_the_profiles_full_scale() -> None:
    """Ctrl-C after 25 of the 600 users the profile intends: full scale is still 120,000
    users, and the request rate is extrapolated per user (2 req/s each here)."""
    t, users, rss = _run(per_user_kb=20.0)
    interrupted = GeneratorFootprint(
        requests=500,
        cpu_seconds=5.0,
        peak_users=25,
        memory=memory_per_user(t, users, rss, PEAK_ABOVE_IDLE),
        peak_rps=50,
        scale=0.005,
        intended_peak_users=600,
    )
    sizing = full_scale_workers(interrupted)
    assert sizing.full_scale_peak_users == 120_000
    assert sizing.full_scale_peak_rps == 240_000


def test_sizing_from_a_saturated_run_uses_the_rate_the_profile_intended(tmp_path: Path) -> None:
    # the run kept only half its users running: Locust's achieved rate is half the intended
    run = write_run(tmp_path / "run")
    write_run_json(
        run,
        {"generator": {**run_json(run)["generator"], "running_user_seconds": 78.0}},
    )
    rundir = RunDir(run)
    measured = rundir.record().measured
    requests = rundir.latency().count()
    footprint = measured_footprint(rundir, measured)
    peak_users = max(s.users or 0 for s in rundir.profile(load_profile).stages)
    assert footprint.peak_rps == pytest.approx(peak_users * requests / 78.0)
    assert footprint.peak_rps > max(
        float(r["Requests/s"]) for r in rundir.read_csv("locust_stats_history.csv")
    )
    assert footprint.peak_rps_basis == (
        f"the profile's peak of {peak_users:g} users × {requests / 78.0:.2f} requests a user-second"
    )
    sizing = full_scale_workers(footprint)
    assert sizing.full_scale_peak_rps == pytest.approx(footprint.peak_rps / measured.scale, 0.01)
    assert sizing.peak_rps_basis == footprint.peak_rps_basis
