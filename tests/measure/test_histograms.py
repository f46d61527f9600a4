"""The one codec of latency histograms: HdrHistogram's layout, encoding and rules on counts."""

from __future__ import annotations

import base64
import random
import zlib

import numpy as np
import pytest
from hdrh.histogram import HdrHistogram

from stampede.core.errors import ConfigError
from stampede.core.histograms import (
    Precision,
    counts_of,
    decode,
    encode,
    histogram_of,
    layout,
    percentile_indices,
)
from stampede.core.latency import LatencyRecorder

PRECISIONS = [Precision(), Precision(significant_figures=2), Precision(1000, 60_000_000, 4)]


def _recorded(precision: Precision, seed: int, n: int = 5_000) -> HdrHistogram:
    rng = random.Random(seed)
    histogram = precision.new_histogram()
    for _ in range(n):
        histogram.record_value(min(int(rng.lognormvariate(10, 2.5)), precision.highest_us))
    histogram.record_value(0)
    histogram.record_value(precision.highest_us)
    return histogram


@pytest.mark.parametrize("precision", PRECISIONS)
def test_layout_is_hdrhistograms_own(precision: Precision) -> None:
    model = precision.new_histogram()
    shape = layout(precision)
    assert shape.counts_len == model.counts_len
    for index in range(0, shape.counts_len, 3):
        value = model.get_value_from_index(index)
        assert shape.lowest_us[index] == value
        assert shape.highest_us[index] == model.get_highest_equivalent_value(value)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_index_of_is_hdrhistograms_counts_index(precision: Precision) -> None:
    rng = random.Random(1)
    model = precision.new_histogram()
    edges = [0, 1, 2, precision.highest_us]
    edges += [v for k in range(1, 40) for v in (2**k - 1, 2**k, 2**k + 1)]
    values = [v for v in edges if v <= precision.highest_us]
    values += [rng.randrange(precision.highest_us + 1) for _ in range(20_000)]
    found = layout(precision).index_of(np.array(values, dtype=np.int64))
    assert found.tolist() == [model._counts_index_for(v) for v in values]


@pytest.mark.parametrize("precision", PRECISIONS)
def test_encode_writes_what_hdrhistogram_writes_and_decode_reads_it(precision: Precision) -> None:
    for histogram in (precision.new_histogram(), _recorded(precision, seed=3)):
        counts = counts_of(histogram)
        encoded = encode(counts, precision)
        assert encoded == histogram.encode().decode("ascii")
        found, decoded = decode(encoded)
        assert found == precision
        assert decoded.tolist() == counts[: decoded.size].tolist()
        assert not counts[decoded.size :].any()
        again = HdrHistogram.decode(encoded)
        assert list(again.counts) == list(histogram.counts)


def test_decode_into_a_given_array() -> None:
    precision = Precision()
    histogram = _recorded(precision, seed=4)
    into = layout(precision).zeros()
    _, view = decode(histogram.encode(), into=into)
    assert np.shares_memory(view, into)
    assert into.tolist() == counts_of(histogram).tolist()
    with pytest.raises(ConfigError, match="int64s"):
        decode(histogram.encode(), into=np.zeros(10, dtype=np.int64))


@pytest.mark.parametrize(("seed", "n"), [(5, 1), (6, 17), (7, 4_000)])
def test_percentiles_follow_hdrhistograms_rule(seed: int, n: int) -> None:
    precision = Precision()
    histogram = _recorded(precision, seed, n)
    wanted = [0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0]
    expected = histogram.get_percentile_to_value_dict(wanted)
    found = percentile_indices(counts_of(histogram), wanted)
    assert found is not None
    shape = layout(precision)
    values = [
        int((shape.highest_us if p else shape.lowest_us)[i])
        for p, i in zip(wanted, found, strict=True)
    ]
    assert values == [expected[p] for p in wanted]
    assert percentile_indices(layout(precision).zeros(), wanted) is None


def test_histogram_of_and_counts_of_are_inverse() -> None:
    precision = Precision()
    histogram = _recorded(precision, seed=8)
    rebuilt = histogram_of(counts_of(histogram), precision)
    assert list(rebuilt.counts) == list(histogram.counts)
    assert rebuilt.get_total_count() == histogram.get_total_count()
    assert rebuilt.get_min_value() == histogram.get_min_value()
    assert rebuilt.get_max_value() == histogram.get_max_value()


def test_recording_counts_what_hdrhistogram_counts() -> None:
    # more requests than the buffer holds, so some are counted on the way, the rest when asked
    rng = random.Random(9)
    recorder = LatencyRecorder()
    corrected, uncorrected = Precision().new_histogram(), Precision().new_histogram()
    for _ in range(30_000):
        sent = rng.uniform(0, 100)
        intended = sent - rng.choice([0.0, rng.expovariate(10)])
        done = sent + rng.lognormvariate(-4, 2)
        recorder.record("GET /", intended, sent, done)
        corrected.record_value(min(int((done - min(intended, sent)) * 1e6 + 0.5), 3_600_000_000))
        uncorrected.record_value(min(int((done - sent) * 1e6 + 0.5), 3_600_000_000))
    assert list(recorder.histogram("corrected").counts) == list(corrected.counts)
    assert list(recorder.histogram("uncorrected").counts) == list(uncorrected.counts)
    wanted = [50.0, 99.0, 99.99, 100.0]
    assert recorder.percentiles(wanted) == {
        p: v / 1e6 for p, v in corrected.get_percentile_to_value_dict(wanted).items()
    }


def _external(payload: bytes) -> str:
    header = (0x1C849314).to_bytes(4, "big") + len(payload).to_bytes(4, "big")
    return base64.b64encode(header + payload).decode()


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "bm90IGhkcg==",
        "!!!!",
        _external(b"not zlib"),
        _external(zlib.compress(b"short")),
        _external(zlib.compress(b"\x00" * 40)),  # a payload with no V2 cookie
        base64.b64encode(b"\x1c\x84\x93\x14\x00\x00\x00\x09" + zlib.compress(b"x")).decode(),
        Precision().new_histogram().encode().decode()[:-8],
        12,
    ],
)
def test_decode_rejects_what_is_not_a_histogram_in_one_line(encoded: object) -> None:
    with pytest.raises(ConfigError, match="malformed latency histogram") as caught:
        decode(encoded)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "args",
    [(1, 3_600_000_000, 0), (1, 3_600_000_000, 6), (0, 1000, 3), (10, 15, 3), (1, 2**60, 3)],
)
def test_precision_rejects_what_hdrhistogram_cannot_hold(args: tuple[int, int, int]) -> None:
    with pytest.raises(ConfigError, match="significant figures"):
        Precision(*args)
