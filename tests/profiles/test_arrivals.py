"""The open model's intended arrivals against hand-computed ramps."""

from __future__ import annotations

import itertools
import math
import re
import statistics

import pytest
import yaml

from stampede.core.errors import ConfigError
from stampede.profiles import Schedule
from tests.profiles.conftest import MakeProfile, valid


def _open(
    make_profile: MakeProfile, stages: list[dict[str, object]], arrivals: str | None = None
) -> Schedule:
    data = valid()
    data["stages"] = stages
    data["flash"] = None
    if arrivals is not None:
        data["arrivals"] = arrivals
    return Schedule.from_profile(make_profile(data))


@pytest.fixture
def ramp(make_profile: MakeProfile) -> Schedule:
    # rate(t) = t for t in [0, 10); then 10/s for 5 s; then 10→0 over 4 s
    return _open(
        make_profile,
        [
            {"duration": "10s", "arrivals_per_s": 10, "phase": "ramp"},
            {"duration": "5s", "arrivals_per_s": 10, "phase": "hold"},
            {"duration": "4s", "arrivals_per_s": 0, "phase": "down"},
        ],
    )


@pytest.mark.parametrize(
    ("t0", "t1", "expected"),
    [
        (0, 10, 50),  # ∫0^10 t dt
        (0, 4, 8),  # 4²/2
        (4, 10, 42),
        (8, 12, 38),  # (100 - 64)/2 + 2·10
        (10, 15, 50),
        (15, 19, 20),  # triangle 10·4/2
        (17, 19, 5),  # rate 5→0 over 2 s
        (0, 19, 120),
        (5, 5, 0),
        (-3, 100, 120),  # clipped to the run
    ],
)
def test_intended_arrivals_known_answers(
    ramp: Schedule, t0: float, t1: float, expected: float
) -> None:
    assert ramp.intended_arrivals(t0, t1) == pytest.approx(expected)


def test_intended_rate_at(ramp: Schedule) -> None:
    rates = [ramp.at(t).arrivals_per_s for t in (0, 2.5, 9.99, 12, 17)]  # type: ignore[union-attr]
    assert rates == pytest.approx([0, 2.5, 9.99, 10, 5])


def test_intended_arrivals_rejects_reversed_interval(ramp: Schedule) -> None:
    with pytest.raises(ValueError, match="must not be before"):
        ramp.intended_arrivals(5, 4)


def test_even_arrivals_follow_the_inverse_of_the_cumulative_rate(ramp: Schedule) -> None:
    times = list(ramp.arrival_times())
    assert len(times) == 120
    # on the ramp the k-th arrival is where t²/2 = k
    assert times[:50] == pytest.approx([math.sqrt(2 * k) for k in range(50)])
    # on the hold, one every 0.1 s from t = 10
    assert times[50:100] == pytest.approx([10 + 0.1 * k for k in range(50)])
    # on the ramp down, where 10τ - 5τ²/4 = k - 100
    assert times[100] == pytest.approx(15)
    assert times == sorted(times)
    assert times[-1] < ramp.duration_s


@pytest.mark.parametrize(("t0", "t1"), [(0, 3), (3, 9), (8, 12), (9.5, 17), (14, 19)])
def test_even_arrivals_count_matches_the_integral(ramp: Schedule, t0: float, t1: float) -> None:
    times = list(ramp.arrival_times())
    count = sum(t0 <= t < t1 for t in times)
    assert abs(count - ramp.intended_arrivals(t0, t1)) <= 1


def test_poisson_arrivals_are_reproducible_and_near_the_integral(make_profile: MakeProfile) -> None:
    schedule = _open(
        make_profile,
        [
            {"duration": "1m", "arrivals_per_s": 200, "phase": "ramp"},
            {"duration": "2m", "arrivals_per_s": 200, "phase": "hold"},
        ],
        arrivals="poisson",
    )
    first = list(schedule.arrival_times(seed=7))
    assert first == list(schedule.arrival_times(seed=7))
    assert first != list(schedule.arrival_times(seed=8))
    assert first == sorted(first)
    expected = schedule.intended_arrivals(0, schedule.duration_s)  # 6000 + 24000
    assert expected == pytest.approx(30_000)
    assert abs(len(first) - expected) < 5 * math.sqrt(expected)
    in_ramp = sum(t < 60 for t in first)
    assert abs(in_ramp - 6_000) < 5 * math.sqrt(6_000)


@pytest.mark.parametrize("arrivals", [None, "even"])
def test_a_seed_does_not_turn_even_arrivals_into_poisson(
    make_profile: MakeProfile, arrivals: str | None
) -> None:
    schedule = _open(
        make_profile,
        [
            {"duration": "1s", "arrivals_per_s": 5, "phase": "ramp"},
            {"duration": "2s", "arrivals_per_s": 5, "phase": "hold"},
        ],
        arrivals,
    )
    # the ramp 0→5/s intends 2.5 arrivals by t = 1 (k at √(k/2.5)); then one every 0.2 s
    even = [math.sqrt(k / 2.5) for k in range(3)] + [1.1 + 0.2 * k for k in range(10)]
    assert list(schedule.arrival_times()) == pytest.approx(even)
    assert list(schedule.arrival_times(seed=7)) == pytest.approx(even)


def test_poisson_arrivals_without_a_seed_are_poisson_too(make_profile: MakeProfile) -> None:
    schedule = _open(
        make_profile,
        [
            {"duration": "1s", "arrivals_per_s": 50, "phase": "ramp"},
            {"duration": "100s", "arrivals_per_s": 50, "phase": "hold"},
        ],
        arrivals="poisson",
    )
    held = [t for t in schedule.arrival_times() if t >= 1.0]
    gaps = [b - a for a, b in itertools.pairwise(held)]
    # exponential gaps of mean 1/50 s: their spread equals their mean (even gaps have none)
    mean = statistics.fmean(gaps)
    assert mean == pytest.approx(0.02, rel=0.05)
    assert statistics.stdev(gaps) == pytest.approx(mean, rel=0.15)


def test_zero_rate_stretches_have_no_arrivals(make_profile: MakeProfile) -> None:
    schedule = _open(
        make_profile,
        [
            {"duration": "5s", "arrivals_per_s": 0, "phase": "quiet"},
            {"duration": "5s", "arrivals_per_s": 0, "phase": "quiet"},
            {"duration": "1s", "arrivals_per_s": 4, "phase": "burst"},
        ],
    )
    # a 0→4 ramp over [10, 11): cumulative 2(t - 10)², two arrivals
    assert list(schedule.arrival_times()) == pytest.approx([10, 10 + math.sqrt(0.5)])


def test_time_at_arrivals_inverts_the_cumulative_rate() -> None:
    from stampede.profiles import Schedule, load_profile

    schedule = Schedule.from_profile(load_profile("steady").scaled(1.0, 1.0))
    for t in (1.0, 30.0, 299.0, 600.0, 1500.0, 1700.0):
        amount = schedule.intended_arrivals(0.0, t)
        back = schedule.time_at_arrivals(amount)
        assert back is not None and abs(back - t) < 1e-6 * max(1.0, t)
    total = schedule.intended_arrivals(0.0, schedule.duration_s)
    assert schedule.time_at_arrivals(total + 1) is None


_HOLD = [{"duration": "10s", "arrivals_per_s": 20, "phase": "hold"}]


@pytest.mark.parametrize(
    ("written", "read"), [(None, "even"), ("even", "even"), ("poisson", "poisson")]
)
def test_an_open_profile_says_how_its_arrivals_are_spaced(
    make_profile: MakeProfile, written: str | None, read: str
) -> None:
    data = valid()
    data["stages"], data["flash"] = _HOLD, None
    if written is not None:
        data["arrivals"] = written
    profile = make_profile(data)
    assert profile.arrivals == read and Schedule.from_profile(profile).arrivals == read
    again = yaml.safe_load(profile.to_yaml())
    assert again["arrivals"] == read


@pytest.mark.parametrize(
    ("stages", "value", "words"),
    [
        (_HOLD, "random", "arrivals: random is not allowed; expected even (evenly spaced"),
        (None, "poisson", "expected no arrivals on a closed-model profile"),
    ],
)
def test_bad_arrivals_are_one_line(
    make_profile: MakeProfile, stages: list[dict[str, object]] | None, value: str, words: str
) -> None:
    data = valid()
    if stages is not None:
        data["stages"], data["flash"] = stages, None
    data["arrivals"] = value
    with pytest.raises(ConfigError, match=re.escape(words)) as caught:
        make_profile(data)
    assert "\n" not in str(caught.value)
