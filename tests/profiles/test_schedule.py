"""The schedule of a closed-model profile at hand-computed moments."""

from __future__ import annotations

import pytest

from stampede.profiles import Phase, PlannedPlateau, Schedule
from tests.profiles.conftest import MakeProfile, valid


@pytest.fixture
def schedule(make_profile: MakeProfile) -> Schedule:
    # 0→100 over 10 s, hold 60 s, 100→1000 over 30 s, 1000→0 over 120 s
    return Schedule.from_profile(make_profile(valid()))


def test_duration_phases_and_sale(schedule: Schedule) -> None:
    assert schedule.duration_s == 220
    assert schedule.phases == [
        Phase("baseline", 0, 70),
        Phase("sale", 70, 100),
        Phase("decay", 100, 220),
    ]
    assert schedule.sale_opens_at_s == 70
    assert schedule.plateaus == [PlannedPlateau("baseline", 10, 70, 100)]


@pytest.mark.parametrize(
    ("t", "phase", "users", "intended", "spawn_rate"),
    [
        (0, "baseline", 100, 0, 10),
        (5, "baseline", 100, 50, 10),
        (10, "baseline", 100, 100, 10),  # hold: keeps the last ramp's rate to catch up
        (69.9, "baseline", 100, 100, 10),
        (70, "sale", 1000, 100, 30),
        (85, "sale", 1000, 550, 30),
        (100, "decay", 0, 1000, 1000 / 120),
        (160, "decay", 0, 500, 1000 / 120),
    ],
)
def test_at_known_answers(
    schedule: Schedule, t: float, phase: str, users: int, intended: float, spawn_rate: float
) -> None:
    target = schedule.at(t)
    assert target is not None
    assert target.phase == phase
    assert target.users == users
    assert target.intended_users == pytest.approx(intended)
    assert target.spawn_rate == pytest.approx(spawn_rate)
    assert target.arrivals_per_s is None


def test_at_after_the_end_is_none(schedule: Schedule) -> None:
    assert schedule.at(220) is None
    assert schedule.at(1e6) is None


def test_at_before_the_start_is_an_error(schedule: Schedule) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        schedule.at(-1)


def test_explicit_spawn_rate_reaches_the_target_early(make_profile: MakeProfile) -> None:
    data = valid()
    data["stages"] = [{"duration": "1m", "users": 100, "spawn_rate": 5, "phase": "up"}]
    data["flash"] = None
    schedule = Schedule.from_profile(make_profile(data))
    assert [schedule.at(t).intended_users for t in (0, 10, 20, 59)] == [0, 50, 100, 100]  # type: ignore[union-attr]
    assert schedule.plateaus == []


def test_unlabelled_stages_are_named_after_their_index(make_profile: MakeProfile) -> None:
    data = valid()
    for stage in data["stages"]:
        del stage["phase"]
    data["flash"] = None
    names = [phase.name for phase in Schedule.from_profile(make_profile(data)).phases]
    assert names == ["stage-0", "stage-1", "stage-2", "stage-3"]


def test_closed_model_has_no_arrivals(schedule: Schedule) -> None:
    with pytest.raises(ValueError, match="open-model"):
        schedule.intended_arrivals(0, 10)
    with pytest.raises(ValueError, match="open-model"):
        next(schedule.arrival_times())
