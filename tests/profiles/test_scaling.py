"""Scaling a profile: known answers for users, rates, durations and the recorded factors."""

from __future__ import annotations

import pytest

from stampede.core.errors import ConfigError
from stampede.profiles import Profile, Schedule, load_profile
from stampede.profiles._scale import scale_users
from tests.profiles.conftest import MakeProfile, valid


@pytest.mark.parametrize(
    ("users", "scale", "expected"),
    [
        (120_000, 0.01, 1_200),
        (120_000, 0.005, 600),
        (5_000, 0.005, 25),
        (5_000, 0.01, 50),
        (3, 0.5, 2),  # 1.5 rounds half up
        (5, 0.5, 3),  # 2.5 rounds half up, not to even
        (1, 0.001, 1),  # never below one user where one was asked for
        (150, 0.001, 1),
        (0, 0.5, 0),
        (7, 1.0, 7),
    ],
)
def test_scale_users(users: int, scale: float, expected: int) -> None:
    assert scale_users(users, scale) == expected


def test_scale_flag_on_the_case_study() -> None:
    profile = load_profile("flash-sale").scaled(scale=0.01, time_scale=1)
    assert max(stage.users or 0 for stage in profile.stages) == 1_200
    assert profile.stages[0].users == 50
    assert profile.duration_s == load_profile("flash-sale").duration_s


def test_scaled_multiplies_durations_and_records_factors(make_profile: MakeProfile) -> None:
    profile = make_profile(valid())
    scaled = profile.scaled(scale=0.1, time_scale=0.25)
    assert [s.duration_s for s in scaled.stages] == [2.5, 15.0, 7.5, 30.0]
    assert [s.users for s in scaled.stages] == [10, 10, 100, 0]
    assert scaled.flash is not None and scaled.flash.opens_at_s == 17.5
    assert scaled.slos.min_throughput == pytest.approx(10.0)
    assert scaled.slos.latency == profile.slos.latency
    assert (scaled.applied_scale, scaled.applied_time_scale) == (0.1, 0.25)
    assert (scaled.scale, scaled.time_scale) == (1.0, 1.0)
    assert scaled.mix == profile.mix


def test_scaled_defaults_to_the_profile_factors(make_profile: MakeProfile) -> None:
    profile = make_profile(valid())
    assert (profile.scale, profile.time_scale) == (0.5, 0.5)
    assert profile.scaled() == profile.scaled(0.5, 0.5)
    # the factors are used up: scaling again with defaults changes nothing more
    assert profile.scaled().scaled() == profile.scaled()


def test_scaling_twice_composes(make_profile: MakeProfile) -> None:
    twice = make_profile(valid()).scaled(0.5, 0.5).scaled(0.2, 0.5)
    assert (twice.applied_scale, twice.applied_time_scale) == (0.1, 0.25)


def test_open_model_rates_scale_without_rounding(make_profile: MakeProfile) -> None:
    data = valid()
    for stage, rate in zip(data["stages"], [10, 10, 200, 0], strict=True):
        stage.pop("users")
        stage["arrivals_per_s"] = rate
    scaled: Profile = make_profile(data).scaled(scale=0.01, time_scale=1)
    assert [s.arrivals_per_s for s in scaled.stages] == pytest.approx([0.1, 0.1, 2.0, 0.0])


def test_explicit_spawn_rate_scales_with_load_and_time(make_profile: MakeProfile) -> None:
    data = valid()
    data["stages"][2]["spawn_rate"] = 100  # 900 users in 9 s, within the 30 s stage
    scaled = make_profile(data).scaled(scale=0.1, time_scale=0.5)
    assert scaled.stages[2].spawn_rate == pytest.approx(20.0)
    schedule = Schedule.from_profile(scaled)
    segment = schedule.segments[2]
    assert segment.reach_s - segment.start_s == pytest.approx(90 / 20)


def test_spawn_rate_stays_reachable_after_rounding(make_profile: MakeProfile) -> None:
    data = valid()
    data["stages"] = [{"duration": "10s", "users": 4, "spawn_rate": 0.4}]
    data["flash"] = None
    scaled = make_profile(data).scaled(scale=0.1, time_scale=1)
    # 4 users → 0.4 → kept at 1; 0.4 × 0.1 = 0.04 users/s would take 25 s
    assert scaled.stages[0].users == 1
    assert scaled.stages[0].spawn_rate == pytest.approx(0.1)
    segment = Schedule.from_profile(scaled).segments[0]
    assert segment.reach_s == pytest.approx(segment.end_s)


@pytest.mark.parametrize(
    ("scale", "time_scale", "key"),
    [(0.0, 1.0, "scale"), (1.5, 1.0, "scale"), (-1, 1.0, "scale"), (0.1, 0, "time_scale")],
)
def test_bad_factors_are_config_errors(scale: float, time_scale: float, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_profile("smoke").scaled(scale, time_scale)
    assert str(caught.value).startswith(f"{key}: ")
    assert "(0, 1]" in str(caught.value)
