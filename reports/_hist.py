"""Latency distributions as plain data, and HdrHistograms turned into them fast.

A :class:`Distribution` is the non-empty buckets of one histogram: each
bucket's highest equivalent value in seconds and its count. Percentiles and
the share of requests slower than a threshold are computed from it exactly as
HdrHistogram computes them, so a report's p95 is the recorder's p95.

Reading a long run means tens of thousands of histograms; hdrh's own
percentile queries walk the counts in Python, so :func:`counts_of` exposes a
histogram's counts as a NumPy array and :func:`percentiles_of_counts` answers
from a cumulative sum instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from hdrh.codec import HdrHistogramEncoder
from hdrh.histogram import HdrHistogram

Counts = npt.NDArray[np.int64]
_US = 1_000_000


@dataclass(frozen=True)
class Distribution:
    """The non-empty buckets of a latency histogram, in increasing order.

    ``values_s[i]`` is the highest latency (seconds) of bucket ``i`` and
    ``counts[i]`` how many requests fell in it.
    """

    values_s: tuple[float, ...] = ()
    counts: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts)

    def percentile(self, percentile: float) -> float:
        """Latency (s) at ``percentile`` (0–100) by HdrHistogram's rule; 0.0 when empty."""
        total = self.total
        if total == 0:
            return 0.0
        target = max(int(min(percentile, 100.0) * total / 100 + 0.5), 1)
        running = 0
        for value, count in zip(self.values_s, self.counts, strict=True):
            running += count
            if running >= target:
                return value
        return self.values_s[-1]

    def fraction_over(self, threshold_s: float) -> float:
        """The share of requests whose bucket lies above ``threshold_s``; 0.0 when empty."""
        total = self.total
        if total == 0:
            return 0.0
        over = sum(c for v, c in zip(self.values_s, self.counts, strict=True) if v > threshold_s)
        return over / total


@dataclass(frozen=True)
class _Shape:
    """The counts layout of one histogram precision, and each index's highest value (µs)."""

    counts_len: int
    highest_us: npt.NDArray[np.int64]


def _highest_values(half_magnitude: int, unit_magnitude: int, counts_len: int) -> Counts:
    index = np.arange(counts_len, dtype=np.int64)
    half = 1 << half_magnitude
    bucket = (index >> half_magnitude) - 1
    sub = (index & (half - 1)) + half
    first = bucket < 0
    sub[first] -= half
    bucket[first] = 0
    lowest = sub << (bucket + unit_magnitude)
    return np.asarray(lowest + (np.int64(1) << (bucket + unit_magnitude)) - 1, dtype=np.int64)


@cache
def _shape(lowest: int, highest: int, significant_figures: int) -> _Shape:
    model = HdrHistogram(lowest, highest, significant_figures)
    return _shape_of(model)


def _shape_of(histogram: HdrHistogram) -> _Shape:
    counts_len = int(histogram.counts_len)
    values = _highest_values(
        int(histogram.sub_bucket_half_count_magnitude), int(histogram.unit_magnitude), counts_len
    )
    return _Shape(counts_len, values)


def counts_of(histogram: HdrHistogram) -> Counts:
    """A copy of the histogram's counts as int64, one entry per counts index."""
    raw = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    return np.asarray(raw, dtype=np.int64)


def decode_counts(encoded: str) -> tuple[Counts, Counts]:
    """Counts up to the last non-empty index of an encoded histogram, and each index's
    highest equivalent value (µs), for every index of its precision.

    This decodes the wire format with hdrh's codec but skips building an
    ``HdrHistogram``, which costs more than the decoding itself.
    """
    payload = HdrHistogramEncoder.decode(encoded, True)
    header = payload.payload
    shape = _shape(
        int(header.lowest_trackable_value),
        int(header.highest_trackable_value),
        int(header.significant_figures),
    )
    found = payload.init_counts(shape.counts_len)
    top = int(found["max_nonzero_index"]) + 1 if found["total"] else 0
    counts = np.ctypeslib.as_array(payload.counts)[:top].astype(np.int64)
    return counts, shape.highest_us


def percentiles_of_counts(
    counts: Counts, highest_us: npt.NDArray[np.int64], percentiles: Sequence[float]
) -> list[float]:
    """Latency (s) at each percentile of a counts array; zeros when it is empty."""
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1]) if cumulative.size else 0
    if total == 0:
        return [0.0] * len(percentiles)
    targets = [max(int(min(p, 100.0) * total / 100 + 0.5), 1) for p in percentiles]
    where = np.searchsorted(cumulative, targets, side="left")
    return [float(highest_us[i]) / _US for i in where]


def distribution_of_counts(counts: Counts, highest_us: npt.NDArray[np.int64]) -> Distribution:
    """The non-empty buckets of a counts array as a :class:`Distribution`."""
    nonzero = np.flatnonzero(counts)
    return Distribution(
        values_s=tuple(float(v) / _US for v in highest_us[nonzero]),
        counts=tuple(int(c) for c in counts[nonzero]),
    )


def distribution_of(histogram: HdrHistogram) -> Distribution:
    """The :class:`Distribution` of an HdrHistogram."""
    return distribution_of_counts(counts_of(histogram), _shape_of(histogram).highest_us)
