"""The known-answer target's one shopper: a StampedeUser that asks the M/M/c server for work."""

from __future__ import annotations

from locust import task

from stampede import StampedeUser


class Client(StampedeUser):
    """One request per arrival: ``GET /work``, which holds one of the c slots for S on average."""

    @task
    def work(self) -> None:
        self.client.get("/work")
