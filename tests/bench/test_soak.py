"""bench/soak.py: its trends have known answers, and a short soak samples both processes."""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import SERIES, slope_per_min, trend

ROOT = Path(__file__).resolve().parents[2]


def test_the_slope_is_least_squares_per_minute() -> None:
    times = [float(t) for t in range(0, 600, 10)]
    assert slope_per_min(times, [100.0 + 0.05 * t for t in times]) == pytest.approx(3.0)
    assert slope_per_min([1.0], [5.0]) == 0.0
    assert slope_per_min([2.0, 2.0], [1.0, 9.0]) == 0.0


def test_the_growth_is_over_the_last_two_thirds_after_warm_up() -> None:
    # a warm-up from 50 to 100 in the first third, then a rise of 10 % to the end
    times = [float(t) for t in range(300)]
    values = [50 + t / 2 if t < 100 else 100 + (t - 100) * 10 / 199 for t in range(300)]
    found = trend(times, values, window=1)
    assert found.start == pytest.approx(100.0) and found.end == pytest.approx(110.0)
    assert found.growth_percent == pytest.approx(10.0)
    assert found.slope_per_min == pytest.approx(60 * 10 / 199)
    # noise around a level after warm-up is no growth: levels are medians of 20 samples
    flat = trend(times, [80.0] * 100 + [90.0, 91.0] * 100, window=20)
    assert (flat.start, flat.end, flat.growth_percent) == (90.5, 90.5, 0.0)
    assert trend([], []).growth_percent == 0.0


@pytest.mark.slow
@pytest.mark.e2e
def test_a_short_soak_samples_the_generator_and_the_store_each_second(tmp_path: Path) -> None:
    out = tmp_path / "soak"
    done = subprocess.run(
        [sys.executable, "bench/soak.py", "--minutes", "0.25", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    figures = json.loads((out / "soak.json").read_text())
    assert figures["exit_code"] == 0 and figures["run_valid"] is True
    with (out / "soak.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # one sample a second over the 30 s run (the sampler starts when Locust does): CI checks
    # the sampling works in half a minute; the trends need the benchmark's 30
    assert 12 <= len(rows) == figures["samples"] <= 25
    at = [float(row["at_s"]) for row in rows]
    assert all(0.5 < b - a < 1.5 for a, b in itertools.pairwise(at))
    for row in rows[10:-5]:  # Locust closes its connections when it stops
        assert float(row["generator_rss_mb"]) > 20 and float(row["store_rss_mb"]) > 20
        assert int(row["generator_connections"]) >= 1 and int(row["store_connections"]) >= 1
    assert set(figures["trends"]) == set(SERIES)
    assert "generator_rss_mb" in done.stdout and "over the last two thirds" in done.stdout
    # the run's sealed seconds were spilled to its directory and are gone once it is written
    run = out / "run"
    assert (run / "timeline.json").is_file()
    assert not list(run.glob(".*-intervals.jsonl"))
