"""How busy the load generator itself is.

A generator whose CPU is saturated delays its own sends and its own reading of
responses; its latencies then belong to the generator, not to the target.
:class:`CpuSampler` samples this process and its children every interval on a
background thread; :func:`saturation` says which share of the samples were at
or above a threshold.

The sampler computes percentages from cumulative CPU seconds per process
(``sample() -> {pid: seconds}``) and a clock, both injectable, so tests drive
it with :meth:`CpuSampler.tick` and a fake clock instead of sleeping.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import psutil

from stampede.core.errors import ConfigError

CpuTimes = Mapping[int, float]
"""Cumulative CPU seconds (user + system) per process id."""


@dataclass(frozen=True)
class CpuSample:
    """CPU use of the generator over the period that ends at ``at``.

    ``core_percent`` is this process and its children together as a
    percentage of one core (it can exceed 100); ``machine_percent`` is the same
    as a percentage of all cores; ``busiest_percent`` is the busiest single
    process as a percentage of one core, the one that matters for a
    single-threaded event loop.
    """

    at: float
    core_percent: float
    machine_percent: float
    busiest_percent: float


def process_cpu_times(pid: int | None = None) -> dict[int, float]:
    """Cumulative CPU seconds of a process (this one by default) and its live descendants."""
    try:
        me = psutil.Process(pid)
    except psutil.Error:
        return {}
    times: dict[int, float] = {}
    for process in [me, *me.children(recursive=True)]:
        try:
            used = process.cpu_times()
        except psutil.Error:
            continue
        times[process.pid] = used.user + used.system
    return times


def cpu_sample(
    previous: CpuTimes, current: CpuTimes, elapsed: float, at: float, cpu_count: int
) -> CpuSample:
    """The sample for one period from two readings of cumulative CPU seconds.

    Processes that appear only in ``current`` are left out (their CPU time
    before the period is unknown); those that vanished are left out too.
    """
    deltas = [max(current[pid] - previous[pid], 0.0) for pid in current if pid in previous]
    core = 100.0 * sum(deltas) / elapsed if elapsed > 0 else 0.0
    busiest = 100.0 * max(deltas, default=0.0) / elapsed if elapsed > 0 else 0.0
    return CpuSample(at, core, core / cpu_count, busiest)


def saturation(samples: Sequence[CpuSample], threshold: float = 90.0) -> float:
    """Fraction of samples whose busiest process or machine share is at or above ``threshold``.

    0.0 when there are no samples.
    """
    if not samples:
        return 0.0
    hot = sum(1 for s in samples if max(s.busiest_percent, s.machine_percent) >= threshold)
    return hot / len(samples)


class CpuSampler:
    """Samples the generator's CPU every ``interval`` seconds on a daemon thread.

    Parameters
    ----------
    interval
        Seconds between samples.
    clock
        Monotonic clock in seconds.
    sample
        Returns cumulative CPU seconds per process id.
    cpu_count
        Cores of the machine (for ``machine_percent``); the OS's count by default.
    """

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sample: Callable[[], CpuTimes] = process_cpu_times,
        cpu_count: int | None = None,
    ) -> None:
        if not interval > 0:
            raise ConfigError(f"a CPU sampling interval must be > 0 s, not {interval!r}")
        self.interval = float(interval)
        self._clock = clock
        self._sample = sample
        self._cpu_count = cpu_count or os.cpu_count() or 1
        self._samples: list[CpuSample] = []
        self._last: tuple[float, CpuTimes] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def samples(self) -> tuple[CpuSample, ...]:
        return tuple(self._samples)

    def tick(self) -> CpuSample | None:
        """Read the CPU times now; return the sample since the last reading (None at first)."""
        now, times = self._clock(), self._sample()
        last, self._last = self._last, (now, times)
        if last is None:
            return None
        sample = cpu_sample(last[1], times, now - last[0], now, self._cpu_count)
        self._samples.append(sample)
        return sample

    def start(self) -> None:
        """Take the first reading and start sampling in the background."""
        if self._thread is not None:
            raise RuntimeError("this CpuSampler has already been started")
        self.tick()
        self._thread = threading.Thread(target=self._run, name="stampede-cpu", daemon=True)
        self._thread.start()

    def stop(self) -> tuple[CpuSample, ...]:
        """Stop sampling and return every sample.

        A last sample covers the time since the previous one when that is at
        least half an interval, so a short run still gets one.
        """
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._last is not None and self._clock() - self._last[0] >= self.interval / 2:
            self.tick()
        return self.samples

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.tick()
