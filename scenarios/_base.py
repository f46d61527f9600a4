"""The instrumented user every Stampede behaviour extends.

Each task's first request starts on the user's schedule (its *intended*
time); its latency is recorded from then (corrected) and from the actual send
(uncorrected). Expected business answers — 409 sold out, 402 declined, 429
rate limited — are counted as outcomes, not failures; a 429 is honoured by
waiting out ``Retry-After`` before trying again.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

import gevent
from locust import FastHttpUser
from locust.exception import StopUser

from stampede.profiles import Behaviour
from stampede.traffic import TrafficContext, classify, json_list, json_object, retry_after

MAX_RATE_LIMIT_RETRIES = 3
#: a checkout that got no answer (or a 503) is sent again this many times, same key
CHECKOUT_RETRIES = 2


class StampedeUser(FastHttpUser):
    abstract = True
    behaviour: ClassVar[Behaviour]
    network_timeout = 10.0
    connection_timeout = 5.0

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.ctx: TrafficContext = environment.stampede
        self.number = self.ctx.next_user_number()
        self.rng = self.ctx.rng(self.number)
        self.pacer = self.ctx.pacer(self.behaviour, self.rng)
        self.token: str | None = None
        self._intended: float | None = None

    def wait_time(self) -> float:
        pause = self.pacer.wait()
        if pause is None:
            raise StopUser()
        self._intended = self.pacer.next_intended
        return pause

    # -- requests -------------------------------------------------------

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
    ) -> Any:
        """One request with outcome accounting; returns the response (status 0 on no answer)."""
        intended = self._take_intended()
        for attempt in range(MAX_RATE_LIMIT_RETRIES + 1):
            response = self._send(method, path, name, intended, json, headers, ok)
            if response.status_code != 429 or attempt == MAX_RATE_LIMIT_RETRIES:
                return response
            gevent.sleep(retry_after(response))
        return response

    def _take_intended(self) -> float:
        now = time.time()
        intended, self._intended = self._intended, None
        if intended is None:
            return now
        self.ctx.measurements.arrivals.record_sent(intended, now)
        return min(intended, now)

    def _send(
        self,
        method: str,
        path: str,
        name: str,
        intended: float,
        json: Any,
        headers: Mapping[str, str] | None,
        ok: tuple[int, ...],
    ) -> Any:
        measurements = self.ctx.measurements
        sent = time.time()
        with self.client.request(
            method, path, name=name, json=json, headers=dict(headers or {}), catch_response=True
        ) as response:
            done = time.time()
            outcome, failure = classify(response, ok)
            if failure is None:
                response.success()
            else:
                response.failure(failure)
            if outcome is not None:
                measurements.outcomes.add(outcome, done)
        measurements.record(f"{method} {name}", intended, sent, done)
        return response

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


class CatalogUser(StampedeUser):
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

    def view_product(self, product_id: int) -> Any:
        response = self.call("GET", f"/api/v1/products/{product_id}", "/api/v1/products/[id]")
        if response.status_code == 200:
            self.ctx.measurements.outcomes.add("viewed_product", time.time())
        return response

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
        """Check out the cart once per key; no answer or a 503 is retried with the same key."""
        key = uuid.uuid4().hex
        outcomes = self.ctx.measurements.outcomes
        outcomes.add("checkout_attempted", time.time())
        for attempt in range(CHECKOUT_RETRIES + 1):
            if attempt:
                outcomes.add("checkout_retried", time.time())
            response = self.call(
                "POST",
                "/api/v1/checkout",
                "/api/v1/checkout",
                ok=(201,),
                headers={**self.auth_headers(), "Idempotency-Key": key},
            )
            if response.status_code == 201:
                outcomes.add("order_paid", time.time())
                return
            if response.status_code not in (0, 503):
                return
