"""Prometheus metrics of the store: requests, latency, in-flight, errors, dependency failures.

With ``--workers N`` every worker is its own process, so a counter in one worker's
memory is 1/N of the truth and ``/metrics`` would answer whichever worker took the
scrape. The store therefore runs prometheus_client's multiprocess mode when it is
served (``stampede store`` sets ``PROMETHEUS_MULTIPROC_DIR`` to a fresh directory
before granian starts its workers): each worker writes its values to files there and
``/metrics`` sums every worker's, dead ones included, so counters never go back. The
in-flight gauge counts live workers only; the last-failure time is the latest of any.
In process (tests, one app) the metrics live in the app's own registry.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)

from stampede.store.config import MULTIPROC_ENV
from stampede.store.notifications.queue import QueueStats

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LIVE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def _forget_dead_workers(path: Path) -> None:
    """Drop live-gauge files of workers that died without saying so (SIGKILL)."""
    for file in path.glob("gauge_live*.db"):
        match = _LIVE_FILE.fullmatch(file.name)
        if match and not psutil.pid_exists(int(match[1])):
            multiprocess.mark_process_dead(int(match[1]), str(path))  # type: ignore[no-untyped-call]


class StoreMetrics:
    """The store's metrics; one registry per app, or the workers' shared directory."""

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        if multiprocess_dir is not None:
            if "Mmap" not in values.ValueClass.__name__:
                raise RuntimeError(
                    f"{MULTIPROC_ENV} must be set before prometheus_client is imported "
                    "(stampede.store.server.serve sets it before starting the workers)"
                )
            _forget_dead_workers(multiprocess_dir)
        # in multiprocess mode values go to files; the registry only names the metrics
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "stampede_store_requests",
            "HTTP requests answered, by the service that answered them",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "stampede_store_request_duration_seconds",
            "Time to answer a request",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "stampede_store_requests_in_flight",
            "Requests being answered",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.errors = Counter(
            "stampede_store_errors",
            "Error answers by route and error code",
            ["route", "code"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "stampede_store_rate_limited",
            "Requests refused by a rate limit",
            ["limit"],
            registry=self.registry,
        )
        self.dependency_failures = Counter(
            "stampede_store_dependency_failures",
            "Calls to a dependency (redis, broker) that failed and were answered by a fallback",
            ["dependency"],
            registry=self.registry,
        )
        self.dependency_last_failure = Gauge(
            "stampede_store_dependency_last_failure_timestamp_seconds",
            "Unix time of the latest failed call to a dependency (any worker)",
            ["dependency"],
            registry=self.registry,
            multiprocess_mode="max",
        )

    def watch_queue(self, name: str, stats: QueueStats) -> None:
        """Export what the notifications queue reports: depth, lag, published, consumed."""
        depth = Gauge(
            "stampede_store_queue_depth",
            "Messages ready in the queue, as a worker last sampled it (every second)",
            ["queue"],
            registry=self.registry,
            multiprocess_mode="livemax",
        ).labels(name)
        lag = Gauge(
            "stampede_store_queue_lag_seconds",
            "How old the last consumed message was when consumed (0 once the queue is empty)",
            ["queue"],
            registry=self.registry,
            multiprocess_mode="livemax",
        ).labels(name)
        published = Counter(
            "stampede_store_queue_published",
            "Events the broker confirmed",
            ["queue"],
            registry=self.registry,
        ).labels(name)
        consumed = Counter(
            "stampede_store_queue_consumed",
            "Messages consumed and acknowledged, by whether the broker redelivered them",
            ["queue", "redelivered"],
            registry=self.registry,
        )
        stats.failed = self.failure_counter("broker")
        stats.depth = depth.set
        stats.lag = lag.set
        stats.published = published.inc
        stats.consumed = lambda again: consumed.labels(name, str(again).lower()).inc()

    def observe(
        self, method: str, route: str, status: int, seconds: float, service: str = "gateway"
    ) -> None:
        self.requests.labels(service, method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def failure_counter(
        self, dependency: str, clock: Callable[[], float] = time.time
    ) -> Callable[[], None]:
        """What a dependency's client calls when a call failed: count it, note when."""
        count = self.dependency_failures.labels(dependency)
        last = self.dependency_last_failure.labels(dependency)

        def failed() -> None:
            count.inc()
            last.set(clock())

        return failed

    def render(self) -> bytes:
        if self.multiprocess_dir is None:
            return bytes(generate_latest(self.registry))
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(self.multiprocess_dir))  # type: ignore[no-untyped-call]
        return bytes(generate_latest(registry))


def multiprocess_dir_from_env() -> Path | None:
    raw = os.environ.get(MULTIPROC_ENV)
    return Path(raw) if raw else None
