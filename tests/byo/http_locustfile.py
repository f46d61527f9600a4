"""Bazaar's shoppers on StampedeHttpUser (a requests session: cookies, auth=, files=), in a
locustfile that plain ``locust -f http_locustfile.py --headless`` runs as Stampede."""

from __future__ import annotations

from locust import events, task

from stampede import StampedeHttpUser
from stampede.scenarios import ProfileShape, install

install(events)  # Stampede's options, hooks and run directory

__all__ = ["Buyer", "ProfileShape", "Window"]


class Window(StampedeHttpUser):
    """Looks at single items."""

    @task
    def item(self) -> None:
        self.client.get(f"/goods/G-{self.rng.randint(1, 50)}", name="/goods/[sku]")


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
