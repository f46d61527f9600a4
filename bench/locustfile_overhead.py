"""Stampede's user hitting one trivial endpoint as fast as it can (bare Locust's: locustfile_bare).

Used by ``bench/generator.py``; pick one class on Locust's command line.
"""

from __future__ import annotations

from locust import events, task

from stampede.scenarios import ProfileShape, StampedeUser, install  # noqa: F401  (the shape)

install(events)


class Instrumented(StampedeUser):
    behaviour = "browser"

    @task
    def hit(self) -> None:
        self.client.get("/", name="/")


class Idle(Instrumented):
    """A Stampede user that makes one request then thinks for an hour: memory per user."""
