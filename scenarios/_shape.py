"""The profile's schedule as a Locust ``LoadTestShape``."""

from __future__ import annotations

from locust import LoadTestShape

from stampede.traffic import TrafficContext


class ProfileShape(LoadTestShape):
    """Closed model: the stage's users and spawn rate. Open model: the pool of arrival users."""

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        ctx: TrafficContext = getattr(self.runner.environment, "stampede")  # noqa: B009
        return ctx.users_at(self.get_run_time())
