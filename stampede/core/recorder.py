"""Latency histograms that do not hide a stalled target (coordinated omission).

A closed-loop generator stops sending while the target stalls, so the stall
never reaches its percentiles. Every request here is recorded twice per
endpoint group, in HdrHistograms of microseconds:

* *corrected*: from the time the open-model schedule intended to send it to
  its completion (what a user arriving on schedule would have waited);
* *uncorrected*: from the actual send to its completion (the service time).

A histogram is an int64 array of HdrHistogram counts
(:mod:`stampede.core.histograms`), so merging adds arrays and is exact: the
merged counts are those of one histogram that recorded everything. Recording
appends the request's two latencies to a buffer, which becomes counts in one
vectorised pass when it fills or when the counts are asked for. On disk a
histogram is in HdrHistogram's compressed base64 form.

Nothing here imports ``asyncio``, ``threading`` or ``locust``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from hdrh.histogram import HdrHistogram

from stampede.core.errors import ConfigError
from stampede.core.histograms import (
    Counts,
    Precision,
    decode,
    encode,
    histogram_of,
    layout,
    percentile_indices,
)

Kind = Literal["corrected", "uncorrected"]
KINDS: tuple[Kind, ...] = ("corrected", "uncorrected")
FORMAT = "stampede.latency/1"
_US = 1_000_000
_FOLD_AT = 8192  # buffered latencies (two a request) a group holds before they become counts


@dataclass(frozen=True)
class LatencySummary:
    """Count and chosen percentiles of one histogram, in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float


class _Group:
    """One group's counts (row 0 corrected, row 1 uncorrected) and latencies not yet counted."""

    __slots__ = ("counts", "pending")

    def __init__(self) -> None:
        self.counts: Counts | None = None
        self.pending = array("d")  # seconds: corrected, uncorrected, corrected, …


def _row(kind: Kind) -> int:
    return 0 if kind == "corrected" else 1


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
        self._layout = layout(self.precision)
        self._groups: dict[str, _Group] = {}

    def record(self, group: str, intended_start: float, sent_at: float, done_at: float) -> None:
        """Record one completed request; times are seconds of one monotonic clock.

        The corrected latency starts at the earlier of the intended and the
        actual send, so it is never less than the uncorrected one. Values
        beyond the histogram's range are clamped to it, never dropped.
        """
        entry = self._groups.get(group)
        if entry is None:
            entry = self._groups[group] = _Group()
        pending = entry.pending
        pending.append(done_at - (intended_start if intended_start < sent_at else sent_at))
        pending.append(done_at - sent_at)
        if len(pending) >= _FOLD_AT:
            self._fold(entry)

    def groups(self) -> tuple[str, ...]:
        """The groups recorded so far, sorted."""
        return tuple(sorted(self._groups))

    def histogram(self, kind: Kind = "corrected", group: str | None = None) -> HdrHistogram:
        """A copy of one group's histogram, or of all groups added together (``group=None``)."""
        return histogram_of(self._view(kind, group), self.precision)

    def count(self, kind: Kind = "corrected", group: str | None = None) -> int:
        """How many requests were recorded (in one group, or in all)."""
        entries = self._groups.values() if group is None else [self._entry(group)]
        return sum(int(self._counts(entry)[_row(kind)].sum()) for entry in entries)

    def percentiles(
        self, percentiles: Iterable[float], kind: Kind = "corrected", group: str | None = None
    ) -> dict[float, float]:
        """Latency in seconds at each percentile (0–100); 0.0 for an empty histogram."""
        return self._percentiles(self._view(kind, group), [float(p) for p in percentiles])

    def summary(self, kind: Kind = "corrected", group: str | None = None) -> LatencySummary:
        """Count, p50, p95, p99 and max (seconds) of one histogram."""
        counts = self._view(kind, group)
        values = self._percentiles(counts, [50.0, 95.0, 99.0])
        nonzero = np.flatnonzero(counts)
        return LatencySummary(
            count=int(counts.sum()),
            p50=values[50.0],
            p95=values[95.0],
            p99=values[99.0],
            max=float(self._layout.highest_us[nonzero[-1]]) / _US if nonzero.size else 0.0,
        )

    def select(self, groups: Iterable[str]) -> LatencyRecorder:
        """A copy holding only ``groups`` (those never recorded are skipped)."""
        chosen = LatencyRecorder(self.precision)
        for group in groups:
            entry = self._groups.get(group)
            if entry is not None:
                chosen._group(group).counts = self._counts(entry).copy()
        return chosen

    def merge(self, other: LatencyRecorder) -> None:
        """Add every count of ``other`` to this recorder (exactly; no resampling)."""
        if other.precision != self.precision:
            raise ConfigError(
                f"cannot merge latency histograms of {other.precision} into {self.precision}; "
                "every process must record with the same precision"
            )
        for group, theirs in other._groups.items():
            ours = self._group(group)
            if theirs.counts is not None:
                if ours.counts is None:
                    ours.counts = theirs.counts.copy()
                else:
                    ours.counts += theirs.counts
            ours.pending.extend(theirs.pending)
            if len(ours.pending) >= _FOLD_AT:
                self._fold(ours)

    def add_counts(self, group: str, positions: Counts, counts: Counts) -> None:
        """Add sparse counts to one group's histograms.

        ``positions`` are places in the group's corrected counts followed by
        its uncorrected counts (``kind × counts_len + counts index``, kind 0
        corrected); ``counts[i]`` is added at ``positions[i]``.
        """
        entry = self._group(group)
        if entry.counts is None:
            entry.counts = self._layout.zeros(2)
        np.add.at(entry.counts.reshape(-1), positions, counts)

    def sparse(self) -> Iterator[tuple[str, Counts, Counts]]:
        """Every group's non-empty buckets as :meth:`add_counts` takes them: group, positions,
        counts. Groups holding only buffered latencies are counted in one pass, without
        full counts arrays (a worker's report)."""
        buffered = [(g, e.pending) for g, e in self._groups.items() if e.counts is None]
        if buffered:
            span = 2 * self._layout.counts_len
            lengths = [len(pending) for _, pending in buffered]
            positions = self._positions(np.concatenate([p for _, p in buffered]))
            positions += np.repeat(np.arange(len(buffered), dtype=np.int64) * span, lengths)
            keys, counts = np.unique(positions, return_counts=True)
            bounds = np.searchsorted(keys, np.arange(len(buffered) + 1) * span).tolist()
            for number, (group, _) in enumerate(buffered):
                found = slice(bounds[number], bounds[number + 1])
                yield group, keys[found] - number * span, np.asarray(counts[found], np.int64)
        for group, entry in self._groups.items():
            if entry.counts is not None:
                flat = self._counts(entry).reshape(-1)
                nonzero = np.flatnonzero(flat)
                yield group, nonzero, flat[nonzero]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form: precision plus one base64 histogram per group and kind."""
        return {
            "format": FORMAT,
            "unit": "us",
            "lowest": self.precision.lowest_us,
            "highest": self.precision.highest_us,
            "significant_figures": self.precision.significant_figures,
            "groups": {
                group: self._encoded(entry) for group, entry in sorted(self._groups.items())
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
                counts = recorder._layout.zeros(2)
                for row, kind in enumerate(KINDS):
                    found, _ = decode(encoded[kind], into=counts[row])
                    if found != precision:
                        raise ValueError(f"group {group!r} has a histogram of {found}")
                recorder._group(str(group)).counts = counts
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"malformed Stampede latency record: {exc!r}") from exc
        return recorder

    def _encoded(self, entry: _Group) -> dict[str, str]:
        counts = self._counts(entry)
        return {kind: encode(counts[_row(kind)], self.precision) for kind in KINDS}

    def _remove(self, other: LatencyRecorder) -> None:
        """Take away ``other``'s counts, which were added to this recorder before."""
        for group, theirs in other._groups.items():
            ours = self._counts(self._entry(group))
            ours -= self._counts(theirs)

    def _group(self, group: str) -> _Group:
        entry = self._groups.get(group)
        if entry is None:
            entry = self._groups[group] = _Group()
        return entry

    def _entry(self, group: str) -> _Group:
        entry = self._groups.get(group)
        if entry is None:
            known = ", ".join(self.groups()) or "none"
            raise KeyError(f"no latency recorded for group {group!r}; recorded groups: {known}")
        return entry

    def _positions(self, pending: array[float] | npt.NDArray[np.float64]) -> Counts:
        """Where each buffered latency counts: its counts index, plus ``counts_len`` for the
        uncorrected ones (rounded to µs and clamped to the range, as HdrHistogram records)."""
        micros = np.trunc(np.asarray(pending, dtype=np.float64) * _US + 0.5)
        micros = np.clip(np.nan_to_num(micros), 0, self.precision.highest_us)
        positions = self._layout.index_of(micros.astype(np.int64))
        positions[1::2] += self._layout.counts_len
        return positions

    def _fold(self, entry: _Group) -> None:
        """Turn a group's buffered latencies into counts."""
        if entry.counts is None:
            entry.counts = self._layout.zeros(2)
        if entry.pending:
            np.add.at(entry.counts.reshape(-1), self._positions(entry.pending), 1)
            entry.pending = array("d")

    def _counts(self, entry: _Group) -> Counts:
        self._fold(entry)
        assert entry.counts is not None
        return entry.counts

    def _view(self, kind: Kind, group: str | None) -> Counts:
        """One group's counts of ``kind``, or every group's added up; not to be changed."""
        if group is not None or len(self._groups) == 1:
            entry = self._entry(group) if group is not None else next(iter(self._groups.values()))
            counts: Counts = self._counts(entry)[_row(kind)]
            return counts
        total = self._layout.zeros()
        for entry in self._groups.values():
            total += self._counts(entry)[_row(kind)]
        return total

    def _percentiles(self, counts: Counts, wanted: list[float]) -> dict[float, float]:
        found = percentile_indices(counts, wanted)
        if found is None:
            return dict.fromkeys(wanted, 0.0)
        lowest, highest = self._layout.lowest_us, self._layout.highest_us
        return {
            p: float((highest if p else lowest)[i]) / _US
            for p, i in zip(wanted, found, strict=True)
        }
