"""MobileApp: a token API client; now and then the app reconnects and fires a burst.

A reconnect (after a network change or a push) signs in again and refreshes
everything at once, with no think time: the burst a flash sale's push
notification sets off across thousands of phones. A product screen slower
than the user's patience makes it leave (docs/patience.md).
"""

from __future__ import annotations

import time

from locust import task

from stampede.scenarios._base import CatalogUser

RECONNECT_PROBABILITY = 0.1
APP_HEADERS = {"User-Agent": "StampedeMobile/1.0 (iOS)", "X-Client": "mobile-app"}


class MobileApp(CatalogUser):
    behaviour = "mobile_app"

    def on_start(self) -> None:
        self.ensure_catalog()
        self.log_in()

    def headers(self) -> dict[str, str]:
        return {**APP_HEADERS, **self.auth_headers()}

    @task
    def use_app(self) -> None:
        if self.token is None or self.rng.random() < RECONNECT_PROBABILITY:
            self.reconnect()
            return
        choice = self.rng.random()
        if choice < 0.5:  # the product screen: a slow one, and the user leaves the app
            opened = self.intended_or_now()
            self.view_product(self.ctx.catalog.random_product(self.rng), intended=opened)
            self.waited(time.time() - opened)
        elif choice < 0.7:
            flash = self.ctx.profile.flash
            sku = flash.sku if flash is not None else "FLASH-001"
            self.call("GET", f"/api/v1/stock/{sku}", "/api/v1/stock/[sku]", headers=self.headers())
        elif choice < 0.85:
            self.call("GET", "/api/v1/cart", "/api/v1/cart", headers=self.headers())
        else:
            self.call("GET", "/api/v1/orders", "/api/v1/orders", headers=self.headers())

    def reconnect(self) -> None:
        """Sign in again and refresh every screen at once."""
        self.log_in()
        for path, name in (
            ("/api/v1/categories", "/api/v1/categories"),
            ("/api/v1/products?page=1&per_page=20", "/api/v1/products"),
            ("/api/v1/cart", "/api/v1/cart"),
            ("/api/v1/orders", "/api/v1/orders"),
        ):
            self.call("GET", path, name, headers=self.headers())
