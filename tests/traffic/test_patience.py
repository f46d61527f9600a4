"""A shopper's abandon decisions, on a fake clock: pages, cart pages, checkouts, off."""

from __future__ import annotations

import random

import pytest

from stampede.core.outcomes import (
    ABANDONED_SLOW_CART,
    ABANDONED_SLOW_CHECKOUT,
    ABANDONED_SLOW_PAGE,
)
from stampede.profiles import LogNormalWait, Patience
from stampede.traffic import ShopperPatience, patience_rng
from tests.traffic.conftest import FakeClock

#: sigma small enough that every draw is within 1 % of the median
NARROW = Patience(page=LogNormalWait(2.0, 0.001), checkout=LogNormalWait(8.0, 0.001))


def _shopper(clock: FakeClock, model: Patience | None = NARROW) -> ShopperPatience:
    return ShopperPatience(model, random.Random(1), clock)


@pytest.mark.parametrize(
    ("waited", "has_cart", "outcome"),
    [
        (1.9, False, None),
        (2.1, False, ABANDONED_SLOW_PAGE),
        (2.1, True, None),  # a cart in hand: the checkout's patience
        (7.9, True, None),
        (8.1, True, ABANDONED_SLOW_CART),
    ],
)
def test_a_page_is_judged_by_its_wait(waited: float, has_cart: bool, outcome: str | None) -> None:
    assert _shopper(FakeClock()).page_abandoned(waited, has_cart=has_cart) == outcome


def test_a_failed_checkout_is_retried_only_within_the_checkout_patience() -> None:
    clock = FakeClock(100.0)
    shopper = _shopper(clock)
    clicked = clock()
    clock.advance(5.0)  # a 503 after 5 s: still waiting, it tries again
    assert shopper.checkout_abandoned(clicked) is None
    clock.advance(3.5)  # no answer 8.5 s after the click: it leaves
    assert shopper.checkout_abandoned(clicked) == ABANDONED_SLOW_CHECKOUT


def test_off_never_abandons() -> None:
    clock = FakeClock()
    shopper = _shopper(clock, None)
    assert shopper.page_abandoned(1e6) is None
    assert shopper.page_abandoned(1e6, has_cart=True) is None
    clock.advance(1e6)
    assert shopper.checkout_abandoned(0.0) is None


def test_the_next_shopper_draws_its_own_patience_and_the_seed_repeats_it() -> None:
    model = Patience()
    one = ShopperPatience(model, patience_rng(42, 3))
    again = ShopperPatience(model, patience_rng(42, 3))
    other = ShopperPatience(model, patience_rng(42, 4))
    assert (one.page_s, one.checkout_s) == (again.page_s, again.checkout_s)
    assert one.page_s != other.page_s
    first = one.page_s
    one.next_shopper()
    assert one.page_s != first
    # a stream of its own: the user's other random choices stay as with patience off
    assert patience_rng(42, 3).random() != random.Random(42 * 1_000_003 + 3).random()
