"""Time to fit and plan from a 1-hour capacity-probe history, against reading its CSV.

Synthesises ten plateaus of 360 s (one hour, ten rows a second: the total and
nine endpoints, like Locust's full history) with tests/capacity/synthetic.py,
writes the CSV, then times, best of ``--repeat``: reading it
(:func:`capacity.load_stats_history`, the baseline), plateaus plus USL fit,
and the whole :func:`capacity.make_plan`. Prints the hardware first.

Run: ``/work/venv/bin/python bench/capacity_fit.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stampede.capacity import (
    PlanConfig,
    PlateauDetection,
    detect_plateaus,
    fit_usl,
    load_stats_history,
    make_plan,
)
from tests.capacity.synthetic import Truth, synthetic_history

LEVELS = (10, 25, 50, 75, 100, 130, 160, 200, 250, 300)
SECONDS_PER_LEVEL = 360


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"hardware: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "locust_stats_history.csv"
        synthetic_history(Truth(), LEVELS, seconds=SECONDS_PER_LEVEL).to_csv(csv, index=False)
        history = load_stats_history(csv)
        print(f"history: {len(history):,} rows, {csv.stat().st_size / 1e6:.1f} MB, 1 h")
        read = best_of(args.repeat, lambda: load_stats_history(csv))

        def fit() -> object:
            points = detect_plateaus(history, settle_factor=2.0).points
            return fit_usl([p.concurrency for p in points], [p.throughput for p in points])

        fitted = best_of(args.repeat, fit)
        planned = best_of(
            args.repeat,
            lambda: make_plan(
                history,
                PlanConfig(
                    target_users=120_000,
                    slo_p95_ms=500,
                    plateaus=PlateauDetection(settle_factor=2.0),
                ),
            ),
        )
    print(f"{'step':<34}{'best s':>9}{'x read':>9}")
    for name, seconds in (
        ("read CSV (baseline)", read),
        ("plateaus + USL fit", fitted),
        ("make_plan (fit, size, simulate)", planned),
    ):
        print(f"{name:<34}{seconds:>9.3f}{seconds / read:>9.2f}")


if __name__ == "__main__":
    main()
