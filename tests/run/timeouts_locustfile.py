"""Readers of items whose client gives up after 0.25 s (tests/run/test_timeouts.py)."""

from __future__ import annotations

from locust import task

from stampede import StampedeUser

CLIENT_TIMEOUT_S = 0.25


class Reader(StampedeUser):
    """Asks for items 1-40 by number; the server answers every fourth after its timeout."""

    network_timeout = CLIENT_TIMEOUT_S
    connection_timeout = CLIENT_TIMEOUT_S

    @task
    def item(self) -> None:
        self.client.get(f"/items/{self.rng.randint(1, 40)}", name="/items/[n]")
