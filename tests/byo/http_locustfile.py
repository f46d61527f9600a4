"""Bazaar's shoppers on StampedeHttpUser (a requests session: cookies, auth=, files=), in a
locustfile that plain ``locust -f http_locustfile.py --headless`` runs as Stampede.

``Window.quote`` is a call of another protocol (a websocket's, say) timed by the task and
fired as Locust's request event with ``context=self.request_context()``, as
docs/own-store.md shows; its client is busy :data:`QUOTE_BUSY_S` before it sends, which
the corrected latency (from the task's intended start) includes and the uncorrected
(from the send) does not.
"""

from __future__ import annotations

import time

import gevent
from locust import events, task

from stampede import StampedeHttpUser
from stampede.scenarios import ProfileShape, install

install(events)  # Stampede's options, hooks and run directory

__all__ = ["Buyer", "ProfileShape", "Window"]
#: how long the quote's own client is busy before it sends
QUOTE_BUSY_S = 0.05


class Window(StampedeHttpUser):
    """Looks at single items."""

    @task
    def item(self) -> None:
        self.client.get(f"/goods/G-{self.rng.randint(1, 50)}", name="/goods/[sku]")

    @task
    def quote(self) -> None:
        context = self.request_context()  # the task's intended start, before the client waits
        gevent.sleep(QUOTE_BUSY_S)
        start = time.time()
        self.environment.events.request.fire(
            request_type="WS",
            name="quote",
            response_time=(time.time() - start) * 1000,
            response_length=0,
            exception=None,
            context=context,
            start_time=start,
        )


class Buyer(StampedeHttpUser):
    """Logs in, puts one of the hot item in the basket and pays (a 410 is an outcome)."""

    session = ""

    def on_start(self) -> None:
        answer = self.client.post(
            "/auth/token", data={"username": f"buyer{self.number}", "password": "open-sesame"}
        )
        self.session = str(answer.json().get("access", "")) if answer.status_code == 200 else ""

    @task
    def buy(self) -> None:
        headers = {"X-Session": self.session}
        self.client.post("/basket", json={"qty": 1}, headers=headers)
        if self.client.post("/basket/pay", headers=headers).status_code == 200:
            self.add_outcome("paid")
