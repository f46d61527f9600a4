"""The profile's schedule as a Locust ``LoadTestShape``."""

from __future__ import annotations

from locust import LoadTestShape

from stampede.traffic import TrafficContext


class ProfileShape(LoadTestShape):
    """Closed model: the stage's users and spawn rate. Open model: the pool of arrival users."""

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        ctx: TrafficContext = getattr(self.runner.environment, "stampede")  # noqa: B009
        target = ctx.schedule.at(self.get_run_time())
        if target is None:
            return None
        if ctx.profile.model == "open":
            return ctx.pool_size, float(max(ctx.pool_size, 1))
        assert target.users is not None and target.spawn_rate is not None
        return target.users, max(target.spawn_rate, 0.1)
