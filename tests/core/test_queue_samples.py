"""queue.json: written and read back as one typed record; the drain rate from its samples."""

from __future__ import annotations

from pathlib import Path

from stampede.core.queue_samples import QueueRecord, QueueSample, read_queue, write_queue


def _record() -> QueueRecord:
    samples = (
        QueueSample(100.0, 0, 0.0, 0.0, 0.0),  # idle: not a drain
        QueueSample(101.0, 30, 30.0, 0.0, 0.0),
        QueueSample(102.0, 20, 30.0, 10.0, 1.5),
        QueueSample(103.0, None, None, None, None),  # the broker and the store were down
        QueueSample(104.0, 4, 30.0, 26.0, 0.4),
        QueueSample(105.0, 0, 30.0, 30.0, 0.0),
    )
    return QueueRecord("stampede.run.notifications", 1.0, samples)


def test_queue_json_round_trips_with_the_seconds_nobody_answered(tmp_path: Path) -> None:
    write_queue(tmp_path, _record())
    assert read_queue(tmp_path) == _record()
    assert read_queue(tmp_path / "nothing") is None


def test_the_drain_rate_counts_only_seconds_that_began_with_a_backlog() -> None:
    # 101→102: 10 in 1 s; 104→105: 4 in 1 s; 102→103 and 103→104 have no counter: skipped
    assert _record().drain_rate() == 7.0
    idle = QueueRecord("q", 1.0, (QueueSample(1.0, 0, 0.0, 0.0, 0.0),) * 3)
    assert idle.drain_rate() is None
