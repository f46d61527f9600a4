"""bench/memory_per_user.py: each bundled profile cut to the length asked for."""

from __future__ import annotations

import pytest

from bench.memory_per_user import PROFILES, _time_scale
from stampede.profiles import Schedule, load_profile


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_is_cut_to_about_the_seconds_asked(profile: str) -> None:
    length = Schedule.from_profile(load_profile(profile)).duration_s
    scale = _time_scale(profile, 90.0)
    assert 0 < scale <= 1
    assert length * scale == pytest.approx(min(90.0, length))
