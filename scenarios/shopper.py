"""Shopper: signs in, views product pages, fills a cart and checks out with an Idempotency-Key.

A checkout that gets no answer (a timeout) or a 503 is retried with the
*same* key, as a real client must, so a retry can never buy twice.
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
        self.product_page(product)
        if self.rng.random() < 0.5:
            self.product_page(catalog.random_product(self.rng))
        if not self.add_to_cart(product, self.rng.randint(1, 2)):
            return
        self.cart_page()
        self.checkout()
