"""LatencyRecorder and LatencyTimeline: known answers, exact merges, serialisation."""

from __future__ import annotations

import json
import random

import pytest

from stampede.core.errors import ConfigError
from stampede.core.latency import (
    KINDS,
    LatencyRecorder,
    LatencyTimeline,
    Precision,
    live_seconds,
)


def test_uniform_known_answer() -> None:
    recorder = LatencyRecorder()
    for ms in range(1, 1001):  # 1 ms … 1000 ms, one of each
        recorder.record("GET /", 0.0, 0.0, ms / 1000)
    values = recorder.percentiles([50, 99, 100])
    assert recorder.count() == 1000
    assert values[50] == pytest.approx(0.500, rel=1e-3)
    assert values[99] == pytest.approx(0.990, rel=1e-3)
    assert values[100] == pytest.approx(1.000, rel=1e-3)
    assert recorder.summary().max == pytest.approx(1.0, rel=1e-3)


def _closed_loop_with_stall(recorder: LatencyRecorder) -> None:
    """One connection, 100 arrivals/s for 100 s, 1 ms service; request 5000 takes 1 s."""
    done = 0.0
    for i in range(10_000):
        intended = i * 0.01
        sent = max(intended, done)
        done = sent + (1.0 if i == 5000 else 0.001)
        recorder.record("GET /", intended, sent, done)


def test_coordinated_omission_known_answer() -> None:
    # By hand: arrival 5000+k (k = 1..110) waits for the stalled one and completes at
    # 51 + 0.001k, so its corrected latency is 1 - 0.009k. p99 is the 101st largest
    # value (k = 100): 0.1 s; p99.9 the 11th (k = 10): 0.91 s. Uncorrected, only one
    # request in 10,000 was slow, so its p99 and p99.9 stay at the 1 ms service time.
    recorder = LatencyRecorder()
    _closed_loop_with_stall(recorder)
    corrected = recorder.percentiles([50, 99, 99.9, 100], "corrected")
    uncorrected = recorder.percentiles([50, 99, 99.9, 100], "uncorrected")
    assert corrected[50] == pytest.approx(0.001, rel=1e-3)
    assert corrected[99] == pytest.approx(0.100, rel=1e-2)
    assert corrected[99.9] == pytest.approx(0.910, rel=1e-3)
    assert uncorrected[99] == pytest.approx(0.001, rel=1e-3)
    assert uncorrected[99.9] == pytest.approx(0.001, rel=1e-3)
    assert corrected[100] == uncorrected[100] == pytest.approx(1.0, rel=1e-3)


def test_corrected_is_never_below_uncorrected_and_values_are_clamped() -> None:
    recorder = LatencyRecorder()
    recorder.record("early", intended_start=5.0, sent_at=4.0, done_at=4.5)  # sent early
    recorder.record("huge", 0.0, 0.0, 7200.0)  # two hours, beyond the range
    recorder.record("negative", 1.0, 1.0, 0.5)  # clock misuse: clamped to 0
    assert recorder.percentiles([100], "corrected", "early")[100] == pytest.approx(0.5, rel=1e-3)
    assert recorder.summary("corrected", "huge").max == pytest.approx(3600, rel=1e-3)
    assert recorder.count("uncorrected", "negative") == 1
    assert recorder.groups() == ("early", "huge", "negative")


def _counts(recorder: LatencyRecorder, kind: str, group: str) -> list[int]:
    return list(recorder.histogram(kind, group).counts)  # type: ignore[arg-type]


def test_merging_encoded_histograms_is_exact() -> None:
    rng = random.Random(7)
    everything = LatencyRecorder()
    workers = [LatencyRecorder() for _ in range(3)]
    for _ in range(20_000):
        group = rng.choice(["GET /a", "POST /b"])
        intended = rng.uniform(0, 60)
        sent = intended + rng.expovariate(100)
        done = sent + rng.lognormvariate(-5, 1.5)
        everything.record(group, intended, sent, done)
        rng.choice(workers).record(group, intended, sent, done)
    master = LatencyRecorder()
    for worker in workers:  # as the workers' messages arrive: through JSON
        master.merge(LatencyRecorder.from_dict(json.loads(json.dumps(worker.to_dict()))))
    assert master.groups() == everything.groups()
    for group in everything.groups():
        for kind in KINDS:
            ours, theirs = master.histogram(kind, group), everything.histogram(kind, group)
            assert _counts(master, kind, group) == _counts(everything, kind, group)
            assert ours.get_total_count() == theirs.get_total_count()
            assert ours.get_min_value() == theirs.get_min_value()
            assert ours.get_max_value() == theirs.get_max_value()
    pcts = [50, 90, 99, 99.9, 100]
    for kind in KINDS:
        assert master.percentiles(pcts, kind) == everything.percentiles(pcts, kind)


def test_serialisation_is_compact_json() -> None:
    recorder = LatencyRecorder()
    _closed_loop_with_stall(recorder)
    data = recorder.to_dict()
    text = json.dumps(data)
    assert data["format"] == "stampede.latency/1" and data["unit"] == "us"
    assert len(text) < 2_000
    again = LatencyRecorder.from_dict(json.loads(text))
    assert again.to_dict() == data


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"format": "other"},
        {"format": "stampede.latency/1"},
        [],
        "x",
        {
            "format": "stampede.latency/1",
            "lowest": 1,
            "highest": 3_600_000_000,
            "significant_figures": 3,
            "groups": {"g": {"corrected": "bm90IGhkcg==", "uncorrected": ""}},
        },
    ],
)
def test_from_dict_rejects_what_is_not_a_record(data: object) -> None:
    with pytest.raises(ConfigError):
        LatencyRecorder.from_dict(data)  # type: ignore[arg-type]


def test_merge_rejects_another_precision() -> None:
    with pytest.raises(ConfigError, match="same precision"):
        LatencyRecorder().merge(LatencyRecorder(Precision(significant_figures=2)))


def test_unknown_group_names_the_recorded_ones() -> None:
    recorder = LatencyRecorder()
    recorder.record("GET /a", 0, 0, 0.001)
    with pytest.raises(KeyError, match="GET /a"):
        recorder.summary("corrected", "GET /b")
    assert LatencyRecorder().percentiles([99]) == {99.0: 0.0}


def _timeline_records(n: int, rng: random.Random) -> list[tuple[str, float, float, float]]:
    rows = []
    for i in range(n):
        intended = i * 0.01
        sent = intended + rng.uniform(0, 0.002)
        rows.append((rng.choice("ab"), intended, sent, sent + rng.uniform(0.001, 0.05)))
    return rows


def test_timeline_buckets_by_intended_start_and_keeps_old_intervals_compressed() -> None:
    timeline = LatencyTimeline(interval=1.0, origin=100.0, keep_live_s=2.0)  # 2 live intervals
    timeline.record("a", 100.0, 100.0, 100.5)  # interval 0
    timeline.record("a", 102.0, 102.0, 102.5)  # interval 2
    timeline.record("a", 102.0, 103.0, 104.2)  # intended in 2, sent in 3, done in 4: 2
    timeline.record("b", 103.0, 103.0, 103.1)  # interval 3: 0 is sealed
    timeline.record("a", 100.1, 100.1, 100.6)  # late record for a sealed interval 0
    assert timeline.indices() == [0, 2, 3]
    timeline.record("b", 104.0, 104.0, 104.1)  # interval 4: 0 and 2 are sealed again
    assert sorted(timeline._live) == [3, 4]
    assert timeline.indices() == [0, 2, 3, 4]
    rows = timeline.summaries()
    assert [(r.index, r.start, r.corrected.count) for r in rows] == [
        (0, 0.0, 2),
        (2, 2.0, 2),
        (3, 3.0, 1),
        (4, 4.0, 1),
    ]
    assert rows[1].corrected.max == pytest.approx(2.2, rel=1e-3)
    assert rows[1].uncorrected.max == pytest.approx(1.2, rel=1e-3)
    assert [r.index for r in timeline.summaries("b")] == [3, 4]


def test_a_miss_is_filed_under_the_second_it_was_meant_to_start() -> None:
    """Known answer: the seconds of intended start, whatever the send and the answer.

    Second 50: ten requests meant for it and answered at once; one meant for 50.5,
    sent at 52 (the generator was behind) that timed out 10 s later (done at 62);
    one meant for 50.9 answered at 51.2. Second 51: one meant for 51.99 and answered
    in 51. Second 53: one meant for 53.2 but sent at 53.0 (early: its send counts).
    Seconds 54-63 each get one quick request, so the run moves on while the
    timed-out one is in flight; kept live for the client's 10 s timeout
    (``live_seconds(10)``), second 50 is still live when its answer comes.
    """
    timeline = LatencyTimeline(1.0, origin=0.0, keep_live_s=live_seconds(10.0))
    done_order = [(50 + i / 10, 50 + i / 10, 50 + i / 10 + 0.01) for i in range(10)]
    done_order += [(50.9, 50.9, 51.2), (51.99, 51.99, 51.995), (53.2, 53.0, 53.5)]
    done_order += [(s + 0.1, s + 0.1, s + 0.2) for s in range(54, 62)]
    for intended, sent, done in done_order:
        timeline.record("GET /x", intended, sent, done)
    timeline.record("GET /x", 50.5, 52.0, 62.0)  # the timeout lands, 12 s after second 50
    assert 50 in timeline._live  # not sealed and reopened: still live
    timeline.record("GET /x", 62.1, 62.1, 62.2)
    timeline.record("GET /x", 63.1, 63.1, 63.2)
    counts = {row.index: row.corrected.count for row in timeline.summaries()}
    assert counts == {50: 12, 51: 1, 53: 1, **{s: 1 for s in range(54, 64)}}
    second_50 = timeline.recorder(50)
    assert second_50.summary("corrected").max == pytest.approx(11.5, rel=1e-3)
    assert second_50.summary("uncorrected").max == pytest.approx(10.0, rel=1e-3)
    assert timeline.window(50, 51).count() == 12  # a window of intended starts
    assert timeline.window(60, 64).count() == 4  # nothing of second 50 ends up here
    assert live_seconds(10.0) == 14.0 and live_seconds(1.0) == 8.0 and live_seconds(60) == 30


def test_timeline_merge_equals_one_timeline_that_saw_everything() -> None:
    rng = random.Random(3)
    rows = _timeline_records(3_000, rng)
    everything = LatencyTimeline(1.0, 0.0)
    parts = [LatencyTimeline(1.0, 0.0), LatencyTimeline(1.0, 0.0)]
    for i, row in enumerate(rows):
        everything.record(*row)
        parts[i % 2].record(*row)
    merged = LatencyTimeline.from_dict(json.loads(json.dumps(parts[0].to_dict())))
    merged.merge(parts[1])
    assert merged.indices() == everything.indices()
    for index in everything.indices():
        ours, theirs = merged.recorder(index), everything.recorder(index)
        assert ours.groups() == theirs.groups()
        for kind in KINDS:
            for group in theirs.groups():
                assert _counts(ours, kind, group) == _counts(theirs, kind, group)
    assert merged.summaries("a") == everything.summaries("a")


def test_timeline_rejects_bad_settings() -> None:
    with pytest.raises(ConfigError):
        LatencyTimeline(0, 0.0)
    with pytest.raises(ConfigError, match="same interval"):
        LatencyTimeline(1.0, 0.0).merge(LatencyTimeline(10.0, 0.0))
    with pytest.raises(ConfigError):
        LatencyTimeline.from_dict({"format": "nope"})


def test_timeline_totals_equal_one_recorder_that_saw_everything() -> None:
    import random

    rng = random.Random(5)
    everything = LatencyRecorder()
    workers = [LatencyTimeline(1.0, origin=0.0) for _ in range(3)]
    for i in range(6000):
        done = i * 0.004 + rng.random() * 0.01
        if i % 997 == 0:
            done -= 3.5  # a late-comer reopens a sealed interval
        sent = done - rng.uniform(0.001, 0.2)
        intended = sent - rng.choice([0.0, 0.0, 0.5])
        group = rng.choice(["GET /a", "POST /b"])
        everything.record(group, intended, sent, done)
        workers[i % 3].record(group, intended, sent, done)
    master = LatencyTimeline(1.0, origin=0.0)
    for worker in workers:
        master.merge(LatencyTimeline.from_dict(worker.to_dict()))
    for timeline in (master, LatencyTimeline.from_dict(master.to_dict())):
        totals = timeline.totals()
        for group in ("GET /a", "POST /b"):
            for kind in ("corrected", "uncorrected"):
                ours, theirs = totals.histogram(kind, group), everything.histogram(kind, group)
                assert ours.get_total_count() == theirs.get_total_count()
                assert list(ours.counts) == list(theirs.counts)


def test_timeline_window_adds_the_intervals_that_start_inside_it() -> None:
    rng = random.Random(11)
    timeline = LatencyTimeline(1.0, origin=0.0)
    inside = LatencyRecorder()
    for i in range(4000):
        done = 1000.0 + i * 0.005  # 1000.0 .. 1020.0
        sent = done - rng.uniform(0.001, 0.3)
        group = rng.choice(["GET /a", "POST /b", "GET /c"])
        timeline.record(group, sent, sent, done)
        if 1005.0 <= sent < 1012.0:
            inside.record(group, sent, sent, done)
    window = timeline.window(1005, 1012)
    assert window.count() == inside.count() > 0
    for kind in KINDS:
        for group in inside.groups():
            assert _counts(window, kind, group) == _counts(inside, kind, group)
    chosen = window.select(["GET /a", "GET /c", "GET /never"])
    assert chosen.groups() == ("GET /a", "GET /c")
    assert chosen.count() == inside.count(group="GET /a") + inside.count(group="GET /c")
    assert timeline.window(2000, 2010).count() == 0
