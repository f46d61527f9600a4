"""Workers' measurements on the master: timeouts by request name, and a timed-out request
filed under its intended second, exactly, through the workers' 3 s reports."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest

from stampede.core.latency import LatencyTimeline
from stampede.traffic import ProcessMeasurements

T0 = 1_800_000_000
NAME = "GET /items/[n]"


def _over_the_wire(report: dict[str, Any]) -> dict[str, Any]:
    """What the master receives: Locust's ``Message.serialize`` then ``unserialize``."""
    packed = msgpack.dumps(("stats", {"stampede": report}, "worker"))
    _, data, _ = msgpack.loads(packed, raw=False, strict_map_key=False)
    return dict(data["stampede"])


def _requests(worker: int) -> list[tuple[float, float, float, bool]]:
    """(intended, sent, done, timed out): each second of 20 five quick requests, and one
    meant for second 5 that the client gave up on 10 s after its send (done in 15)."""
    rows = [
        (T0 + s + k / 5 + worker / 50, T0 + s + k / 5 + worker / 50, T0 + s + k / 5 + 0.1, False)
        for s in range(20)
        for k in range(5)
    ]
    rows.append((T0 + 5.5, T0 + 5.6, T0 + 15.6, True))
    return sorted(rows, key=lambda row: row[2])  # recorded as they complete


@pytest.mark.parametrize(("timeout_s", "live"), [(10.0, True), (1.0, False)])
def test_a_master_files_a_timeout_under_its_intended_second_exactly(
    timeout_s: float, live: bool
) -> None:
    """With the intervals kept live for the client's 10 s timeout, second 5 is still live
    when the timed-out requests reach the master (in the workers' reports at 18 s);
    kept 8 s (a 1 s timeout), it was sealed and opens again. Either way the counts are
    exact: those of one timeline that saw every request."""
    master = ProcessMeasurements(1.0, 0.05, client_timeout_s=timeout_s)
    workers = [ProcessMeasurements(1.0, 0.05, client_timeout_s=timeout_s) for _ in range(2)]
    everything = LatencyTimeline(1.0, origin=0.0)
    pending = [_requests(n) for n in range(2)]
    for report_at in range(T0 + 3, T0 + 24, 3):
        if report_at == T0 + 18:  # the reports that carry the timeouts are coming
            assert (T0 + 5 in master.timeline._live) is live
        for worker, rows in zip(workers, pending, strict=True):
            while rows and rows[0][2] < report_at:
                intended, sent, done, timed_out = rows.pop(0)
                worker.record(NAME, intended, sent, done)
                worker.count_status(NAME, 0 if timed_out else 200, timed_out)
                everything.record(NAME, intended, sent, done)
            master.absorb(_over_the_wire(worker.drain()))
    assert not any(pending)
    counts = {row.index - T0: row.corrected.count for row in master.timeline.summaries()}
    assert counts == {s: 10 + (2 if s == 5 else 0) for s in range(20)}
    assert master.timeline.to_dict() == everything.to_dict()
    second_5 = master.timeline.recorder(T0 + 5).summary("corrected")
    assert second_5.max == pytest.approx(10.1, rel=1e-3)  # from 5.5 to 15.6
    assert master.timeline.recorder(T0 + 15).summary("corrected").max < 0.2
    assert master.timeouts == {NAME: 2} and master.timed_out == 2
    assert master.statuses == {200: 200, 0: 2}
