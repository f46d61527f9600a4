"""A timeline that spills its sealed intervals to a file is the same timeline, in less memory."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from stampede.core.errors import ConfigError
from stampede.core.latency import LatencyTimeline
from stampede.core.latency_spill import SealedIntervals


def _rows(n: int, seed: int) -> list[tuple[str, float, float, float]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        done = i * 0.01 + rng.random() * 0.01  # 0 … 60 s, 100 a second
        if i % 331 == 0:
            done -= 12.0  # a late-comer: its interval was sealed and opens again
        sent = done - rng.uniform(0.001, 0.2)
        intended = sent - rng.choice([0.0, 0.0, 0.4])
        rows.append((rng.choice(["GET /a", "POST /b", "GET /c"]), intended, sent, done))
    return rows


def test_a_spilled_timeline_writes_what_one_in_memory_writes(tmp_path: Path) -> None:
    spill = tmp_path / "intervals.jsonl"
    in_memory = LatencyTimeline(1.0, origin=0.0)
    spilled = LatencyTimeline(1.0, origin=0.0)
    rows = _rows(6_000, seed=18)
    for row in rows[:50]:  # some seconds before the spill starts: they move to the file
        in_memory.record(*row)
        spilled.record(*row)
    spilled.spill_to(spill)
    for row in rows[50:]:
        in_memory.record(*row)
        spilled.record(*row)
    # 60 one-second intervals, 8 live: the sealed ones are in the file, not in memory
    assert len(spilled._sealed) >= 50 and not spilled._sealed._memory
    assert spill.stat().st_size > 0
    assert spilled.to_dict() == in_memory.to_dict()
    assert json.dumps(spilled.totals().to_dict()) == json.dumps(in_memory.totals().to_dict())
    assert spilled.window(10, 20).to_dict() == in_memory.window(10, 20).to_dict()
    assert spilled.summaries("GET /a") == in_memory.summaries("GET /a")
    total = sum(1 for _ in rows)
    assert spilled.totals().count() == total
    spilled.close()
    assert not spill.exists()


def test_a_reopened_interval_reads_back_what_it_was_sealed_with_last(tmp_path: Path) -> None:
    sealed = SealedIntervals(tmp_path / "s.jsonl")
    sealed[3] = {"n": 1}
    sealed[4] = {"n": 2}
    assert sealed.pop(3) == {"n": 1}
    assert 3 not in sealed and sealed.pop(3) is None
    sealed[3] = {"n": 3}
    assert sorted(sealed) == [3, 4] and len(sealed) == 2
    assert [sealed[3], sealed[4]] == [{"n": 3}, {"n": 2}]
    assert list(sealed.values()) == [{"n": 2}, {"n": 3}]


def test_a_spill_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot write latency intervals to"):
        LatencyTimeline(1.0, 0.0).spill_to(tmp_path / "missing" / "x.jsonl")
