"""How a worker's latency intervals travel to the master: sparse counts under one zlib.

A worker's report carries, for every interval and request name, the non-empty
buckets of that name's two histograms (corrected, uncorrected): their
positions and their counts. The master adds them into the live counts arrays
of its intervals in place (``LatencyTimeline.absorb``), so absorbing a report
decodes each bucket once and encodes nothing.

A bucket's position is ``kind × counts_len + counts index`` (kind 0 corrected,
1 uncorrected): its place in the name's two counts arrays laid end to end. The
form is one dict of plain values, fit for Locust's msgpack messages::

    {"format": "stampede.latency-wire/1", "interval": 1.0,
     "precision": [lowest_us, highest_us, significant_figures],
     "names": [...], "histograms": n, "data": zlib(table + buckets)}

``table`` is ``n`` rows of three little-endian int64s: the interval index, the
name's position in ``names`` and how many buckets follow. The buckets are one
byte per position (its difference from the previous position, the first from
0) and one byte per count, then, as little-endian int64s, every difference and
then every count of 255 or more, whose byte is 255. Most differences and
counts fit a byte, so a report is about two bytes a bucket before zlib (at its
fastest level) and one after.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from stampede.core.errors import ConfigError
from stampede.core.histograms import Counts, Precision, layout

WIRE_FORMAT = "stampede.latency-wire/1"
_COLUMNS = 3  # interval index, name, buckets
_BIG = 255  # a difference or count this large is in the int64 tail
_EMPTY: Counts = np.zeros(0, dtype=np.int64)


class Sparse(NamedTuple):
    """The non-empty buckets of one name's two histograms in interval ``interval`` (its index).

    ``positions`` are ``kind × counts_len + counts index``, increasing.
    """

    interval: int
    name: str
    positions: Counts
    counts: Counts


@dataclass(frozen=True)
class Wire:
    """A decoded report: the interval length, the precision and every name's buckets."""

    interval: float
    precision: Precision
    histograms: list[Sparse]


def _bytes(values: Counts) -> tuple[bytes, bytes]:
    """One byte per value, and the values of 255 or more as int64s."""
    small = np.minimum(values, _BIG).astype(np.uint8)
    return small.tobytes(), values[values >= _BIG].astype("<i8").tobytes()


def _values(small: npt.NDArray[np.uint8], big: Counts) -> Counts:
    values = small.astype(np.int64)
    values[small == _BIG] = big
    return values


def pack(interval: float, precision: Precision, histograms: Iterable[Sparse]) -> dict[str, Any]:
    """The wire form of ``histograms`` (each with at least one bucket)."""
    names: dict[str, int] = {}
    rows: list[tuple[int, int, int]] = []
    positions: list[Counts] = []
    counts: list[Counts] = []
    for histogram in histograms:
        number = names.setdefault(histogram.name, len(names))
        rows.append((histogram.interval, number, int(histogram.positions.size)))
        positions.append(histogram.positions)
        counts.append(histogram.counts)
    table = np.array(rows, dtype="<i8").reshape(-1, _COLUMNS)
    starts = np.cumsum(table[:, 2]) - table[:, 2]
    every = np.concatenate(positions) if positions else _EMPTY
    deltas = np.diff(every, prepend=0)
    deltas[starts] = every[starts]  # each name's first position counts from 0
    small_deltas, big_deltas = _bytes(deltas)
    small_counts, big_counts = _bytes(np.concatenate(counts) if counts else _EMPTY)
    raw = table.tobytes() + small_deltas + small_counts + big_deltas + big_counts
    return {
        "format": WIRE_FORMAT,
        "interval": float(interval),
        "precision": [precision.lowest_us, precision.highest_us, precision.significant_figures],
        "names": list(names),
        "histograms": len(rows),
        "data": zlib.compress(raw, 1),
    }


def unpack(data: Mapping[str, Any]) -> Wire:
    """Decode :func:`pack` output; ConfigError, in one line, when it is not one."""
    if not isinstance(data, Mapping) or data.get("format") != WIRE_FORMAT:
        raise ConfigError(f"not a Stampede latency report: expected format {WIRE_FORMAT!r}")
    try:
        lowest, highest, figures = (int(value) for value in data["precision"])
        precision = Precision(lowest, highest, figures)
        names = [str(name) for name in data["names"]]
        table, positions, counts = _arrays(data, 2 * layout(precision).counts_len, len(names))
        interval = float(data["interval"])
    except (KeyError, TypeError, ValueError, zlib.error, ConfigError) as exc:
        raise ConfigError(f"malformed Stampede latency report: {exc}") from exc
    histograms = []
    end = 0
    for index, number, length in table.tolist():
        start, end = end, end + length
        histograms.append(Sparse(index, names[number], positions[start:end], counts[start:end]))
    return Wire(interval, precision, histograms)


def _arrays(
    data: Mapping[str, Any], positions_len: int, names: int
) -> tuple[Counts, Counts, Counts]:
    """The table, the positions and the counts of a report, each checked."""
    rows = int(data["histograms"])
    raw = zlib.decompress(data["data"])
    head = 8 * _COLUMNS * max(rows, 0)
    if rows < 0 or len(raw) < head:
        raise ValueError(f"{len(raw)} bytes cannot hold a table of {rows} histograms")
    table = np.frombuffer(raw, "<i8", count=_COLUMNS * rows).reshape(rows, _COLUMNS)
    numbers, lengths = table[:, 1], table[:, 2]
    if rows and (numbers.min() < 0 or numbers.max() >= names or lengths.min() < 1):
        raise ValueError(f"a histogram with no bucket, or of a name beyond the {names} named")
    total = int(lengths.sum())
    small = np.frombuffer(raw, np.uint8, count=2 * total, offset=head)
    big = int(np.count_nonzero(small == _BIG))
    if len(raw) != head + 2 * total + 8 * big:
        raise ValueError(f"{len(raw)} bytes of histograms where their table says otherwise")
    tail = np.frombuffer(raw, "<i8", count=big, offset=head + 2 * total)
    big_deltas = int(np.count_nonzero(small[:total] == _BIG))
    deltas = _values(small[:total], tail[:big_deltas])
    counts = _values(small[total:], tail[big_deltas:])
    cumulative = np.cumsum(deltas)
    starts = np.cumsum(lengths) - lengths
    positions = cumulative - np.repeat(cumulative[starts] - deltas[starts], lengths)
    if total and (deltas.min() < 0 or positions.max() >= positions_len or counts.min() < 0):
        raise ValueError(f"a bucket beyond the {positions_len} of two histograms, or negative")
    return table, positions, counts
