"""What one Locust process measured, and how workers hand it to the master.

Every process records into its own :class:`ProcessMeasurements`; a worker drains it
into each stats report (every 3 s and once more when it stops), and the
master (or a local runner) absorbs those reports. Histograms merge exactly,
so the master's numbers are those of one recorder that saw every request.
Times are wall-clock epoch seconds, so intervals line up across processes.
"""

from __future__ import annotations

import os
import socket
from collections import Counter
from pathlib import Path
from typing import Any

import psutil

from stampede.core.arrivals import ArrivalLedger
from stampede.core.cpu import CpuSample, CpuSampler
from stampede.core.latency import LatencyRecorder, LatencyTimeline, live_seconds
from stampede.core.outcomes import OutcomeCounter

REPORT_KEY = "stampede"
#: the sealed seconds of the timelines while the run lasts (deleted once it is written)
TIMELINE_SPILL = ".timeline-intervals.jsonl"
PAGES_SPILL = ".pages-intervals.jsonl"


class _OwnProcess:
    """Samples this process only (a master's forked workers report their own), CPU and memory."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self.rss_baseline = self._process.memory_info().rss
        self.rss_peak = self.rss_baseline

    def __call__(self) -> dict[int, float]:
        self.rss_peak = max(self.rss_peak, self._process.memory_info().rss)
        times = self._process.cpu_times()
        return {os.getpid(): float(times.user + times.system)}


class ProcessMeasurements:
    """This process's latency timeline, arrivals, outcomes, CPU and memory (one per process)."""

    def __init__(
        self, interval: float, lateness_tolerance: float, client_timeout_s: float = 10.0
    ) -> None:
        self.interval = interval
        self.tolerance = lateness_tolerance
        #: a request is filed under its intended second and may complete up to the
        #: client's timeout later: its interval stays live that long (and the report's lag)
        self.client_timeout_s = client_timeout_s
        self.keep_live_s = live_seconds(client_timeout_s)
        self.timeline = self._timeline()
        #: page views (a document and its API calls, one transaction) by page type
        self.pages = self._timeline()
        self.arrivals = ArrivalLedger(interval, origin=0.0, tolerance=lateness_tolerance)
        self.outcomes = OutcomeCounter(interval)
        self.cpu_samples: list[dict[str, float]] = []
        self.process = _OwnProcess()
        self.sampler = CpuSampler(interval, sample=self.process)
        self._reported_samples = 0
        self.memory: dict[int, int] = {}  # pid -> peak bytes above its baseline
        self.recorded = 0  # requests recorded since the last drain
        #: answers by HTTP status (0: no answer), for the rule on a target that serves none
        self.statuses: Counter[int] = Counter()
        #: requests that got no answer within the client's timeout, by request name
        self.timeouts: Counter[str] = Counter()

    def _timeline(self) -> LatencyTimeline:
        return LatencyTimeline(self.interval, origin=0.0, keep_live_s=self.keep_live_s)

    def spill_into(self, directory: Path) -> None:
        """Keep the timelines' sealed intervals in files of ``directory`` (the run's), not in
        memory, until :meth:`close`; ConfigError when they cannot be written there."""
        self.timeline.spill_to(directory / TIMELINE_SPILL)
        self.pages.spill_to(directory / PAGES_SPILL)

    def close(self) -> None:
        """Delete the spill files: the run directory has been written."""
        self.timeline.close()
        self.pages.close()

    def record(self, name: str, intended: float, sent: float, done: float) -> None:
        # once per request: the run's totals are the timeline's intervals added up
        self.timeline.record(name, intended, sent, done)
        self.recorded += 1

    def record_page(self, page: str, intended: float, started: float, done: float) -> None:
        """One page view of type ``page``: from its intended start to its last call's answer."""
        self.pages.record(page, intended, started, done)

    def count_status(self, name: str, status: int, timed_out: bool = False) -> None:
        """One answer of request ``name`` (status 0: none came; ``timed_out``: not in time)."""
        self.statuses[status] += 1
        if timed_out:
            self.timeouts[name] += 1

    @property
    def timed_out(self) -> int:
        """Requests of every name that got no answer within the client's timeout."""
        return sum(self.timeouts.values())

    @property
    def latency(self) -> LatencyRecorder:
        return self.timeline.totals()

    def start(self) -> None:
        self.sampler.start()

    def stop(self) -> None:
        self.sampler.stop()

    def own_cpu(self) -> list[dict[str, float]]:
        return [_sample_dict(s) for s in self.sampler.samples]

    def drain(self) -> dict[str, Any]:
        """Everything since the last drain, serialised for the master."""
        samples = self.sampler.samples[self._reported_samples :]
        self._reported_samples += len(samples)
        report = {
            "timeline": self.timeline.to_wire(),
            "pages": self.pages.to_wire(),
            "arrivals": self.arrivals.to_dict(),
            "outcomes": self.outcomes.drain().to_dict(),
            "cpu": [{**_sample_dict(s), "pid": os.getpid()} for s in samples],
            "memory": {str(os.getpid()): self.own_memory()},
            "worker": {"host": socket.gethostname(), "pid": os.getpid(), "requests": self.recorded},
            "statuses": {str(code): n for code, n in self.statuses.items()},
            "timeouts": dict(self.timeouts),
        }
        self.recorded = 0
        self.timeouts = Counter()
        self.statuses = Counter()
        self.timeline = self._timeline()
        self.pages = self._timeline()
        self.arrivals = ArrivalLedger(self.interval, origin=0.0, tolerance=self.tolerance)
        return report

    def absorb(self, report: dict[str, Any]) -> None:
        self.timeline.absorb(report["timeline"])
        if "pages" in report:  # a worker of a version before page views
            self.pages.absorb(report["pages"])
        self.arrivals.merge(ArrivalLedger.from_dict(report["arrivals"]))
        self.outcomes.merge(OutcomeCounter.from_dict(report["outcomes"]))
        self.cpu_samples.extend(report["cpu"])
        for code, n in report.get("statuses", {}).items():
            self.statuses[int(code)] += int(n)
        for name, n in report.get("timeouts", {}).items():
            self.timeouts[str(name)] += int(n)
        for pid, used in report.get("memory", {}).items():
            self.memory[int(pid)] = max(self.memory.get(int(pid), 0), int(used))

    def own_memory(self) -> int:
        return max(0, self.process.rss_peak - self.process.rss_baseline)

    def memory_above_baseline(self) -> int:
        """Peak memory the users took, summed over every process that reported."""
        return sum({**self.memory, os.getpid(): self.own_memory()}.values())


def _sample_dict(sample: CpuSample) -> dict[str, float]:
    return {
        "at": sample.at,
        "core_percent": sample.core_percent,
        "machine_percent": sample.machine_percent,
        "busiest_percent": sample.busiest_percent,
    }
