"""Bazaar's shoppers, written as a newcomer would: plain Locust tasks on StampedeUser."""

from __future__ import annotations

from locust import task

from stampede import StampedeUser


class Window(StampedeUser):
    """Looks at pages of goods and at single items."""

    @task(2)
    def page(self) -> None:
        self.client.get(f"/goods?page={self.rng.randint(1, 5)}", name="/goods?page=[n]")

    @task(3)
    def item(self) -> None:
        self.client.get(f"/goods/G-{self.rng.randint(1, 50)}", name="/goods/[sku]")


class Buyer(StampedeUser):
    """Logs in with a form, puts one to three of the hot item in the basket and pays."""

    session = ""

    def on_start(self) -> None:
        answer = self.client.post(
            "/auth/token",
            data=f"username=buyer{self.number}&password=open-sesame",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.session = str(answer.json().get("access", "")) if answer.status_code == 200 else ""

    @task
    def buy(self) -> None:
        headers = {"X-Session": self.session}
        self.client.post("/basket", json={"qty": self.rng.choice((1, 1, 2, 3))}, headers=headers)
        with self.client.post("/basket/pay", headers=headers, catch_response=True) as answer:
            if answer.status_code == 200:
                self.add_outcome("paid")
                answer.success()
            elif self.outcome_of(answer) is not None:  # gone or over the limit: the shop works
                answer.success()
