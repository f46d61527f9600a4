"""What the master notes during a run: users each second, lost workers, how it stopped."""

from __future__ import annotations

import pytest

from stampede.traffic import RunStop, WorkerCount, WorkerLoss, user_row
from tests.traffic.conftest import MakeSchedule

CLOSED = [
    {"duration": "4s", "users": 8, "phase": "ramp"},  # 2 users/s
    {"duration": "6s", "users": 8, "phase": "hold"},
]
OPEN = [{"duration": "10s", "arrivals_per_s": 10, "phase": "ramp"}]


def test_a_closed_row_intends_where_the_ramp_is(make_schedule: MakeSchedule) -> None:
    schedule = make_schedule(CLOSED)
    assert user_row(schedule, 99, 1.5, 3, 2_000_000) == {
        "t": 1.5,
        "running": 3.0,
        "rss_bytes": 2_000_000.0,
        "intended": 3.0,
    }
    assert user_row(schedule, 99, 7.0, 8, 1)["intended"] == 8.0  # type: ignore[index]
    # a worker's clock may read a little before the master's origin: the start's target
    assert user_row(schedule, 99, -0.3, 0, 1)["intended"] == 0.0  # type: ignore[index]
    assert user_row(schedule, 99, 10.0, 8, 1) is None


def test_an_open_row_intends_the_pool_and_notes_the_rate(make_schedule: MakeSchedule) -> None:
    assert user_row(make_schedule(OPEN), 20, 2.5, 17, 5) == {
        "t": 2.5,
        "running": 17.0,
        "rss_bytes": 5.0,
        "intended": 20.0,
        "arrivals_per_s": 2.5,
    }


def test_a_drop_in_workers_is_a_loss_and_a_late_joiner_raises_the_count() -> None:
    workers = WorkerCount(3)
    seen = [workers.observe(t, alive) for t, alive in [(1, 3), (2, 4), (5, 2), (6, 2), (8, 1)]]
    assert seen == [None, None, WorkerLoss(5, 2, 2, 4), None, WorkerLoss(8, 1, 1, 2)]
    assert workers.losses == [WorkerLoss(5, 2, 2, 4), WorkerLoss(8, 1, 1, 2)]
    assert workers.alive == 1


def test_a_loss_reads_as_a_warning_a_stop_reason_and_a_row_of_run_json() -> None:
    loss = WorkerLoss(12.6, 1, 1, 2)
    assert loss.warning() == "Stampede: a worker process was lost at 13 s; 1 of 2 left"
    assert loss.stop_reason() == (
        "a Locust worker process was lost at 13 s (1 left) and --on-worker-loss is stop"
    )
    assert loss.to_dict() == {"t": 12.6, "lost": 1, "left": 1, "before": 2}


@pytest.mark.parametrize(
    ("ran", "reason", "complete", "described"),
    [
        (25.0, None, True, "the profile's schedule ended"),
        (24.1, None, True, "the profile's schedule ended"),  # within a second of the end
        (23.9, None, False, "stopped early after 24 of 25 s"),
        (12.4, None, False, "stopped early after 12 of 25 s"),
        (25.0, "a worker was lost", False, "a worker was lost"),
    ],
)
def test_how_a_run_stopped(ran: float, reason: str | None, complete: bool, described: str) -> None:
    stop = RunStop(1000.0 + ran, ran, reason)
    assert stop.complete(25.0) is complete
    assert stop.describe(25.0) == described
