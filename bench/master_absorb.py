"""The master's cost of absorbing worker reports: Stampede's measurements against Locust's stats.

    python bench/master_absorb.py [--workers 100 500 1000] [--repeat 5] [--ticks 5]

Each worker report is built as a worker builds it: 15 request names, 3 one-second
intervals, ~300 requests per name per second recorded both into a worker's
``ProcessMeasurements`` (Stampede's part, ``ProcessMeasurements.drain()``) and into a Locust
``RequestStats`` (Locust's part, through Locust's own ``report_to_master``
listener), then serialised with Locust's wire format (``locust.rpc.Message``).

For every ``--workers N`` a fresh master absorbs, tick after tick (one tick is one
3 s report interval, the intervals moving on by three each tick), one report of
every worker: bare Locust's stats merge (``Message.unserialize`` and Locust's own
``worker_report`` listener, as ``MasterRunner`` does on a ``stats`` message)
against Stampede's (``Message.unserialize`` and ``ProcessMeasurements.absorb``). Both are
timed in CPU seconds of this process, in the same run, ``--repeat`` times;
figures are medians with the spread (min–max) in brackets. Reports are drawn
from a pool of ``--pool`` distinct workers' reports per tick.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from locust.event import Events  # noqa: E402
from locust.rpc import Message  # noqa: E402
from locust.stats import RequestStats, setup_distributed_stats_event_listeners  # noqa: E402

from bench._hardware import describe  # noqa: E402
from stampede.traffic import REPORT_KEY, ProcessMeasurements  # noqa: E402

INTERVAL_S = 3.0  # Locust's report interval (locust.runners.WORKER_REPORT_INTERVAL)
T0 = 1_800_000_000  # epoch seconds: interval indices as a real run has them
NAMES = (
    [("GET", f"/api/v1/products/[id]/v{i}") for i in range(5)]
    + [("GET", "/api/v1/search"), ("GET", "/api/v1/categories"), ("GET", "/api/v1/products")]
    + [("GET", "/api/v1/cart"), ("POST", "/api/v1/cart/items"), ("POST", "/api/v1/checkout")]
    + [("GET", "/api/v1/orders"), ("POST", "/api/v1/orders/[id]/pay")]
    + [("POST", "/api/v1/sessions"), ("GET", "/api/v1/stock/[sku]")]
)


@dataclass(frozen=True)
class Report:
    """One worker's report as it travels: Locust's part and Stampede's part, each serialised."""

    locust: bytes
    stampede: bytes
    requests: int


@dataclass(frozen=True)
class Built:
    pool: list[list[Report]]  # [tick][worker in the pool]
    drain_ms: list[float]  # the worker's cost of ProcessMeasurements.drain() per report
    locust_report_ms: list[float]  # the worker's cost of Locust's report_to_master


def _locust_log(stats: RequestStats, method: str, name: str, at: float, ms: float) -> None:
    """``StatsEntry.log`` at a given time (``log`` itself reads the clock)."""
    entry = stats.get(name, method)
    entry.num_requests += 1
    entry._log_time_of_request(at)
    entry._log_response_time(ms)
    entry.total_content_length += 1200
    stats.total.num_requests += 1
    stats.total._log_time_of_request(at)
    stats.total._log_response_time(ms)
    stats.total.total_content_length += 1200


def _worker_report(tick: int, seed: int, intervals: int, rate: int) -> tuple[Report, float, float]:
    rng = random.Random(seed)
    measurements = ProcessMeasurements(1.0, 0.010)
    stats = RequestStats()
    events = Events()
    setup_distributed_stats_event_listeners(events, stats)
    first = T0 + tick * intervals
    requests = 0
    for number, (method, name) in enumerate(NAMES):
        median = 0.004 * 1.35**number  # 4 ms … 270 ms
        for second in range(first, first + intervals):
            for _ in range(rate):
                done = second + rng.random()
                sent = done - rng.lognormvariate(math.log(median), 0.8)
                intended = sent - rng.random() * 0.002
                measurements.arrivals.record_sent(intended, sent)
                measurements.record(f"{method} {name}", intended, sent, done)
                _locust_log(stats, method, name, done, round((done - sent) * 1000))
                requests += 1
            measurements.outcomes.add("viewed_product", second, rate // 10)
    started = time.process_time()
    ours = {REPORT_KEY: measurements.drain()}
    drained = time.process_time()
    theirs: dict[str, Any] = {"user_classes_count": {"Browser": 40}, "user_count": 40}
    events.report_to_master.fire(client_id=f"worker-{seed}", data=theirs)
    reported = time.process_time()
    report = Report(
        locust=Message("stats", theirs, f"worker-{seed}").serialize(),
        stampede=Message("stats", ours, f"worker-{seed}").serialize(),
        requests=requests,
    )
    return report, (drained - started) * 1000, (reported - drained) * 1000


def build(ticks: int, pool: int, intervals: int, rate: int) -> Built:
    reports: list[list[Report]] = []
    drain_ms: list[float] = []
    locust_ms: list[float] = []
    for tick in range(ticks):
        row = []
        for worker in range(pool):
            report, ours, theirs = _worker_report(tick, 1000 * tick + worker, intervals, rate)
            row.append(report)
            drain_ms.append(ours)
            locust_ms.append(theirs)
        reports.append(row)
    return Built(reports, drain_ms, locust_ms)


def _locust_master() -> Callable[[bytes], None]:
    stats = RequestStats()
    events = Events()
    setup_distributed_stats_event_listeners(events, stats)

    def absorb(wire: bytes) -> None:
        message = Message.unserialize(wire)
        events.worker_report.fire(client_id=message.node_id, data=message.data)

    absorb.stats = stats  # type: ignore[attr-defined]
    return absorb


def _stampede_master() -> Callable[[bytes], None]:
    measurements = ProcessMeasurements(1.0, 0.010)

    def absorb(wire: bytes) -> None:
        measurements.absorb(Message.unserialize(wire).data[REPORT_KEY])

    absorb.measurements = measurements  # type: ignore[attr-defined]
    return absorb


def simulate(built: Built, workers: int, part: str) -> tuple[float, Callable[[bytes], None]]:
    """CPU seconds a fresh master spends absorbing every tick's report of ``workers`` workers."""
    absorb = _locust_master() if part == "locust" else _stampede_master()
    wires = [[getattr(row[w % len(row)], part) for w in range(workers)] for row in built.pool]
    started = time.process_time()
    for tick in wires:
        for wire in tick:
            absorb(wire)
    return time.process_time() - started, absorb


def _check_exact(built: Built, workers: int) -> str:
    _, locust = simulate(built, workers, "locust")
    _, ours = simulate(built, workers, "stampede")
    expected = sum(row[w % len(row)].requests for row in built.pool for w in range(workers))
    latency = ours.measurements.latency  # type: ignore[attr-defined]
    counts = (latency.count("corrected"), latency.count("uncorrected"))
    locust_total = locust.stats.total.num_requests  # type: ignore[attr-defined]
    ok = counts == (expected, expected) == (locust_total, locust_total)
    return (
        f"exact: {'yes' if ok else 'NO'} — master's corrected/uncorrected counts {counts[0]:,}/"
        f"{counts[1]:,}, Locust's total {locust_total:,}, requests sent {expected:,}"
    )


def _spread(values: list[float], fmt: str = "{:.2f}") -> str:
    median = statistics.median(values)
    return f"{fmt.format(median)} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _footprint(master: Callable[[bytes], None], workers: int) -> str:
    """The master's latency memory after a simulation: live counts and sealed intervals."""
    timeline = master.measurements.timeline  # type: ignore[attr-defined]
    live = sum(
        entry.counts.nbytes
        for recorder in timeline._live.values()
        for entry in recorder._groups.values()
        if entry.counts is not None
    )
    sealed = [len(json.dumps(encoded)) for encoded in timeline._sealed.values()]
    per_interval = statistics.mean(sealed) if sealed else 0.0
    return (
        f"{workers:>7,}  live counts {live / 2**20:6.1f} MiB in {len(timeline._live)} intervals; "
        f"a sealed interval {per_interval / 1000:6.1f} KB, "
        f"{per_interval * 3600 / 2**20:6.0f} MiB an hour"
    )


def run(built: Built, workers: int, repeat: int) -> tuple[float, float, str]:
    reports = workers * len(built.pool)
    per: dict[str, list[float]] = {"locust": [], "stampede": []}
    footprint = ""
    for _ in range(repeat):
        for part in ("locust", "stampede"):  # alternating, so drift hits both alike
            seconds, master = simulate(built, workers, part)
            per[part].append(seconds * 1000 / reports)
        footprint = _footprint(master, workers)
    locust = statistics.median(per["locust"])
    ours = statistics.median(per["stampede"])
    share = [100 * workers * ms / 1000 / INTERVAL_S for ms in (locust, ours)]
    print(
        f"{workers:>7,}  {len(built.pool):>5}  {_spread(per['locust']):>20}  "
        f"{_spread(per['stampede']):>22}  {ours / locust:>6.2f}×  "
        f"{share[0]:5.1f}% + {share[1]:5.1f}% = {share[0] + share[1]:5.1f}%  "
        f"{INTERVAL_S * 1000 / ours:>9,.0f}"
    )
    return locust, ours, footprint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ticks", type=int, default=5, help="report intervals per simulation")
    parser.add_argument("--pool", type=int, default=8, help="distinct workers' reports per tick")
    parser.add_argument("--intervals", type=int, default=3, help="one-second intervals a report")
    parser.add_argument("--rate", type=int, default=300, help="requests per name per second")
    args = parser.parse_args()
    if args.repeat < 1 or args.ticks < 1 or args.pool < 1 or min(args.workers) < 1:
        parser.error("--repeat, --ticks, --pool and --workers must be >= 1")
    built = build(args.ticks, args.pool, args.intervals, args.rate)
    ours_kb = statistics.mean(len(r.stampede) for row in built.pool for r in row) / 1000
    theirs_kb = statistics.mean(len(r.locust) for row in built.pool for r in row) / 1000
    print(f"hardware: {describe()}")
    print(
        f"report: {len(NAMES)} request names × {args.intervals} one-second intervals × "
        f"{args.rate} requests per name per second ({built.pool[0][0].requests:,} requests); "
        f"{args.pool} distinct workers' reports per tick; {args.repeat} repeats"
    )
    print(
        f"bytes on the wire per worker per report: Stampede {ours_kb:.1f} KB, "
        f"Locust {theirs_kb:.1f} KB"
    )
    print(
        f"worker's cost per report: Stampede's drain {_spread(built.drain_ms)} ms, "
        f"Locust's report_to_master {_spread(built.locust_report_ms)} ms"
    )
    print(
        f"{'workers':>7}  {'ticks':>5}  {'Locust ms/report':>20}  {'Stampede ms/report':>22}  "
        f"{'ratio':>7}  master CPU at {INTERVAL_S:g} s: Locust + Stampede  "
        "workers a core keeps up with (Stampede's absorb)"
    )
    results = [run(built, workers, args.repeat) for workers in args.workers]
    locust, ours, _ = results[-1]  # the largest fleet: fixed costs spread the thinnest
    per_core = [INTERVAL_S * 1000 / ms for ms in (locust, ours, locust + ours)]
    print(
        f"workers one core keeps up with at a {INTERVAL_S:g} s interval (costs at "
        f"{args.workers[-1]:,} workers): Stampede's absorb alone {per_core[1]:,.0f}, "
        f"Locust's alone {per_core[0]:,.0f}, both {per_core[2]:,.0f}"
    )
    print("the master's latency memory after the simulation:")
    for _, _, footprint in results:
        print(footprint)
    print(_check_exact(built, min(args.workers)))


if __name__ == "__main__":
    main()
