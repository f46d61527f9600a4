"""Latency over time: one recorder per interval, live while reports still arrive for it.

:class:`LatencyTimeline` keeps one :class:`~stampede.core.recorder.LatencyRecorder`
per interval of intended start, so reports can chart percentiles over time,
say when a slow request was meant to start (a 10 s timeout of a request meant
for second 50 belongs to second 50, not 60), and the planner can read the
latency of any window exactly. A worker hands its
intervals to the master as sparse counts (:meth:`LatencyTimeline.to_wire`,
:mod:`stampede.core.latency_wire`); the master adds them into the live counts
of its recent intervals in place (:meth:`LatencyTimeline.absorb`) and encodes
an interval only once, when it seals it. This module is also the public face
of the recorder: import both from here.

Nothing here imports ``asyncio``, ``threading`` or ``locust``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stampede.core.errors import ConfigError
from stampede.core.histograms import Precision
from stampede.core.latency_spill import SealedIntervals
from stampede.core.latency_wire import Sparse, pack, unpack
from stampede.core.recorder import FORMAT, KINDS, Kind, LatencyRecorder, LatencySummary

__all__ = [
    "FORMAT",
    "KINDS",
    "TIMELINE_FORMAT",
    "IntervalSummary",
    "Kind",
    "LatencyRecorder",
    "LatencySummary",
    "LatencyTimeline",
    "Precision",
    "live_seconds",
]

TIMELINE_FORMAT = "stampede.latency-timeline/1"
_KEEP_LIVE_S = 8.0
#: a master hears of a completed request up to ~4 s later (workers report every 3 s)
REPORT_LAG_S = 4.0
#: beyond this a late-comer reopens its sealed interval (exact, but it costs a decode)
MAX_LIVE_S = 30.0


def live_seconds(client_timeout_s: float) -> float:
    """How long a timeline keeps an interval live: the longest a request takes before
    its client gives up, plus the report's lag (at least 8 s, at most 30 s)."""
    return min(MAX_LIVE_S, max(_KEEP_LIVE_S, client_timeout_s + REPORT_LAG_S))


@dataclass(frozen=True)
class IntervalSummary:
    """Latency of the requests intended to start in one interval, for one group or all."""

    index: int
    start: float
    group: str | None
    corrected: LatencySummary
    uncorrected: LatencySummary


class LatencyTimeline:
    """One :class:`LatencyRecorder` per interval of intended start.

    A request belongs to the interval in which it was meant to start (its
    intended start, or its send when that came first), counted from
    ``origin`` (the run's start on this process's clock): its latency, corrected
    for coordinated omission, is what a user arriving then waited. The
    intervals of the newest ``keep_live_s`` seconds stay live counts, into which
    records and workers' reports (:meth:`absorb`) add in place; keep them live
    for the client's timeout plus the report's lag (:func:`live_seconds`) and
    a request that timed out still finds its interval live. Older ones are
    sealed into their compressed form, so a long run costs a few hundred
    bytes per group and interval, and an interval that hears of a late-comer
    opens again, exactly. With ``spill`` (a file, see
    :meth:`spill_to`) sealed intervals are kept in that file instead of in
    memory, so a run of hours keeps only its last seconds live. Timelines of
    several processes merge interval by interval when their intervals have the
    same length.
    """

    def __init__(
        self,
        interval: float,
        origin: float,
        precision: Precision | None = None,
        keep_live_s: float = _KEEP_LIVE_S,
    ) -> None:
        if not interval > 0:
            raise ConfigError(f"a latency timeline's interval must be > 0 s, not {interval!r}")
        self.interval = float(interval)
        self.origin = float(origin)
        self.precision = precision or Precision()
        self._keep = max(2, math.ceil(keep_live_s / self.interval - 1e-9))
        self._live: dict[int, LatencyRecorder] = {}
        self._sealed = SealedIntervals()
        self._newest = -(2**62)
        # the sum of every sealed interval, kept as they are sealed so the
        # run's totals never need one histogram recorded twice per request;
        # None after from_dict until first asked for
        self._sealed_total: LatencyRecorder | None = LatencyRecorder(self.precision)

    def spill_to(self, path: Path) -> None:
        """Keep sealed intervals in the file ``path`` (created or emptied) from now on,
        those sealed so far included; ConfigError when it cannot be written."""
        spilled = SealedIntervals(path)
        for index in list(self._sealed):
            spilled[index] = self._sealed[index]
        self._sealed.close()
        self._sealed = spilled

    def close(self) -> None:
        """Delete the spill file, if any; the timeline's sealed intervals go with it."""
        self._sealed.close()

    def record(self, group: str, intended_start: float, sent_at: float, done_at: float) -> None:
        """Record one completed request into the interval of its intended start (of
        ``sent_at`` when it was sent before it was meant to be)."""
        index = int((min(intended_start, sent_at) - self.origin) // self.interval)
        recorder = self._live.get(index)
        if recorder is None:
            recorder = self._open(index)
        recorder.record(group, intended_start, sent_at, done_at)

    def indices(self) -> list[int]:
        """The indices of intervals with at least one record, in order."""
        return sorted({*self._live, *self._sealed})

    def recorder(self, index: int) -> LatencyRecorder:
        """A copy of the recorder of interval ``index`` (empty when nothing was recorded in it)."""
        if index in self._sealed:
            return LatencyRecorder.from_dict(self._sealed[index])
        copy = LatencyRecorder(self.precision)
        if index in self._live:
            copy.merge(self._live[index])
        return copy

    def window(self, start: float, end: float) -> LatencyRecorder:
        """Every interval that starts in ``[start, end)`` added together.

        ``start`` and ``end`` are on the timeline's clock (the origin's); with the
        runs' origin of 0 that is Unix time.
        """
        total = LatencyRecorder(self.precision)
        first = math.ceil((start - self.origin) / self.interval - 1e-9)
        for index in self.indices():
            if index >= first and self.origin + index * self.interval < end:
                total.merge(self._peek(index))
        return total

    def summaries(self, group: str | None = None) -> list[IntervalSummary]:
        """Per-interval summaries of one group, or of all groups together (``group=None``)."""
        rows = []
        for index in self.indices():
            recorder = self._peek(index)
            if group is not None and group not in recorder.groups():
                continue
            rows.append(
                IntervalSummary(
                    index=index,
                    start=index * self.interval,
                    group=group,
                    corrected=recorder.summary("corrected", group),
                    uncorrected=recorder.summary("uncorrected", group),
                )
            )
        return rows

    def merge(self, other: LatencyTimeline) -> None:
        """Add every interval of ``other`` to the interval of the same index here."""
        self._check_interval(other.interval)
        for index in other.indices():
            self._live_recorder(index).merge(other._peek(index))

    def to_wire(self) -> dict[str, Any]:
        """Every interval as sparse counts (:mod:`stampede.core.latency_wire`): a worker's part
        of its report to the master."""
        return pack(self.interval, self.precision, self._sparse())

    def absorb(self, report: Mapping[str, Any]) -> None:
        """Add a :meth:`to_wire` report into the live counts of its intervals, in place.

        ConfigError, in one line, when ``report`` is not one or was recorded with
        another interval or precision.
        """
        wire = unpack(report)
        self._check_interval(wire.interval)
        if wire.precision != self.precision:
            raise ConfigError(
                f"cannot absorb latency histograms of {wire.precision} into {self.precision}; "
                "every process must record with the same precision"
            )
        for histogram in wire.histograms:
            recorder = self._live.get(histogram.interval)
            if recorder is None:
                recorder = self._open(histogram.interval)
            recorder.add_counts(histogram.name, histogram.positions, histogram.counts)

    def totals(self) -> LatencyRecorder:
        """Every interval added together: the run's latency so far."""
        total = LatencyRecorder(self.precision)
        total.merge(self._sealed_totals())
        for recorder in self._live.values():
            total.merge(recorder)
        return total

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form: the interval length and each interval's recorder."""
        return {
            "format": TIMELINE_FORMAT,
            "interval": self.interval,
            "intervals": [
                {"index": index, "latency": self._encoded(index)} for index in self.indices()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: float = 0.0) -> LatencyTimeline:
        """Rebuild a timeline from :meth:`to_dict` output; ConfigError when it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != TIMELINE_FORMAT:
            raise ConfigError(f"not a Stampede latency timeline: expected {TIMELINE_FORMAT!r}")
        try:
            entries = [(int(row["index"]), row["latency"]) for row in data["intervals"]]
            timeline = cls(float(data["interval"]), origin)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed Stampede latency timeline: {exc!r}") from exc
        for index, encoded in entries:
            if not isinstance(encoded, Mapping) or encoded.get("format") != FORMAT:
                raise ConfigError(f"malformed Stampede latency timeline: interval {index}")
            timeline._sealed[index] = dict(encoded)  # decoded only when asked for
        if entries:
            timeline.precision = LatencyRecorder.from_dict(entries[0][1]).precision
        timeline._sealed_total = None
        return timeline

    def _check_interval(self, interval: float) -> None:
        if interval != self.interval:
            raise ConfigError(
                f"cannot merge a timeline of {interval:g} s intervals into one of "
                f"{self.interval:g} s intervals; every process must use the same interval"
            )

    def _live_recorder(self, index: int) -> LatencyRecorder:
        recorder = self._live.get(index)
        return recorder if recorder is not None else self._open(index)

    def _open(self, index: int) -> LatencyRecorder:
        """Make interval ``index`` live (a sealed late-comer's counts come back with it), and
        seal those that fell out of the newest ``keep_live_s`` seconds."""
        sealed = self._sealed.pop(index)
        if sealed is None:
            recorder = LatencyRecorder(self.precision)
        else:
            recorder = LatencyRecorder.from_dict(sealed)
            if self._sealed_total is not None:
                self._sealed_total._remove(recorder)
        self._live[index] = recorder
        if index > self._newest:
            self._newest = index
            for old in [i for i in self._live if i <= index - self._keep]:
                sealing = self._live.pop(old)
                totals = self._sealed_totals()  # before the interval is among the sealed
                self._sealed[old] = sealing.to_dict()
                totals.merge(sealing)
        return recorder

    def _sealed_totals(self) -> LatencyRecorder:
        if self._sealed_total is None:
            self._sealed_total = LatencyRecorder(self.precision)
            for encoded in self._sealed.values():
                self._sealed_total.merge(LatencyRecorder.from_dict(encoded))
        return self._sealed_total

    def _peek(self, index: int) -> LatencyRecorder:
        """Interval ``index``'s recorder: the live one (not to be changed) or a decoded one."""
        live = self._live.get(index)
        return live if live is not None else self.recorder(index)

    def _sparse(self) -> Iterator[Sparse]:
        for index in self.indices():
            recorder = self._peek(index)
            for group, positions, counts in recorder.sparse():
                if counts.size:
                    yield Sparse(index, group, positions, counts)

    def _encoded(self, index: int) -> dict[str, Any]:
        if index in self._live:
            return self._live[index].to_dict()
        return self._sealed[index]
