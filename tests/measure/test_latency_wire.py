"""Workers' latency reports on the master: exact over many workers, late intervals, the wire form.

Reports travel as Locust sends them, through msgpack with Locust's own
arguments (``locust.rpc.Message``), without importing Locust here.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

import msgpack
import numpy as np
import pytest

from stampede.core.errors import ConfigError
from stampede.core.histograms import Precision, layout
from stampede.core.latency import KINDS, LatencyRecorder, LatencyTimeline
from stampede.core.latency_wire import WIRE_FORMAT, Sparse, pack, unpack

T0 = 1_800_000_000
NAMES = ["GET /a", "GET /b", "POST /c", "GET /d", "POST /e", "GET /f"]
PERCENTILES = [0.0, 50.0, 90.0, 99.0, 99.9, 100.0]


def _over_the_wire(report: dict[str, Any]) -> dict[str, Any]:
    """What the master receives: Locust's ``Message.serialize`` then ``unserialize``."""
    packed = msgpack.dumps(("stats", {"stampede": report}, "worker"))
    _, data, _ = msgpack.loads(packed, raw=False, strict_map_key=False)
    return dict(data["stampede"])


def _request(rng: random.Random, second: int) -> tuple[str, float, float, float]:
    """A request meant to start in ``second`` (its interval), sent then or a little later."""
    name = rng.choice(NAMES)
    intended = second + rng.random()
    sent = intended + rng.choice([0.0, 0.0, rng.expovariate(20)])
    done = sent + rng.lognormvariate(-3.5 + NAMES.index(name) * 0.3, 1.2)
    return name, intended, sent, done


def _assert_same(ours: LatencyRecorder, theirs: LatencyRecorder) -> None:
    assert ours.groups() == theirs.groups()
    for kind in KINDS:
        for group in theirs.groups():
            assert list(ours.histogram(kind, group).counts) == list(
                theirs.histogram(kind, group).counts
            )
            assert ours.summary(kind, group) == theirs.summary(kind, group)
        assert ours.percentiles(PERCENTILES, kind) == theirs.percentiles(PERCENTILES, kind)


def test_a_master_of_fifty_workers_holds_what_one_recorder_that_saw_everything_holds() -> None:
    rng = random.Random(42)
    everything = LatencyTimeline(1.0, origin=0.0)
    master = LatencyTimeline(1.0, origin=0.0, keep_live_s=4.0)  # seals while the run goes on
    workers = [LatencyTimeline(1.0, origin=0.0) for _ in range(50)]
    sent = 0
    for tick in range(4):  # four 3 s reports of each worker
        for number, worker in enumerate(workers):
            for second in range(T0 + 3 * tick, T0 + 3 * tick + 3):
                for _ in range(rng.randrange(5, 25)):
                    row = _request(rng, second)
                    worker.record(*row)
                    everything.record(*row)
                    sent += 1
            master.absorb(_over_the_wire(worker.to_wire()))
            workers[number] = LatencyTimeline(1.0, origin=0.0)  # a worker drains as it reports
    assert master.indices() == everything.indices() == list(range(T0, T0 + 12))
    assert len(master._live) <= 4  # older intervals are sealed, compactly
    for index in everything.indices():
        _assert_same(master.recorder(index), everything.recorder(index))
    totals = master.totals()
    assert totals.count("corrected") == totals.count("uncorrected") == sent
    _assert_same(totals, everything.totals())
    _assert_same(LatencyTimeline.from_dict(master.to_dict()).totals(), everything.totals())


def test_late_intervals_reopen_and_stay_exact() -> None:
    rng = random.Random(7)
    everything = LatencyRecorder()
    master = LatencyTimeline(1.0, origin=0.0, keep_live_s=2.0)
    late = LatencyTimeline(1.0, origin=0.0)
    for second in range(T0, T0 + 10):
        worker = LatencyTimeline(1.0, origin=0.0)
        for _ in range(50):
            row = _request(rng, second)
            worker.record(*row)
            everything.record(*row)
            if second == T0 + 2:
                row = _request(rng, second)
                late.record(*row)  # a worker whose report for T0+2 arrives 8 s late
                everything.record(*row)
        master.absorb(worker.to_wire())
    assert T0 + 2 in master._sealed
    before = master.recorder(T0 + 2).count()
    master.absorb(late.to_wire())
    assert master.recorder(T0 + 2).count() == before + 50
    _assert_same(master.totals(), everything)
    master.absorb(LatencyTimeline(1.0, origin=0.0).to_wire())  # an empty report changes nothing
    master.record("GET /a", T0 + 12, T0 + 12, T0 + 12.5)  # newer: the late one is sealed again
    everything.record("GET /a", T0 + 12, T0 + 12, T0 + 12.5)
    assert T0 + 2 in master._sealed
    _assert_same(master.totals(), everything)


def test_the_wire_form_round_trips_every_count_and_position() -> None:
    precision = Precision()
    span = 2 * layout(precision).counts_len
    histograms = [
        Sparse(T0, "GET /a", np.array([0, 1, 300, span - 1]), np.array([1, 254, 255, 2**40])),
        Sparse(T0 + 1, "GET /b", np.array([7000]), np.array([3])),
        Sparse(T0 - 5, "GET /a", np.array([255, 510, 20_000]), np.array([9, 256, 1])),
    ]
    back = unpack(_over_the_wire(pack(1.0, precision, histograms)))
    assert (back.interval, back.precision) == (1.0, precision)
    assert len(back.histograms) == len(histograms)
    for ours, theirs in zip(back.histograms, histograms, strict=True):
        assert (ours.interval, ours.name) == (theirs.interval, theirs.name)
        assert ours.positions.tolist() == theirs.positions.tolist()
        assert ours.counts.tolist() == theirs.counts.tolist()
    empty = unpack(_over_the_wire(pack(1.0, precision, [])))
    assert empty.histograms == []


def test_a_report_is_smaller_than_the_histograms_it_carries() -> None:
    rng = random.Random(3)
    worker = LatencyTimeline(1.0, origin=0.0)
    for second in range(T0, T0 + 3):
        for _ in range(6 * 300):
            worker.record(*_request(rng, second))
    report = worker.to_wire()
    encoded = sum(len(str(i["latency"])) for i in worker.to_dict()["intervals"])
    assert len(msgpack.dumps(report)) < encoded / 2


def _report() -> dict[str, Any]:
    worker = LatencyTimeline(1.0, origin=0.0)
    worker.record("GET /a", T0, T0, T0 + 0.01)
    worker.record("GET /b", T0, T0, T0 + 1.01)
    return worker.to_wire()


def _with(**changes: Any) -> dict[str, Any]:
    return {**_report(), **changes}


def _data(raw: bytes) -> dict[str, Any]:
    return _with(data=zlib.compress(raw))


def _raw() -> bytes:
    return zlib.decompress(_report()["data"])


@pytest.mark.parametrize(
    "report",
    [
        [],
        {"format": "nope"},
        {"format": WIRE_FORMAT},
        _with(precision=[1, 2]),
        _with(precision=[1, 3_600_000_000, 9]),
        _with(names="GET /a"[:0]),
        _with(histograms=-1),
        _with(histograms=3),
        _with(data=b"not zlib"),
        _with(data="text"),
        _data(_raw()[:-1]),
        _data(_raw() + b"\x00"),
        _data(_raw()[:8] + (7).to_bytes(8, "little") + _raw()[16:]),  # a name beyond those named
        _data(_raw()[:16] + (0).to_bytes(8, "little") + _raw()[24:]),  # a name with no bucket
        _data(_raw()[:56] + (10**6).to_bytes(8, "little") + _raw()[64:]),  # beyond the counts
    ],
)
def test_a_malformed_report_is_a_one_line_config_error(report: Any) -> None:
    with pytest.raises(ConfigError, match="latency report") as caught:
        LatencyTimeline(1.0, origin=0.0).absorb(report)
    assert "\n" not in str(caught.value)


def test_a_report_of_another_interval_or_precision_is_refused() -> None:
    with pytest.raises(ConfigError, match="same interval"):
        LatencyTimeline(10.0, origin=0.0).absorb(_report())
    with pytest.raises(ConfigError, match="same precision"):
        LatencyTimeline(1.0, 0.0, Precision(significant_figures=2)).absorb(_report())
