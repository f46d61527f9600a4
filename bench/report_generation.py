"""Benchmark: ``report.html`` of a one-hour run at one-second resolution over 20 endpoints.

The run directory is synthesised with Stampede's own writers (LatencyRecorder,
LatencyTimeline, ArrivalLedger, OutcomeCounter, write_json, RunDir.write_record)
plus Locust-format CSVs: 3,600 intervals × 20 request names. Each measurement runs in a fresh
child process, so its peak resident memory is its own:

* baseline: read every file of the run directory with the ``RunDir`` readers;
* report: ``reports.write_report`` (read, compute, draw, render, write).

Goal: the report under 10 s and 500 MB. Usage::

    /work/venv/bin/python bench/report_generation.py [--seconds 3600] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stampede.core.arrivals import ArrivalLedger  # noqa: E402
from stampede.core.latency import LatencyRecorder, LatencyTimeline  # noqa: E402
from stampede.core.outcomes import OutcomeCounter  # noqa: E402
from stampede.core.records import (  # noqa: E402
    FullScaleGenerator,
    GeneratorFacts,
    Machine,
    MeasuredRun,
    RunnerFacts,
    RunRecord,
    Versions,
)
from stampede.core.rundir import RunDir, write_json, write_text  # noqa: E402
from stampede.core.validity import Validity  # noqa: E402

ORIGIN = 1_800_000_000.0
ENDPOINTS = (
    [f"GET /api/v1/products/[id]/v{i}" for i in range(6)]
    + [f"GET /api/v1/search/s{i}" for i in range(2)]
    + ["GET /api/v1/categories", "GET /api/v1/products", "GET /api/v1/cart"]
    + [f"POST /api/v1/cart/items/{i}" for i in range(2)]
    + ["POST /api/v1/checkout", "GET /api/v1/orders", "POST /api/v1/orders/[id]/pay"]
    + ["POST /api/v1/sessions", "POST /api/v1/users"]
    + ["GET /api/v1/stock/[sku]", "GET /api/v1/ws/stock"]
)
PROFILE = """name: bench
description: one hour at one-second resolution
scale: 1
time_scale: 1
stages:
  - {duration: 10m, users: 200, phase: baseline}
  - {duration: 5m, users: 2000, phase: doors-open}
  - {duration: 40m, users: 2000, phase: sale}
  - {duration: 5m, users: 100, phase: decay}
mix: {browser: 0.5, flash_buyer: 0.5}
think_times:
  browser: {min: 1s, max: 3s}
  flash_buyer: {distribution: constant, value: 1s}
flash: {sku: FLASH-001, opens_at: 10m}
slos:
  latency: {all: {p95: 500ms, p99: 1s}, checkout: {p95: 800ms}, stock: {p95: 200ms}}
  error_rate: 0.01
  min_throughput: 50
"""


def synthesise(out: Path, seconds: int, per_endpoint: int, seed: int = 7) -> None:
    """Write a run directory of ``seconds`` one-second intervals under ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    recorder = LatencyRecorder()
    timeline = LatencyTimeline(1.0, 0.0)
    ledger = ArrivalLedger(1.0, 0.0, 0.05)
    outcomes = OutcomeCounter(1.0)
    history: list[list[object]] = []
    totals = dict.fromkeys(ENDPOINTS, 0)
    for second in range(seconds):
        now = ORIGIN + second
        load = 1.0 + 2.0 * (600 <= second < 3300)
        for name in ENDPOINTS:
            for _ in range(per_endpoint):
                sent = now + rng.random() * 0.9
                latency = rng.lognormvariate(-4.0 + 0.5 * load, 0.8)
                intended = sent - rng.random() * 0.002
                recorder.record(name, intended, sent, sent + latency)
                timeline.record(name, intended, sent, sent + latency)
                ledger.record_sent(intended, sent)
            totals[name] += per_endpoint
        for outcome, n in (("viewed_product", 40), ("added_to_cart", 8), ("order_paid", 3)):
            outcomes.add(outcome, now, n)
        if second % 7 == 0:
            outcomes.add("sold_out", now, 2)
            outcomes.add("rate_limited", now, 1)
        history.append([int(now), sum(totals.values()), second // 10])
    _write_files(out, seconds, recorder, timeline, ledger, outcomes, history, totals)


def _write_files(
    out: Path,
    seconds: int,
    recorder: LatencyRecorder,
    timeline: LatencyTimeline,
    ledger: ArrivalLedger,
    outcomes: OutcomeCounter,
    history: list[list[object]],
    totals: dict[str, int],
) -> None:
    write_json(out / "latency.json", recorder.to_dict())
    write_json(out / "timeline.json", timeline.to_dict())
    write_json(out / "arrivals.json", ledger.to_dict())
    write_json(out / "outcomes.json", outcomes.to_dict())
    users = [{"t": float(s), "intended": 2000.0, "running": 2000.0} for s in range(seconds)]
    write_json(out / "users.json", {"rows": users})
    cpu = [{"at": float(s), "core_percent": 40.0, "busiest_percent": 40.0} for s in range(seconds)]
    write_json(out / "cpu.json", {"samples": cpu})
    write_text(out / "profile.yaml", PROFILE)
    write_json(
        out / "audit.json",
        {"ok": True, "checks": [{"name": "stock_balance", "ok": True, "detail": "balanced"}]},
    )
    write_json(
        out / "store-summary.json",
        {
            "orders_by_status": {"paid": 3 * seconds},
            "flash": [
                {
                    "sku": "FLASH-001",
                    "initial": 100,
                    "sold": 100,
                    "held": 0,
                    "available": 0,
                    "sold_out_at": ORIGIN + 630,
                }
            ],
        },
    )
    RunDir(out).write_record(_record(seconds))
    _write_locust_csvs(out, history, totals)


def _record(seconds: int) -> RunRecord:
    """What ``stampede run`` would have recorded of this hour."""
    measured = MeasuredRun(
        profile="bench",
        model="closed",
        scale=1.0,
        time_scale=1.0,
        host="http://127.0.0.1:8000",
        started_at=ORIGIN,
        ended_at=ORIGIN + seconds,
        duration_s=float(seconds),
        planned_duration_s=float(seconds),
        origin=ORIGIN,
        interrupted=False,
        stop_reason="the profile's schedule ended",
        phases=(
            ("baseline", 0.0, 600.0),
            ("doors-open", 600.0, 900.0),
            ("sale", 900.0, 3300.0),
            ("decay", 3300.0, float(seconds)),
        ),
        sale_opens_at_s=600.0,
        open_model_pool=None,
        generator=GeneratorFacts(1, seconds, 0, 0.05, 0, 0, None, None, 0.0, 0.0),
        validity=Validity(True, ()),
        versions=Versions("bench", "bench", platform.python_version()),
        machine=Machine(platform.platform(), os.cpu_count(), "bench", platform.node()),
    )
    sizing = FullScaleGenerator(0.0, 0.0, "peak/users", "", 0.0, 2000)
    runner = RunnerFacts(
        "embedded", 1, "python bench/report_generation.py", 0, True, sizing, 0.0, (), True
    )
    return RunRecord(measured, runner)


def _write_locust_csvs(out: Path, history: list[list[object]], totals: dict[str, int]) -> None:
    with (out / "locust_stats.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Type", "Name", "Request Count", "Failure Count"])
        for name, count in totals.items():
            method, path = name.split(" ", 1)
            writer.writerow([method, path, count, count // 1000])
        failures = sum(totals.values()) // 1000
        writer.writerow(["", "Aggregated", sum(totals.values()), failures])
    with (out / "locust_stats_history.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Timestamp",
                "User Count",
                "Type",
                "Name",
                "Total Request Count",
                "Total Failure Count",
            ]
        )
        for stamp, total, failed in history:
            for name in ENDPOINTS:
                method, path = name.split(" ", 1)
                writer.writerow([stamp, 2000, method, path, 0, 0])
            writer.writerow([stamp, 2000, "", "Aggregated", total, failed])
    for name, head in (
        ("locust_failures.csv", "Method,Name,Error,Occurrences"),
        ("locust_exceptions.csv", "Count,Message,Traceback,Nodes"),
    ):
        (out / name).write_text(head + "\n")


def _measure(mode: str, run_dir: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process."""
    started = time.perf_counter()
    if mode == "baseline":
        from stampede.core.rundir import RunDir

        rundir = RunDir(run_dir)
        rundir.record(), rundir.latency(), rundir.timeline(), rundir.arrivals()
        rundir.outcomes(), rundir.users(), rundir.cpu(), rundir.audit()
    else:
        from stampede.reports import write_report

        write_report(run_dir)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb}


def _child(mode: str, run_dir: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(run_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.splitlines()[-1]))


def _hardware() -> str:
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.1f} GB RAM"
    except OSError:
        memory = "? RAM"
    return f"{model}, {os.cpu_count()} CPUs, {memory}, {platform.platform()}, Python " + (
        platform.python_version()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3600)
    parser.add_argument("--per-endpoint", type=int, default=5, help="requests per name per s")
    parser.add_argument("--keep", type=Path, default=None, help="keep the run directory here")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "RUN_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure[0], Path(args.measure[1]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.keep or Path(tmp) / "run"
        started = time.perf_counter()
        synthesise(run_dir, args.seconds, args.per_endpoint)
        size = sum(p.stat().st_size for p in run_dir.iterdir()) / 2**20
        print(f"hardware: {_hardware()}")
        print(
            f"run directory: {args.seconds:,} intervals × {len(ENDPOINTS)} endpoints, "
            f"{size:.1f} MB, synthesised in {time.perf_counter() - started:.1f} s"
        )
        baseline = _child("baseline", run_dir)
        report = _child("report", run_dir)
        page = (run_dir / "report.html").stat().st_size / 2**20
        print(
            f"baseline (read the run directory): {baseline['seconds']:.2f} s, "
            f"peak {baseline['peak_mb']:.0f} MB"
        )
        print(
            f"report (write_report):             {report['seconds']:.2f} s, "
            f"peak {report['peak_mb']:.0f} MB, report.html {page:.2f} MB"
        )
        print(
            f"ratio report / baseline:           {report['seconds'] / baseline['seconds']:.2f}× "
            f"time, {report['peak_mb'] / baseline['peak_mb']:.2f}× memory"
        )
        ok = report["seconds"] < 10 and report["peak_mb"] < 500 and page < 2
        print(f"goal (< 10 s, < 500 MB, page < 2 MB): {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
