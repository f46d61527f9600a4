"""Bare Locust hitting one trivial endpoint as fast as it can: the baseline of
``bench/generator.py overhead``, with none of Stampede's hooks installed."""

from __future__ import annotations

from locust import FastHttpUser, constant, task


class Bare(FastHttpUser):
    wait_time = constant(0)

    @task
    def hit(self) -> None:
        self.client.get("/", name="/")
