"""Latency distributions as plain data, for the reports.

A :class:`Distribution` is the non-empty buckets of one histogram: each
bucket's highest equivalent value in seconds and its count. Percentiles and
the share of requests slower than a threshold are computed from it exactly as
HdrHistogram computes them, so a report's p95 is the recorder's p95.

Reading a long run means tens of thousands of histograms; they are decoded
into NumPy counts arrays by the measurement core's one decoder
(:func:`stampede.core.histograms.decode`), and :func:`percentiles_of_counts`
answers from those arrays by the core's percentile rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from hdrh.histogram import HdrHistogram

from stampede.core.histograms import Counts, Precision, counts_of, layout, percentile_indices

__all__ = [
    "Counts",
    "Distribution",
    "distribution_of",
    "distribution_of_counts",
    "percentiles_of_counts",
]

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


def percentiles_of_counts(
    counts: Counts, highest_us: npt.NDArray[np.int64], percentiles: Sequence[float]
) -> list[float]:
    """Latency (s) at each percentile of a counts array; zeros when it is empty."""
    found = percentile_indices(counts, percentiles)
    if found is None:
        return [0.0] * len(percentiles)
    return [float(highest_us[i]) / _US for i in found]


def distribution_of_counts(counts: Counts, highest_us: npt.NDArray[np.int64]) -> Distribution:
    """The non-empty buckets of a counts array as a :class:`Distribution`."""
    nonzero = np.flatnonzero(counts)
    return Distribution(
        values_s=tuple(float(v) / _US for v in highest_us[nonzero]),
        counts=tuple(int(c) for c in counts[nonzero]),
    )


def distribution_of(histogram: HdrHistogram) -> Distribution:
    """The :class:`Distribution` of an HdrHistogram."""
    precision = Precision(
        int(histogram.lowest_trackable_value),
        int(histogram.highest_trackable_value),
        int(histogram.significant_figures),
    )
    return distribution_of_counts(counts_of(histogram), layout(precision).highest_us)
