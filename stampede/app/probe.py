"""A constant-rate, open-model probe of one HTTP endpoint (like wrk2).

Arrivals are scheduled at exact intended times, ``1/rate`` apart, whatever
the target does. Up to ``connections`` keep-alive connections carry them: a
free connection takes the oldest arrival not yet sent, waiting for its
intended time if it is early and sending at once if it is late. Latency is
recorded from the intended time (corrected) and from the actual send
(uncorrected), so a stalled target shows in the percentiles instead of
silently slowing the probe down.

asyncio wakes timers up to 1 ms late (epoll counts in milliseconds), which
would add the generator's own lateness to every corrected latency; so a
connection wakes ``timer_slack`` (1 ms) early and sends when it wakes. A send
up to 1 ms early is measured from the actual send; only a generator that is
really behind sends late.

The requests go through the small HTTP/1.1 client in ``stampede.app.http1``
(see there for why not httpx).
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from stampede.app.http1 import NETWORK_ERRORS, Connection, ProbeUrl, describe_error, read_response
from stampede.core.arrivals import ArrivalLedger
from stampede.core.cpu import CpuSample, CpuSampler, saturation
from stampede.core.errors import ConfigError, TargetError
from stampede.core.latency import KINDS, Kind, LatencyRecorder, LatencyTimeline
from stampede.core.validity import Validity, judge_run

# the client's names moved to stampede.app.http1; re-exported so existing imports keep working
__all__ = [
    "PERCENTILES",
    "Connection",
    "ProbeConfig",
    "ProbeResult",
    "ProbeUrl",
    "check_reachable",
    "describe_error",
    "parse_target",
    "read_response",
    "run_probe",
]

PERCENTILES = (50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0)


def parse_target(url: str) -> ProbeUrl:
    """Split an http(s) URL; ConfigError naming the URL when it is not one."""
    expected = "an http:// or https:// URL with a host, like http://127.0.0.1:8000/healthz"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"URL {url!r} is not valid ({exc}); expected {expected}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"URL {url!r} cannot be probed; expected {expected}")
    tls = parts.scheme == "https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ProbeUrl(
        url=url,
        tls=tls,
        host=parts.hostname,
        port=port or (443 if tls else 80),
        path=path,
        host_header=parts.netloc.rpartition("@")[2],
    )


@dataclass(frozen=True)
class ProbeConfig:
    """What to probe and how hard. Times are seconds; ``rate`` is requests per second."""

    url: str
    rate: float
    duration: float
    connections: int = 10
    timeout: float = 10.0
    method: str = "GET"
    late_after: float = 0.010
    interval: float = 1.0
    cpu_interval: float = 0.5
    min_samples: int = 100
    timer_slack: float = 0.001

    def __post_init__(self) -> None:
        parse_target(self.url)
        for flag, value in (("--rate", self.rate), ("--duration", self.duration)):
            if not (value > 0 and math.isfinite(value)):
                raise ConfigError(f"{flag} must be a positive number, not {value!r}")
        if self.connections < 1:
            raise ConfigError(f"--connections must be at least 1, not {self.connections!r}")
        if not self.timeout > 0:
            raise ConfigError(
                f"--timeout must be a positive number of seconds, not {self.timeout!r}"
            )
        if not self.method.isalpha():
            raise ConfigError(f"--method must be an HTTP method like GET, not {self.method!r}")

    @property
    def arrivals(self) -> int:
        """How many arrivals the schedule intends: one every ``1/rate`` s before ``duration``."""
        return max(1, math.ceil(self.rate * self.duration - 1e-9))


@dataclass
class ProbeResult:
    """Everything a probe measured."""

    config: ProbeConfig
    elapsed: float
    interrupted: bool
    latency: LatencyRecorder
    timeline: LatencyTimeline
    arrivals: ArrivalLedger
    statuses: Counter[int]
    errors: Counter[str]
    cpu: tuple[CpuSample, ...]
    validity: Validity
    late_wakeups: int = 0
    """Arrivals a free connection was waiting for but sent late: the generator's own delay."""

    @property
    def completed(self) -> int:
        return sum(self.statuses.values())

    @property
    def achieved_rate(self) -> float:
        """Responses per second over the run."""
        return self.completed / self.elapsed if self.elapsed > 0 else 0.0

    def percentiles_ms(self, kind: Kind) -> dict[str, float]:
        """Latency percentiles in milliseconds, keyed "50" … "99.99" and "max"."""
        values = self.latency.percentiles(PERCENTILES, kind)
        return {("max" if p == 100.0 else f"{p:g}"): v * 1000 for p, v in values.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, with the histograms in their encoded form."""
        config = self.config
        return {
            "url": config.url,
            "method": config.method,
            "rate": config.rate,
            "duration": config.duration,
            "connections": config.connections,
            "timeout": config.timeout,
            "elapsed": self.elapsed,
            "interrupted": self.interrupted,
            "requests": {
                "intended": self.arrivals.intended,
                "sent": self.arrivals.sent,
                "missed": self.arrivals.missed,
                "late_after": self.arrivals.tolerance,
                "completed": self.completed,
                "errors": sum(self.errors.values()),
                "achieved_rate": self.achieved_rate,
                "late_wakeups": self.late_wakeups,
            },
            "statuses": {str(code): n for code, n in sorted(self.statuses.items())},
            "errors": dict(sorted(self.errors.items())),
            "latency_ms": {kind: self.percentiles_ms(kind) for kind in KINDS},
            "cpu": {
                "samples": len(self.cpu),
                "saturated_fraction": saturation(self.cpu),
                "busiest_percent_max": max((s.busiest_percent for s in self.cpu), default=0.0),
            },
            "validity": {"valid": self.validity.valid, "reasons": list(self.validity.reasons)},
            "histograms": self.latency.to_dict(),
            "arrivals": self.arrivals.to_dict(),
            "timeline": self.timeline.to_dict(),
        }


async def check_reachable(target: ProbeUrl, timeout: float) -> None:
    """Open and close one connection; TargetError with a hint when that fails."""
    connection = Connection(target, "GET", timeout)
    try:
        await connection.connect()
    except (OSError, ssl.SSLError) as exc:
        why = describe_error(exc)
        if why == "timeout":
            why = f"no answer within {timeout:g} s"
        raise TargetError(
            f"cannot connect to {target.url}: {why}; is the store running? "
            "start it with `stampede store`"
        ) from exc
    finally:
        connection.close()


@dataclass
class _Run:
    """The mutable state of one probe run, shared by its connection workers."""

    config: ProbeConfig
    clock: Callable[[], float]
    start: float
    latency: LatencyRecorder
    timeline: LatencyTimeline
    arrivals: ArrivalLedger
    group: str
    next_index: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    late_wakeups: int = 0

    async def work(self, connection: Connection) -> None:
        """Send arrivals on one connection until the schedule runs out."""
        clock, period, total = self.clock, 1.0 / self.config.rate, self.config.arrivals
        deadline = self.start + self.config.duration + self.config.timeout
        early, late_after = self.config.timer_slack, self.config.late_after
        while self.next_index < total:
            index = self.next_index
            self.next_index = index + 1
            intended = self.start + index * period
            sent = clock()
            if intended - sent > early:
                await asyncio.sleep(intended - sent - early)
                sent = clock()
                if sent - intended > late_after:
                    self.late_wakeups += 1
            if sent > deadline:
                self.arrivals.record_unsent(intended)
                continue
            self.arrivals.record_sent(intended, sent)
            try:
                status = await connection.request()
            except NETWORK_ERRORS as exc:
                connection.close()
                self.errors[describe_error(exc)] += 1
            except asyncio.CancelledError:
                self.errors["unfinished when stopped"] += 1
                raise
            else:
                done = clock()
                self.latency.record(self.group, intended, sent, done)
                self.timeline.record(self.group, intended, sent, done)
                self.statuses[status] += 1

    def result(self, end: float, interrupted: bool, cpu: tuple[CpuSample, ...]) -> ProbeResult:
        """The run's measurements and verdict once its workers are done."""
        validity = judge_run(
            intended=self.arrivals.intended,
            sent=self.arrivals.sent,
            cpu_samples=cpu,
            latency_count=self.latency.count(),
            min_latency_count=self.config.min_samples,
        )
        return ProbeResult(
            config=self.config,
            elapsed=end - self.start,
            interrupted=interrupted,
            latency=self.latency,
            timeline=self.timeline,
            arrivals=self.arrivals,
            statuses=self.statuses,
            errors=self.errors,
            cpu=cpu,
            validity=validity,
            late_wakeups=self.late_wakeups,
        )

    def record_unsent_until(self, moment: float) -> None:
        """Count the arrivals intended up to ``moment`` that no connection took."""
        period = 1.0 / self.config.rate
        for index in range(self.next_index, self.config.arrivals):
            intended = self.start + index * period
            if intended > moment:
                break
            self.arrivals.record_unsent(intended)


async def _until_done_or_stopped(workers: list[asyncio.Task[None]], stop: asyncio.Event) -> bool:
    """Wait for every worker, or cancel them all when ``stop`` is set; True when stopped."""
    stopper: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    pending: set[asyncio.Future[Any]] = set(workers)
    while pending and not stopper.done():
        done, pending = await asyncio.wait(pending | {stopper}, return_when=asyncio.FIRST_COMPLETED)
        pending.discard(stopper)
        for task in done - {stopper}:
            task.result()  # a worker's bug surfaces here
    stopper.cancel()
    if not pending:
        return False
    for task in pending:
        task.cancel()
    await asyncio.wait(pending)
    for task in pending:
        if not task.cancelled() and task.exception() is not None:
            task.result()
    return True


async def _open_connections(target: ProbeUrl, config: ProbeConfig) -> list[Connection]:
    """Open every connection before the first arrival, so none pays for its handshake."""
    connections = [
        Connection(target, config.method, config.timeout) for _ in range(config.connections)
    ]
    try:
        await asyncio.gather(*(c.connect() for c in connections))
    except (OSError, ssl.SSLError) as exc:
        for c in connections:
            c.close()
        raise TargetError(
            f"cannot open {config.connections} connections to {config.url}: {describe_error(exc)}"
        ) from exc
    return connections


async def run_probe(
    config: ProbeConfig,
    *,
    stop: asyncio.Event | None = None,
    clock: Callable[[], float] = time.perf_counter,
    sampler: CpuSampler | None = None,
) -> ProbeResult:
    """Probe ``config.url`` at a constant rate; stop early when ``stop`` is set.

    Raises TargetError, before any load, when the target cannot be connected to.
    """
    target = parse_target(config.url)
    await check_reachable(target, config.timeout)
    connections = await _open_connections(target, config)
    sampler = sampler or CpuSampler(config.cpu_interval)
    start = clock()
    run = _Run(
        config=config,
        clock=clock,
        start=start,
        latency=LatencyRecorder(),
        timeline=LatencyTimeline(config.interval, start),
        arrivals=ArrivalLedger(config.interval, start, config.late_after),
        group=f"{config.method} {target.path}",
    )
    sampler.start()
    workers = [asyncio.create_task(run.work(c)) for c in connections]
    try:
        interrupted = await _until_done_or_stopped(workers, stop or asyncio.Event())
    finally:
        cpu = sampler.stop()
        for c in connections:
            c.close()
    end = clock()
    if interrupted:
        run.record_unsent_until(end)
    return run.result(end, interrupted, cpu)
