"""A profile's mix against a locustfile's user classes: what runs, what is refused, in one line."""

from __future__ import annotations

import pytest

from stampede.core.errors import ConfigError
from stampede.profiles import Profile, UniformThinkTime, UserBehaviour, load_profile
from stampede.traffic import UserClassInfo, check_mix

THINK = UniformThinkTime(0.1, 0.2)
CLASSES = (
    UserClassInfo("Window", True, "FastHttpUser"),
    UserClassInfo("Buyer", True, "FastHttpUser"),
    UserClassInfo("Legacy", False, "HttpUser"),
)


def _profile(model: str, **weights: float) -> Profile:
    base = load_profile("smoke" if model == "closed" else "steady")
    mix = tuple(UserBehaviour(name, w, THINK) for name, w in weights.items())
    profile = Profile(base.name, "", base.stages, mix)
    assert profile.model == model
    return profile


def test_stampede_users_named_in_the_mix_run() -> None:
    assert check_mix(_profile("closed", Window=0.5, Buyer=0.5), CLASSES, "f.py") == ()


def test_a_class_of_weight_zero_need_not_exist() -> None:
    profile = _profile("closed", Window=1.0, Ghost=0.0)
    assert check_mix(profile, CLASSES, "f.py") == ()


def test_an_unknown_class_names_the_file_and_what_exists() -> None:
    with pytest.raises(ConfigError) as error:
        check_mix(_profile("closed", Windows=1.0), CLASSES, "shop.py")
    assert str(error.value) == (
        "shop.py: the profile's mix names Windows, which is not a user class of this "
        "locustfile; did you mean Window? its user classes are: Buyer, Legacy, Window"
    )


def test_a_plain_user_runs_uncorrected_in_a_closed_model_only() -> None:
    closed = _profile("closed", Legacy=0.5, Window=0.5)
    assert check_mix(closed, CLASSES, "f.py") == ("Legacy",)
    with pytest.raises(ConfigError) as error:
        check_mix(_profile("open", Legacy=1.0), CLASSES, "shop.py")
    message = str(error.value)
    assert message.startswith(
        "shop.py: Legacy is a plain Locust HttpUser, not a stampede.StampedeUser (an "
        "open-model profile's arrivals need StampedeUser classes)"
    )
    assert "subclass StampedeUser (a FastHttpUser) or StampedeHttpUser" in message
