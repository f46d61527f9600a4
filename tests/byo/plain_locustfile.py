"""Bazaar's shoppers as plain Locust users (a FastHttpUser and an HttpUser), not StampedeUser:
what a newcomer's existing locustfile looks like before they change a line."""

from __future__ import annotations

import random

from locust import FastHttpUser, HttpUser, task


class Window(FastHttpUser):
    """Looks at pages of goods."""

    @task
    def page(self) -> None:
        self.client.get(f"/goods?page={random.randint(1, 5)}", name="/goods?page=[n]")


class Buyer(HttpUser):
    """Logs in with a form, puts one of the hot item in the basket and pays."""

    session = ""

    def on_start(self) -> None:
        answer = self.client.post(
            "/auth/token", data={"username": f"plain{id(self)}", "password": "open-sesame"}
        )
        self.session = str(answer.json().get("access", "")) if answer.status_code == 200 else ""

    @task
    def buy(self) -> None:
        headers = {"X-Session": self.session}
        self.client.post("/basket", json={"qty": 1}, headers=headers)
        with self.client.post("/basket/pay", headers=headers, catch_response=True) as answer:
            if answer.status_code in (200, 410):  # paid, or sold out: the shop works
                answer.success()
