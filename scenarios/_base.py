"""The reference store's users: what every bundled behaviour (Browser, Shopper, …) shares.

They are :class:`~stampede.scenarios.StampedeUser` classes like any of
yours, written for the reference store's API (``/api/v1/...``): ``call``
sends one request and judges it by the statuses the store answers with
(201 for a created cart item, say); the answers the store's description
calls business outcomes — 409 sold out, 402 declined, 429 rate limited —
are not failures, and a 429 is honoured by waiting out ``Retry-After``
before trying again, measured from the first attempt's intended start.

Each shopper has a patience (``stampede.traffic.ShopperPatience``, the profile's
``patience``): a page view slower than it ends the visit, a cart page or a
failed checkout slower than its checkout patience ends the cart, each counted
as an ``abandoned_slow_*`` outcome (docs/patience.md).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import gevent

from stampede.scenarios._page import ApiCall, PageLoad
from stampede.scenarios._user import StampedeUser
from stampede.traffic import INTENDED_KEY, ShopperPatience, json_list, json_object, retry_after

MAX_RATE_LIMIT_RETRIES = 3
#: a checkout that got no answer (or a 503) is sent again this many times, same key
CHECKOUT_RETRIES = 2


class ReferenceUser(StampedeUser):
    """A user of the reference store's API."""

    abstract = True
    token: str | None = None

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.patience: ShopperPatience = self.ctx.patience(self.number)

    def waited(self, seconds: float, *, has_cart: bool = False) -> bool:
        """Whether the shopper waited out a page (or screen) of ``seconds``; if not, it
        abandoned the visit (or its cart), counted now, and the next visit is another's."""
        outcome = self.patience.page_abandoned(seconds, has_cart=has_cart)
        if outcome is not None:
            self.abandon(outcome)
        return outcome is None

    def stays(self, page: PageLoad, *, has_cart: bool = False) -> bool:
        """Whether the shopper waited out ``page``, timed from its intended start."""
        return self.waited(page.seconds, has_cart=has_cart)

    def abandon(self, outcome: str) -> None:
        self.ctx.measurements.outcomes.add(outcome, time.time())
        self.patience.next_shopper()

    def intended_or_now(self) -> float:
        """The task's intended start when this is its first request, else now."""
        intended = self.take_intended()
        return time.time() if intended is None else intended

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(
        self,
        method: str,
        path: str,
        name: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
        intended: float | None = None,
    ) -> Any:
        """One request judged by ``ok``; returns the response (status 0 on no answer).

        It is measured from ``intended``, else from the task's intended start when it is
        the task's first request, else from now.
        """
        if intended is None:  # retries are measured from the first attempt
            intended = self.intended_or_now()
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            with self.client.request(
                method,
                path,
                name=name,
                json=json,
                headers=dict(headers or {}),
                catch_response=True,
                context={INTENDED_KEY: intended},
            ) as response:
                self._judge(response, ok)
            if response.status_code != 429 or attempt == MAX_RATE_LIMIT_RETRIES:
                return response
            gevent.sleep(retry_after(response))
        return response

    def _judge(self, response: Any, ok: tuple[int, ...]) -> None:
        status = int(response.status_code or 0)
        rule = self.ctx.target.outcome_of(status, lambda: str(response.text or ""))
        if status in ok or (rule is not None and not rule.failure):
            response.success()
        elif status == 0:
            response.failure(f"no answer: {response.error!r}"[:200])
        else:
            code = str(json_object(response).get("error", ""))
            response.failure(f"HTTP {status} {code}".strip())

    def log_in(self) -> bool:
        response = self.call(
            "POST",
            "/api/v1/sessions",
            "/api/v1/sessions",
            ok=(201,),
            json={"email": self.ctx.shopper_email(self.number), "password": "stampede-shopper"},
        )
        if response.status_code != 201:
            return False
        self.token = json_object(response).get("token")
        self.ctx.measurements.outcomes.add("logged_in", time.time())
        return self.token is not None


class CatalogUser(ReferenceUser):
    """A user that browses: knows the catalog and the flash product."""

    abstract = True

    def ensure_catalog(self) -> None:
        catalog = self.ctx.catalog
        if not catalog.known:
            catalog.learn_categories(
                json_list(self.call("GET", "/api/v1/categories", "/api/v1/categories"))
            )

    def flash_product(self) -> int | None:
        catalog, flash = self.ctx.catalog, self.ctx.profile.flash
        if catalog.flash_product_id is None and flash is not None:
            response = self.call("GET", f"/api/v1/search?q={flash.sku}", "/api/v1/search")
            catalog.learn_flash(json_object(response), flash.sku)
        return catalog.flash_product_id

    def view_product(self, product_id: int, intended: float | None = None) -> Any:
        """The product's API call alone (an app's screen; a browser's page is product_page)."""
        response = self.call(
            "GET", f"/api/v1/products/{product_id}", "/api/v1/products/[id]", intended=intended
        )
        if response.status_code == 200:
            self.ctx.measurements.outcomes.add("viewed_product", time.time())
        return response

    def cart_call(self) -> list[ApiCall]:
        """The cart's call a signed-in page makes (the header's item count); none signed out."""
        if self.token is None:
            return []
        return [ApiCall("/api/v1/cart", "/api/v1/cart", self.auth_headers())]

    def product_page(self, product_id: int) -> PageLoad:
        """The product page: the product and the cart, then its stock and more of its
        category (which need the product's SKU and category)."""
        with PageLoad(self, "product", f"/p/{product_id}", "/p/[id]") as page:
            product = page.fetch(
                ApiCall(f"/api/v1/products/{product_id}", "/api/v1/products/[id]"),
                *self.cart_call(),
            )[0]
            if product is not None and product.status_code == 200:
                self.ctx.measurements.outcomes.add("viewed_product", time.time())
                body = json_object(product)
                page.fetch(
                    ApiCall(f"/api/v1/stock/{body.get('sku', '')}", "/api/v1/stock/[sku]"),
                    ApiCall(
                        f"/api/v1/products?category={body.get('category_id', '')}"
                        "&page=1&per_page=4",
                        "/api/v1/products?category=[id]",
                    ),
                )
        return page

    def cart_page(self) -> PageLoad:
        """The cart page: the document and the cart."""
        with PageLoad(self, "cart", "/cart", "/cart") as page:
            page.fetch(*self.cart_call())
        return page

    def add_to_cart(self, product_id: int, quantity: int = 1) -> bool:
        response = self.call(
            "POST",
            "/api/v1/cart/items",
            "/api/v1/cart/items",
            ok=(201,),
            json={"product_id": product_id, "quantity": quantity},
            headers=self.auth_headers(),
        )
        if response.status_code == 201:
            self.ctx.measurements.outcomes.add("added_to_cart", time.time())
        return bool(response.status_code == 201)

    def checkout(self) -> None:
        """Check out the cart once per key; no answer or a 503 is retried with the same key,
        unless it came after the shopper's checkout patience (it abandons the cart)."""
        key = uuid.uuid4().hex
        outcomes = self.ctx.measurements.outcomes
        outcomes.add("checkout_attempted", time.time())
        clicked = self.intended_or_now()
        for attempt in range(CHECKOUT_RETRIES + 1):
            response = self.call(
                "POST",
                "/api/v1/checkout",
                "/api/v1/checkout",
                ok=(201,),
                headers={**self.auth_headers(), "Idempotency-Key": key},
                intended=clicked if attempt == 0 else None,
            )
            if response.status_code == 201:
                outcomes.add("order_paid", time.time())
                return
            if response.status_code not in (0, 503) or attempt == CHECKOUT_RETRIES:
                return
            gone = self.patience.checkout_abandoned(clicked)
            if gone is not None:
                self.abandon(gone)
                return
            outcomes.add("checkout_retried", time.time())
