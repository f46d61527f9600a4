"""FlashBuyer: waits for the doors, then rushes the flash SKU.

Before the sale it reloads the flash product's page (the product and its stock); at the opening it
adds it to the cart and checks out at once. A 409 sold out or limit reached
is the sale's expected end for most buyers; a 429 is honoured by waiting out
``Retry-After`` (in ``call``); a checkout with no answer is retried with the
same Idempotency-Key, unless it came after the buyer's checkout patience.
Afterwards the buyer lingers, watching the stock.
"""

from __future__ import annotations

import time

from locust import task

from stampede.scenarios._base import CatalogUser

#: buyers spread their first click over this many seconds after the opening
RUSH_JITTER_S = 0.5


class FlashBuyer(CatalogUser):
    behaviour = "flash_buyer"

    def on_start(self) -> None:
        self.ensure_catalog()
        self.log_in()
        self.done = False

    def wait_time(self) -> float:
        pause = super().wait_time()
        opens = self.ctx.sale_opens_at()
        now = time.time()
        if not self.done and opens is not None and now < opens < now + pause:
            pause = opens - now + self.rng.uniform(0, RUSH_JITTER_S)
            self._intended = now + pause
        return pause

    @task
    def flash(self) -> None:
        product = self.flash_product()
        flash = self.ctx.profile.flash
        if product is None or flash is None:
            self.stays(self.product_page(self.ctx.catalog.random_product(self.rng)))
            return
        opens = self.ctx.sale_opens_at()
        if self.done or (opens is not None and time.time() < opens):
            # the product and its stock: the page a buyer reloads (a slow one, it leaves)
            self.stays(self.product_page(product))
            return
        self.rush(product)

    def rush(self, product: int) -> None:
        if self.token is None and not self.log_in():
            return
        if not self.add_to_cart(product):
            return
        self.checkout()
        self.done = True
