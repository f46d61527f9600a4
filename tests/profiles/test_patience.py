"""The shoppers' patience: its distributions' known answers, and the profile key that sets it."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from stampede.profiles import (
    LogNormalWait,
    Patience,
    available_profiles,
    load_profile,
    profile_from_yaml,
)
from tests.profiles.conftest import MakeProfile, WriteProfile, valid

PAGE, CHECKOUT = Patience().page, Patience().checkout


@pytest.mark.parametrize(
    ("wait", "share", "seconds"),
    [
        # docs/patience.md's table: median * exp(sigma * z), z the normal quantile
        (PAGE, 0.10, 1.58),
        (PAGE, 0.25, 2.14),
        (PAGE, 0.50, 3.00),
        (PAGE, 0.75, 4.20),
        (PAGE, 0.90, 5.69),
        (CHECKOUT, 0.10, 5.27),
        (CHECKOUT, 0.50, 10.00),
        (CHECKOUT, 0.90, 18.98),
    ],
)
def test_the_quantiles_the_doc_states(wait: LogNormalWait, share: float, seconds: float) -> None:
    assert wait.quantile(share) == pytest.approx(seconds, abs=0.005)
    assert wait.cdf(wait.quantile(share)) == pytest.approx(share)


def test_the_page_patience_reproduces_the_cited_abandonment() -> None:
    # Akamai 2017 / Google 2016: 53 % of mobile visits abandoned beyond 3 s; half give up by 3 s
    assert PAGE.cdf(3.0) == pytest.approx(0.53, abs=0.05)
    # Nah 2004: about 2 s tolerable; four in five shoppers wait 2 s out
    assert 1 - PAGE.cdf(2.0) == pytest.approx(0.79, abs=0.01)
    # Google/SOASTA 2017: bounce +32 % at 3 s, +90 % at 5 s, +123 % at 10 s against 1 s;
    # with the 47 % of bounces a fast page has too, patience gives +54 %, +93 %, +109 %
    base = 0.468

    def bounce(t: float) -> float:
        return base + (1 - base) * PAGE.cdf(t)

    rises = [bounce(t) / bounce(1.0) - 1 for t in (3.0, 5.0, 10.0)]
    assert rises == pytest.approx([0.54, 0.93, 1.09], abs=0.01)
    assert [abs(r - c) for r, c in zip(rises, (0.32, 0.90, 1.23), strict=True)] < [0.25] * 3
    # a healthy store's page (200 ms) loses nobody; the checkout waits longer than a page
    assert PAGE.cdf(0.2) < 1e-4
    assert CHECKOUT.cdf(5.0) < PAGE.cdf(5.0)


@pytest.mark.parametrize("wait", [PAGE, CHECKOUT])
def test_draws_follow_the_distribution(wait: LogNormalWait) -> None:
    rng = random.Random(11)
    draws = sorted(wait.sample(rng) for _ in range(20_000))
    for share in (0.1, 0.5, 0.9):
        assert draws[int(share * len(draws))] == pytest.approx(wait.quantile(share), rel=0.03)
    # the same seed, the same shoppers
    first, second = random.Random(5), random.Random(5)
    assert [wait.sample(first) for _ in range(5)] == [wait.sample(second) for _ in range(5)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (False, None),  # YAML's bare off
        ("off", None),
        (True, Patience()),  # YAML's bare on
        ("on", Patience()),
        ({"page": {"median": "2s", "sigma": 0.4}}, Patience(page=LogNormalWait(2.0, 0.4))),
        (
            {"checkout": {"median": "15s", "sigma": 1}},
            Patience(checkout=LogNormalWait(15.0, 1.0)),
        ),
    ],
)
def test_the_patience_key(make_profile: MakeProfile, value: Any, expected: Patience | None) -> None:
    data = valid()
    if value is not None:
        data["patience"] = value
    profile = make_profile(data)
    assert profile.patience == expected
    # the profile as run (what the master sends its workers) keeps it
    assert profile_from_yaml(profile.to_yaml(), "again").patience == expected


def test_bare_on_and_off_in_yaml(write_profile: WriteProfile) -> None:
    text = Path(write_profile(valid())).read_text(encoding="utf-8")
    assert load_profile(write_profile(text + "patience: on\n")).patience == Patience()
    assert load_profile(write_profile(text + "patience: off\n")).patience is None


def test_the_bundled_defaults() -> None:
    on = {name for name in available_profiles() if load_profile(name).patience is not None}
    assert on == {"flash-sale"}
    assert load_profile("flash-sale").patience == Patience()
