"""Each bundled profile's throughput objective is its own intended load: the visits per
second its schedule intends at the peak (each visit sends at least one request), worked out
again here from the stages, the mix and the think times, as the profiles' comments do."""

from __future__ import annotations

import math

import pytest

from stampede.profiles import Profile, load_profile
from stampede.profiles._model import ExponentialThinkTime, ThinkTime

#: the bundled profiles with a throughput objective (smoke, capacity-probe and soak set none)
WITH_OBJECTIVE = ("flash-sale", "black-friday", "steady")


def _mean_think_s(think: ThinkTime) -> float:
    """The mean of a think time as drawn (an exponential capped at ``max_s`` is shorter)."""
    if isinstance(think, ExponentialThinkTime) and think.max_s is not None:
        return think.mean_s * (1 - math.exp(-think.max_s / think.mean_s))
    return think.mean_s


def intended_peak_visits_per_s(profile: Profile) -> float:
    """Visits a second at the schedule's peak: the arrival rate of an open model; for a
    closed one, each user starting a visit every mean think time (an upper bound: a
    visit's own requests take time too)."""
    if profile.model == "open":
        return max(stage.arrivals_per_s or 0.0 for stage in profile.stages)
    per_user = sum(b.weight / _mean_think_s(b.think_time) for b in profile.mix)
    return max(stage.users or 0 for stage in profile.stages) * per_user


def test_the_known_answer_of_the_flash_sale() -> None:
    # 0.35/5 + 0.2/3 + 0.3/(1 - e^-5) + 0.15/6.5 visits a shopper-second, 120,000 shoppers
    hand = 120_000 * (0.35 / 5 + 0.2 / 3 + 0.3 / (1 - math.exp(-5)) + 0.15 / 6.5)
    assert intended_peak_visits_per_s(load_profile("flash-sale")) == pytest.approx(hand)
    assert hand == pytest.approx(55_413, abs=1)


@pytest.mark.parametrize("name", WITH_OBJECTIVE)
def test_a_throughput_objective_is_the_profiles_intended_visit_rate(name: str) -> None:
    profile = load_profile(name)
    objective = profile.slos.min_throughput
    assert objective is not None, name
    visits = intended_peak_visits_per_s(profile)
    # rounded down by at most 5 %: reachable by a store that carries the load, and far
    # from trivial (the objective is at least as many requests as intended visits, less 5 %)
    assert 0.95 * visits <= objective <= visits, (name, objective, visits)


def test_the_objective_scales_with_the_profile() -> None:
    profile = load_profile("flash-sale")
    scaled = profile.scaled(profile.scale, profile.time_scale)
    assert scaled.slos.min_throughput == pytest.approx(55_000 * profile.scale)
    assert scaled.slos.min_throughput is not None
    assert scaled.slos.min_throughput <= intended_peak_visits_per_s(scaled)
