"""One shopper's patience, and whether a wait it saw makes it abandon (docs/patience.md).

A shopper draws how long it will wait for a page, and how long once it holds a
cart (for the cart page and the checkout's answer), from the profile's
log-normal distributions, with a generator seeded from the run's seed and the
user's number: the same seed gives the same patience. A shopper that abandons
is gone; the virtual user's next visit is another shopper, with a patience of
its own. With ``patience: off`` nobody abandons.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stampede.core.outcomes import (
    ABANDONED_SLOW_CART,
    ABANDONED_SLOW_CHECKOUT,
    ABANDONED_SLOW_PAGE,
)
from stampede.profiles import Patience


def patience_rng(seed: int | None, number: int) -> random.Random:
    """The generator of user ``number``'s patience: its own stream, so drawing patience
    leaves the user's other random choices as they are with ``patience: off``."""
    return random.Random(None if seed is None else f"patience:{seed}:{number}")


@dataclass
class ShopperPatience:
    """The patience of the shopper a virtual user is now; ``model`` None: never abandons."""

    model: Patience | None
    rng: random.Random
    clock: Callable[[], float] = time.time
    page_s: float = field(init=False, default=math.inf)
    checkout_s: float = field(init=False, default=math.inf)

    def __post_init__(self) -> None:
        self.next_shopper()

    def next_shopper(self) -> None:
        """Another shopper takes the virtual user's place: draw its patience."""
        if self.model is not None:
            self.page_s = self.model.page.sample(self.rng)
            self.checkout_s = self.model.checkout.sample(self.rng)

    def page_abandoned(self, waited_s: float, *, has_cart: bool = False) -> str | None:
        """The outcome of leaving a page that took ``waited_s`` from its intended start,
        or None when the shopper waits it out (a cart in hand: the checkout patience)."""
        if has_cart:
            return ABANDONED_SLOW_CART if waited_s > self.checkout_s else None
        return ABANDONED_SLOW_PAGE if waited_s > self.page_s else None

    def checkout_abandoned(self, intended: float) -> str | None:
        """The outcome of not retrying a checkout clicked at ``intended`` whose failed
        answer came now, after the checkout patience; None while the shopper still waits."""
        return ABANDONED_SLOW_CHECKOUT if self.clock() - intended > self.checkout_s else None
