"""Latency histograms that do not hide a stalled target (coordinated omission).

A closed-loop generator stops sending while the target stalls, so the stall
never reaches its percentiles. Every request here is recorded twice per
endpoint group, in HdrHistograms of microseconds:

* *corrected*: from the time the open-model schedule intended to send it to
  its completion (what a user arriving on schedule would have waited);
* *uncorrected*: from the actual send to its completion (the service time).

Histograms travel between processes in HdrHistogram's compressed base64 form,
and merging them is exact: the merged counts are those of one histogram that
recorded everything. :class:`LatencyTimeline` keeps one such recorder per
interval so reports can chart percentiles over time.

Nothing here imports ``asyncio``, ``threading`` or ``locust``; recording is a
few dictionary look-ups and two histogram increments.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hdrh.histogram import HdrHistogram

from stampede.core.errors import ConfigError

Kind = Literal["corrected", "uncorrected"]
KINDS: tuple[Kind, ...] = ("corrected", "uncorrected")
FORMAT = "stampede.latency/1"
TIMELINE_FORMAT = "stampede.latency-timeline/1"
_US = 1_000_000


@dataclass(frozen=True)
class Precision:
    """The range and resolution of every histogram of a recorder (microseconds)."""

    lowest_us: int = 1
    highest_us: int = 3_600 * _US
    significant_figures: int = 3

    def new_histogram(self) -> HdrHistogram:
        return HdrHistogram(self.lowest_us, self.highest_us, self.significant_figures)


@dataclass(frozen=True)
class LatencySummary:
    """Count and chosen percentiles of one histogram, in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


class _Pair:
    """The corrected and uncorrected histograms of one group."""

    __slots__ = ("corrected", "highest", "uncorrected")

    def __init__(self, precision: Precision) -> None:
        self.corrected = precision.new_histogram()
        self.uncorrected = precision.new_histogram()
        self.highest = precision.highest_us

    def get(self, kind: Kind) -> HdrHistogram:
        return self.corrected if kind == "corrected" else self.uncorrected


class LatencyRecorder:
    """Corrected and uncorrected latency histograms per endpoint group.

    Parameters
    ----------
    precision
        Range and significant figures of the histograms; recorders merge only
        with recorders of the same precision.
    """

    def __init__(self, precision: Precision | None = None) -> None:
        self.precision = precision or Precision()
        self._pairs: dict[str, _Pair] = {}

    def record(self, group: str, intended_start: float, sent_at: float, done_at: float) -> None:
        """Record one completed request; times are seconds of one monotonic clock.

        The corrected latency starts at the earlier of the intended and the
        actual send, so it is never less than the uncorrected one. Values
        beyond the histogram's range are clamped to it, never dropped.
        """
        pair = self._pairs.get(group)
        if pair is None:
            pair = self._pairs[group] = _Pair(self.precision)
        highest = pair.highest
        start = intended_start if intended_start < sent_at else sent_at
        corrected = int((done_at - start) * _US + 0.5)
        uncorrected = int((done_at - sent_at) * _US + 0.5)
        pair.corrected.record_value(min(max(corrected, 0), highest))
        pair.uncorrected.record_value(min(max(uncorrected, 0), highest))

    def groups(self) -> tuple[str, ...]:
        """The groups recorded so far, sorted."""
        return tuple(sorted(self._pairs))

    def histogram(self, kind: Kind = "corrected", group: str | None = None) -> HdrHistogram:
        """A copy of one group's histogram, or of all groups added together (``group=None``)."""
        total = self.precision.new_histogram()
        pairs = self._pairs.values() if group is None else [self._pair(group)]
        for pair in pairs:
            _add(total, pair.get(kind))
        return total

    def count(self, kind: Kind = "corrected", group: str | None = None) -> int:
        """How many requests were recorded (in one group, or in all)."""
        pairs = self._pairs.values() if group is None else [self._pair(group)]
        return sum(int(pair.get(kind).get_total_count()) for pair in pairs)

    def percentiles(
        self, percentiles: Iterable[float], kind: Kind = "corrected", group: str | None = None
    ) -> dict[float, float]:
        """Latency in seconds at each percentile (0–100); 0.0 for an empty histogram."""
        histogram = self._view(kind, group)
        wanted = [float(p) for p in percentiles]
        if histogram.get_total_count() == 0:
            return dict.fromkeys(wanted, 0.0)
        values = histogram.get_percentile_to_value_dict(wanted)
        return {p: values[p] / _US for p in wanted}

    def summary(self, kind: Kind = "corrected", group: str | None = None) -> LatencySummary:
        """Count, p50, p95, p99 and max (seconds) of one histogram."""
        histogram = self._view(kind, group)
        values = self.percentiles((50.0, 95.0, 99.0), kind, group)
        return LatencySummary(
            count=int(histogram.get_total_count()),
            p50=values[50.0],
            p95=values[95.0],
            p99=values[99.0],
            max=histogram.get_max_value() / _US,
        )

    def select(self, groups: Iterable[str]) -> LatencyRecorder:
        """A copy holding only ``groups`` (those never recorded are skipped)."""
        chosen = LatencyRecorder(self.precision)
        for group in groups:
            pair = self._pairs.get(group)
            if pair is not None:
                mine = chosen._pairs[group] = _Pair(self.precision)
                for kind in KINDS:
                    _add(mine.get(kind), pair.get(kind))
        return chosen

    def merge(self, other: LatencyRecorder) -> None:
        """Add every count of ``other`` to this recorder (exactly; no resampling)."""
        if other.precision != self.precision:
            raise ConfigError(
                f"cannot merge latency histograms of {other.precision} into {self.precision}; "
                "every process must record with the same precision"
            )
        for group, theirs in other._pairs.items():
            ours = self._pairs.get(group)
            if ours is None:
                ours = self._pairs[group] = _Pair(self.precision)
            for kind in KINDS:
                _add(ours.get(kind), theirs.get(kind))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form: precision plus one base64 histogram per group and kind."""
        return {
            "format": FORMAT,
            "unit": "us",
            "lowest": self.precision.lowest_us,
            "highest": self.precision.highest_us,
            "significant_figures": self.precision.significant_figures,
            "groups": {
                group: {kind: _encode(pair.get(kind)) for kind in KINDS}
                for group, pair in sorted(self._pairs.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LatencyRecorder:
        """Rebuild a recorder from :meth:`to_dict` output; ConfigError when it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ConfigError(f"not a Stampede latency record: expected format {FORMAT!r}")
        try:
            precision = Precision(
                int(data["lowest"]), int(data["highest"]), int(data["significant_figures"])
            )
            recorder = cls(precision)
            for group, encoded in data["groups"].items():
                pair = recorder._pairs[str(group)] = _Pair(precision)
                for kind in KINDS:
                    _add(pair.get(kind), HdrHistogram.decode(encoded[kind]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ConfigError(f"malformed Stampede latency record: {exc!r}") from exc
        except Exception as exc:  # hdrh raises its own cookie/length/zlib errors
            raise ConfigError(f"malformed histogram in a Stampede latency record: {exc}") from exc
        return recorder

    def _pair(self, group: str) -> _Pair:
        pair = self._pairs.get(group)
        if pair is None:
            known = ", ".join(self.groups()) or "none"
            raise KeyError(f"no latency recorded for group {group!r}; recorded groups: {known}")
        return pair

    def _view(self, kind: Kind, group: str | None) -> HdrHistogram:
        if group is not None:
            return self._pair(group).get(kind)
        if len(self._pairs) == 1:
            return next(iter(self._pairs.values())).get(kind)
        return self.histogram(kind)


def _add(target: HdrHistogram, source: HdrHistogram) -> None:
    """``target.add(source)``, keeping the minimum right when ``target`` is empty.

    hdrh's ``add`` takes the minimum through ``get_min_value()``, which is 0 for
    an empty histogram, so the raw tracking values are combined here instead.
    """
    if source.get_total_count() == 0:
        return
    lowest = min(target.min_value, source.min_value)
    target.add(source)
    target.min_value = lowest


def _encode(histogram: HdrHistogram) -> str:
    encoded = histogram.encode()
    return encoded.decode("ascii") if isinstance(encoded, bytes) else str(encoded)


@dataclass(frozen=True)
class IntervalSummary:
    """Latency of the requests that completed in one interval, for one group or all."""

    index: int
    start: float
    group: str | None
    corrected: LatencySummary
    uncorrected: LatencySummary


class LatencyTimeline:
    """One :class:`LatencyRecorder` per interval of completion time.

    A request belongs to the interval in which it completed, counted from
    ``origin`` (the run's start on this process's clock), as in HdrHistogram
    interval logs. Only the two newest intervals (and one late-comer) stay as
    live histograms; older ones are kept in their compressed form, so a long run costs a few
    hundred bytes per group and interval. Timelines of several processes
    merge interval by interval when their intervals have the same length.
    """

    def __init__(self, interval: float, origin: float, precision: Precision | None = None) -> None:
        if not interval > 0:
            raise ConfigError(f"a latency timeline's interval must be > 0 s, not {interval!r}")
        self.interval = float(interval)
        self.origin = float(origin)
        self.precision = precision or Precision()
        self._live: dict[int, LatencyRecorder] = {}
        self._sealed: dict[int, dict[str, Any]] = {}
        self._newest = -(2**62)
        # the sum of every sealed interval, kept as they are sealed so the
        # run's totals never need one histogram recorded twice per request;
        # None after from_dict until first asked for
        self._sealed_total: LatencyRecorder | None = LatencyRecorder(self.precision)

    def record(self, group: str, intended_start: float, sent_at: float, done_at: float) -> None:
        """Record one completed request into the interval of ``done_at``."""
        index = int((done_at - self.origin) // self.interval)
        recorder = self._live.get(index)
        if recorder is None:
            recorder = self._open(index)
        recorder.record(group, intended_start, sent_at, done_at)

    def indices(self) -> list[int]:
        """The indices of intervals with at least one record, in order."""
        return sorted({*self._live, *self._sealed})

    def recorder(self, index: int) -> LatencyRecorder:
        """A copy of the recorder of interval ``index`` (empty when nothing completed in it)."""
        copy = LatencyRecorder(self.precision)
        if index in self._live:
            copy.merge(self._live[index])
        elif index in self._sealed:
            copy.merge(LatencyRecorder.from_dict(self._sealed[index]))
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
                total.merge(self.recorder(index))
        return total

    def summaries(self, group: str | None = None) -> list[IntervalSummary]:
        """Per-interval summaries of one group, or of all groups together (``group=None``)."""
        rows = []
        for index in self.indices():
            recorder = self.recorder(index)
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
        if other.interval != self.interval:
            raise ConfigError(
                f"cannot merge a timeline of {other.interval:g} s intervals into one of "
                f"{self.interval:g} s intervals; every process must use the same interval"
            )
        total = self._sealed_totals()
        for index in other.indices():
            theirs = other.recorder(index)
            merged = self._live.pop(index, None)
            if merged is not None:
                total.merge(merged)  # a live interval becomes sealed here
            else:
                merged = self.recorder(index)
            merged.merge(theirs)
            total.merge(theirs)
            self._sealed[index] = merged.to_dict()

    def totals(self) -> LatencyRecorder:
        """Every interval added together: the run's latency so far."""
        total = LatencyRecorder(self.precision)
        total.merge(self._sealed_totals())
        for recorder in self._live.values():
            total.merge(recorder)
        return total

    def _sealed_totals(self) -> LatencyRecorder:
        if self._sealed_total is None:
            self._sealed_total = LatencyRecorder(self.precision)
            for encoded in self._sealed.values():
                self._sealed_total.merge(LatencyRecorder.from_dict(encoded))
        return self._sealed_total

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
            first = LatencyRecorder.from_dict(entries[0][1])
            timeline.precision = first.precision
        timeline._sealed_total = None
        return timeline

    def _open(self, index: int) -> LatencyRecorder:
        sealed = self._sealed.pop(index, None)
        recorder = LatencyRecorder(self.precision)
        if sealed is not None:  # a rare late-comer reopens its interval
            recorder.merge(LatencyRecorder.from_dict(sealed))
            self._sealed_total = None  # recounted from what stays sealed, when asked
        self._newest = max(self._newest, index)
        for old in [i for i in self._live if i < self._newest - 1]:
            sealing = self._live.pop(old)
            self._sealed_totals().merge(sealing)
            self._sealed[old] = sealing.to_dict()
        self._live[index] = recorder
        return recorder

    def _encoded(self, index: int) -> dict[str, Any]:
        if index in self._live:
            return self._live[index].to_dict()
        return self._sealed[index]
