"""The profile's schedule as a Locust ``LoadTestShape``."""

from __future__ import annotations

import contextlib

from locust import LoadTestShape

from stampede.core.errors import StampedeError
from stampede.scenarios import _web_ui as web_ui
from stampede.traffic import TrafficContext


class ProfileShape(LoadTestShape):
    """Closed model: the stage's users and spawn rate. Open model: the pool of arrival users."""

    def reset_time(self) -> None:
        """A shape test starts here: its first tick is already the web UI form's traffic."""
        super().reset_time()
        if self.runner is not None and hasattr(self.runner.environment, "stampede"):
            with contextlib.suppress(StampedeError):  # said, and the test stopped, at its start
                web_ui.follow_form(self.runner.environment)

    def tick(self) -> tuple[int, float] | None:
        assert self.runner is not None
        ctx: TrafficContext = getattr(self.runner.environment, "stampede")  # noqa: B009
        return ctx.users_at(self.get_run_time())
