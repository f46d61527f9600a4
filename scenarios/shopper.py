"""Shopper: signs in, views product pages, fills a cart and checks out with an Idempotency-Key.

A checkout that gets no answer (a timeout) or a 503 is retried with the
*same* key, as a real client must, so a retry can never buy twice. A page
slower than the shopper's patience ends the visit there; a slow cart page,
or a failed checkout past its checkout patience, abandons the cart.
"""

from __future__ import annotations

from locust import task

from stampede.scenarios._base import CatalogUser


class Shopper(CatalogUser):
    behaviour = "shopper"

    def on_start(self) -> None:
        self.ensure_catalog()
        self.log_in()

    @task
    def shop(self) -> None:
        if self.token is None and not self.log_in():
            return
        catalog = self.ctx.catalog
        product = catalog.random_product(self.rng)
        if not self.stays(self.product_page(product)):
            return
        if self.rng.random() < 0.5 and not self.stays(
            self.product_page(catalog.random_product(self.rng))
        ):
            return
        if not self.add_to_cart(product, self.rng.randint(1, 2)):
            return
        if not self.stays(self.cart_page(), has_cart=True):
            return
        self.checkout()
