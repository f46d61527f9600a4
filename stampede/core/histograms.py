"""HdrHistogram counts as NumPy arrays: the one codec of Stampede's latency histograms.

An HdrHistogram of a given precision is an array of counts, one per bucket
(its *counts index*), each bucket covering a range of equivalent values.
Stampede keeps histograms as int64 arrays of those counts and takes from the
HdrHistogram package only its bucket layout and its C codec, so adding,
querying and encoding histograms are array operations, never a walk in Python:

* :class:`Precision` and :func:`layout`: the counts array's length and each
  index's lowest and highest equivalent value (µs);
* :func:`encode` and :func:`decode`: HdrHistogram's compressed base64 form,
  byte for byte what ``HdrHistogram.encode()`` writes, the form of
  ``latency.json`` and ``timeline.json``. :func:`decode` is the one decoder of
  those files, for the measurement core and for the reports;
* :func:`percentile_indices`: HdrHistogram's percentile rule on a counts array.
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from hdrh import codec
from hdrh.histogram import HdrHistogram

from stampede.core.errors import ConfigError

Counts = npt.NDArray[np.int64]
_US = 1_000_000
_EXTERNAL = struct.Struct(">II")  # compression cookie, compressed length
_PAYLOAD = struct.Struct(">IIIIQQd")  # the V2 payload header (hdrh.codec.PayloadHeader)
_MAX_COUNTS = 1 << 20  # 8 MB of counts: 5 significant figures up to an hour in µs fit


@dataclass(frozen=True)
class Precision:
    """The range and resolution of a histogram (microseconds)."""

    lowest_us: int = 1
    highest_us: int = 3_600 * _US
    significant_figures: int = 3

    def __post_init__(self) -> None:
        if not (
            1 <= self.significant_figures <= 5
            and self.lowest_us >= 1
            and 2 * self.lowest_us <= self.highest_us < 2**52
        ):
            raise ConfigError(
                f"a latency histogram needs 1 to 5 significant figures, a lowest value >= 1 µs "
                f"and a highest value of at least twice the lowest and below 2**52 µs, not {self}"
            )

    def new_histogram(self) -> HdrHistogram:
        return HdrHistogram(self.lowest_us, self.highest_us, self.significant_figures)


@dataclass(frozen=True, eq=False)
class Layout:
    """The counts array of one precision: its length and each index's range of values (µs)."""

    counts_len: int
    lowest_us: Counts
    highest_us: Counts
    half_magnitude: int  # log2 of half the sub-buckets of a bucket
    unit_magnitude: int  # log2 of the lowest value

    def index_of(self, values_us: Counts) -> Counts:
        """The counts index of each value, as HdrHistogram computes it; values must lie in
        ``0 … highest``."""
        mask = ((1 << (self.half_magnitude + 1)) - 1) << self.unit_magnitude
        # frexp's exponent is the bit length: exact, as values stay below 2**53
        _, bits = np.frexp((values_us | mask).astype(np.float64))
        bucket = bits.astype(np.int64) - (self.unit_magnitude + self.half_magnitude + 1)
        sub = values_us >> (bucket + self.unit_magnitude)
        return ((bucket + 1) << self.half_magnitude) + sub - (1 << self.half_magnitude)

    def zeros(self, rows: int | None = None) -> Counts:
        """An empty counts array (``rows`` of them stacked, when given)."""
        shape = self.counts_len if rows is None else (rows, self.counts_len)
        return np.zeros(shape, dtype=np.int64)


@cache
def layout(precision: Precision) -> Layout:
    """The :class:`Layout` of ``precision``, as HdrHistogram lays its counts out."""
    model = precision.new_histogram()
    counts_len = int(model.counts_len)
    if counts_len > _MAX_COUNTS:
        raise ConfigError(f"a latency histogram of {precision} would need {counts_len:,} counts")
    half_magnitude = int(model.sub_bucket_half_count_magnitude)
    unit = int(model.unit_magnitude)
    index = np.arange(counts_len, dtype=np.int64)
    bucket = (index >> half_magnitude) - 1
    sub = (index & ((1 << half_magnitude) - 1)) + (1 << half_magnitude)
    first = bucket < 0
    sub[first] -= 1 << half_magnitude
    bucket[first] = 0
    lowest = sub << (bucket + unit)
    highest = lowest + (np.int64(1) << (bucket + unit)) - 1
    return Layout(counts_len, lowest, highest, half_magnitude, unit)


def encode(counts: Counts, precision: Precision) -> str:
    """HdrHistogram's compressed base64 form of a counts array of ``precision``."""
    nonzero = np.flatnonzero(counts)
    top = int(nonzero[-1]) + 1 if nonzero.size else 0
    source = np.ascontiguousarray(counts[:top], dtype=np.int64)
    varints = ctypes.create_string_buffer(max(top * 9, 1))  # LEB128: at most 9 bytes a count
    length = codec.encode(source.ctypes.data, top, 8, ctypes.addressof(varints), top * 9)
    header = _PAYLOAD.pack(
        codec.get_encoding_cookie(),
        length,
        0,
        precision.significant_figures,
        precision.lowest_us,
        precision.highest_us,
        1.0,
    )
    compressed = zlib.compress(header + varints.raw[:length])
    external = _EXTERNAL.pack(codec.get_compression_cookie(), len(compressed))
    return base64.b64encode(external + compressed).decode("ascii")


def decode(encoded: str | bytes, into: Counts | None = None) -> tuple[Precision, Counts]:
    """The precision and counts of one encoded histogram (:func:`encode`, ``HdrHistogram.encode``).

    The counts are int64, up to the last non-empty index (a view of a full
    counts array: ``into`` when given, which must be zero and of the
    precision's length). ConfigError, in one line, when ``encoded`` is not one.
    """
    try:
        raw = base64.b64decode(encoded)
        cookie, length = _EXTERNAL.unpack_from(raw)
        if codec.get_cookie_base(cookie) != codec.V2_COMPRESSION_COOKIE_BASE:
            raise ValueError(f"compression cookie {cookie:#x} is not HdrHistogram's V2 one")
        if length != len(raw) - _EXTERNAL.size:
            raise ValueError(f"{len(raw) - _EXTERNAL.size} compressed bytes, not {length}")
        data = zlib.decompress(raw[_EXTERNAL.size :])
        cookie, _, _, figures, lowest, highest, _ = _PAYLOAD.unpack_from(data)
        if codec.get_cookie_base(cookie) != codec.V2_ENCODING_COOKIE_BASE:
            raise ValueError(f"encoding cookie {cookie:#x} is not HdrHistogram's V2 one")
        precision = Precision(int(lowest), int(highest), int(figures))
        shape = layout(precision)
        counts = shape.zeros() if into is None else into
        if counts.shape != (shape.counts_len,) or counts.dtype != np.int64:
            raise ValueError(f"the counts to decode into are not {shape.counts_len} int64s")
        found = codec.decode(data, _PAYLOAD.size, counts.ctypes.data, shape.counts_len, 8)
    except (binascii.Error, struct.error, zlib.error, ValueError, TypeError, IndexError) as exc:
        raise ConfigError(f"malformed latency histogram: {exc}") from exc
    top = int(found["max_nonzero_index"]) + 1 if found["total"] else 0
    return precision, counts[:top]


def percentile_indices(counts: Counts, percentiles: Sequence[float]) -> list[int] | None:
    """The counts index at each percentile (0–100), by HdrHistogram's rule; None when empty.

    The value at a percentile is the first index whose cumulative count
    reaches ``max(round-half-up(percentile × total / 100), 1)``.
    """
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1]) if cumulative.size else 0
    if total == 0:
        return None
    targets = [max(int(min(p, 100.0) * total / 100 + 0.5), 1) for p in percentiles]
    return [int(i) for i in np.searchsorted(cumulative, targets, side="left")]


def counts_of(histogram: HdrHistogram) -> Counts:
    """A copy of an HdrHistogram's counts as int64, one entry per counts index."""
    raw = np.ctypeslib.as_array(histogram.counts)[: histogram.counts_len]
    return np.asarray(raw, dtype=np.int64).copy()


def histogram_of(counts: Counts, precision: Precision) -> HdrHistogram:
    """An HdrHistogram holding ``counts`` (the inverse of :func:`counts_of`)."""
    histogram = precision.new_histogram()
    size = min(counts.size, int(histogram.counts_len))
    source = np.ascontiguousarray(counts[:size], dtype=np.int64)
    ctypes.memmove(ctypes.addressof(histogram.counts), source.ctypes.data, source.nbytes)
    nonzero = np.flatnonzero(source)
    if nonzero.size:
        total = int(source.sum())
        histogram.set_internal_tacking_values(int(nonzero[0]), int(nonzero[-1]), total)
    return histogram
