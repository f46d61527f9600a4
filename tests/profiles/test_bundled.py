"""Every bundled profile loads, round-trips and has a consistent schedule."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from stampede.profiles import (
    Profile,
    Schedule,
    available_profiles,
    load_profile,
)

BUNDLED = ["black-friday", "capacity-probe", "flash-sale", "smoke", "soak", "steady"]
#: the run must finish in under 5 minutes of wall time on a laptop
LAPTOP_WALL_S = 5 * 60
LAPTOP_MAX_USERS = 600


def test_available_profiles_lists_the_bundled_files() -> None:
    assert available_profiles() == BUNDLED


def _sample_times(schedule: Schedule, step: float = 0.5) -> list[float]:
    count = int(schedule.duration_s / step)
    return [i * step for i in range(count)]


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profile_loads_with_its_own_name(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.description
    assert (profile.applied_scale, profile.applied_time_scale) == (1.0, 1.0)
    assert 0 < profile.scale <= 1 and 0 < profile.time_scale <= 1


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_profile_meets_the_case_study_slos(name: str) -> None:
    slos = load_profile(name).slos
    overall = slos.latency_for("all")
    assert overall is not None and overall.p95_s is not None
    assert overall.p95_s <= 0.5
    assert slos.error_rate is not None and slos.error_rate <= 0.01


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("scaled", [False, True])
def test_bundled_schedule_is_consistent(name: str, scaled: bool) -> None:
    profile = load_profile(name)
    schedule = Schedule.from_profile(profile.scaled() if scaled else profile)
    phases = schedule.phases
    assert phases[0].start_s == 0 and phases[-1].end_s == schedule.duration_s
    for before, after in itertools.pairwise(phases):
        assert before.end_s == after.start_s and before.name != after.name
    for t in _sample_times(schedule):
        target = schedule.at(t)
        assert target is not None
        assert target.phase in {phase.name for phase in phases}
    assert schedule.at(schedule.duration_s) is None
    if schedule.sale_opens_at_s is not None:
        assert 0 <= schedule.sale_opens_at_s < schedule.duration_s


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("scaled", [False, True])
def test_bundled_profile_round_trips_through_yaml(name: str, scaled: bool, tmp_path: Path) -> None:
    profile = load_profile(name)
    if scaled:
        profile = profile.scaled()
    path = tmp_path / f"{name}.yaml"
    path.write_text(profile.to_yaml(), encoding="utf-8")
    assert load_profile(path) == profile


@pytest.mark.parametrize("name", ["black-friday", "capacity-probe", "flash-sale", "smoke"])
def test_default_scales_fit_a_laptop(name: str) -> None:
    schedule = Schedule.from_profile(load_profile(name).scaled())
    peak = max(segment.end_value for segment in schedule.segments)
    assert peak <= LAPTOP_MAX_USERS


def test_smoke_is_short_and_runs_every_behaviour() -> None:
    profile = load_profile("smoke").scaled()
    schedule = Schedule.from_profile(profile)
    assert schedule.duration_s <= 30
    assert set(profile.weights()) == {"browser", "shopper", "flash_buyer", "mobile_app"}
    peak = max(stage.users or 0 for stage in profile.stages)
    assert all(peak * weight >= 1 for weight in profile.weights().values())
    assert schedule.sale_opens_at_s is not None and 3 <= schedule.sale_opens_at_s <= 8


def test_flash_sale_reaches_120k_users_within_60s_of_doors_opening() -> None:
    schedule = Schedule.from_profile(load_profile("flash-sale"))
    opens = schedule.sale_opens_at_s
    assert opens is not None
    before = schedule.at(opens - 1)
    assert before is not None and before.intended_users == 5000
    assert before.phase == "baseline"
    at_open = schedule.at(opens)
    assert at_open is not None and at_open.phase == "doors-open"
    minute_later = schedule.at(opens + 60)
    assert minute_later is not None and minute_later.intended_users == 120_000
    sale = [p for p in schedule.plateaus if p.level == 120_000]
    assert sale and sale[0].end_s - sale[0].start_s == 600


def test_flash_sale_default_scales_finish_within_five_minutes() -> None:
    profile = load_profile("flash-sale")
    assert (profile.scale, profile.time_scale) == (0.005, 0.25)
    schedule = Schedule.from_profile(profile.scaled())
    assert schedule.duration_s < LAPTOP_WALL_S
    assert max(segment.end_value for segment in schedule.segments) == 600


@pytest.mark.parametrize("scaled", [False, True])
def test_capacity_probe_has_eight_or_more_increasing_plateaus(scaled: bool) -> None:
    profile: Profile = load_profile("capacity-probe")
    schedule = Schedule.from_profile(profile.scaled() if scaled else profile)
    plateaus = schedule.plateaus
    assert len(plateaus) >= 8
    levels = [plateau.level for plateau in plateaus]
    assert levels == sorted(set(levels))
    # long enough to trim 10 s of warm-up and keep 40 s of steady measurement
    assert min(p.end_s - p.start_s for p in plateaus) >= 50


def test_black_friday_runs_for_hours_in_waves() -> None:
    schedule = Schedule.from_profile(load_profile("black-friday"))
    assert schedule.duration_s >= 3 * 3600
    waves = [phase for phase in schedule.phases if phase.name.startswith("wave-")]
    assert len(waves) >= 3


def test_steady_is_an_open_model_with_a_long_hold() -> None:
    schedule = Schedule.from_profile(load_profile("steady"))
    assert schedule.model == "open"
    hold = max(schedule.plateaus, key=lambda p: p.end_s - p.start_s)
    assert hold.level == 200 and hold.end_s - hold.start_s == 20 * 60


def test_soak_holds_one_open_model_level_for_half_an_hour() -> None:
    profile = load_profile("soak")
    assert (profile.scale, profile.time_scale) == (1.0, 1.0)
    schedule = Schedule.from_profile(profile)
    assert schedule.model == "open" and schedule.duration_s == 30 * 60
    hold = max(schedule.plateaus, key=lambda p: p.end_s - p.start_s)
    assert hold.level == 6 and hold.end_s - hold.start_s == 29 * 60


def test_the_capacity_probe_pins_its_store_and_a_sale_rehearsal_shares_the_cores(
    tmp_path: Path,
) -> None:
    assert load_profile("capacity-probe").isolation == "pinned"
    assert load_profile("flash-sale").isolation == "shared"
    path = tmp_path / "probe.yaml"  # as the runner hands it to Locust: profile.yaml
    path.write_text(load_profile("capacity-probe").scaled().to_yaml(), encoding="utf-8")
    assert load_profile(str(path)).isolation == "pinned"
