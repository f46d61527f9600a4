"""Two users hitting one trivial endpoint as fast as they can: bare Locust and Stampede's.

Used by ``bench/generator.py``; pick one class on Locust's command line.
"""

from __future__ import annotations

from locust import FastHttpUser, constant, events, task

from stampede.profiles import Behaviour
from stampede.scenarios import ProfileShape, install  # noqa: F401  (the shape drives both runs alike)
from stampede.scenarios._base import StampedeUser

install(events)


class Bare(FastHttpUser):
    wait_time = constant(0)

    @task
    def hit(self) -> None:
        self.client.get("/", name="/")


class Instrumented(StampedeUser):
    behaviour = Behaviour.BROWSER

    @task
    def hit(self) -> None:
        self.call("GET", "/", "/")


class Idle(Instrumented):
    """A Stampede user that makes one request then thinks for an hour: memory per user."""
