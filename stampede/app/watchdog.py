"""Noticing that the system under test died in the middle of a run.

``stampede run`` asks :meth:`TargetWatch.check` about once a second while
Locust runs. The embedded store is dead the moment its process exits; any
target is dead once ``/healthz`` has given no answer at all (any status code
counts as an answer) for ``down_after_s``. A dead target ends the run: there
is nothing left to measure but connection errors.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

import httpx


class TargetWatch:
    def __init__(
        self,
        url: str,
        process: subprocess.Popen[bytes] | None = None,
        *,
        down_after_s: float = 5.0,
        probe_timeout_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.process = process
        self.down_after_s = down_after_s
        self.clock = clock
        self._client = httpx.Client(timeout=probe_timeout_s)
        self._silent_since: float | None = None

    def check(self) -> str | None:
        """Why the target is dead, or None while it lives."""
        if self.process is not None and self.process.poll() is not None:
            return f"the embedded store exited with code {self.process.returncode}"
        try:
            self._client.get(f"{self.url}/healthz")
        except httpx.TransportError as exc:
            now = self.clock()
            if self._silent_since is None:
                self._silent_since = now
            if now - self._silent_since >= self.down_after_s:
                return (
                    f"the target {self.url} stopped answering ({type(exc).__name__}) for "
                    f"{now - self._silent_since:.0f} s"
                )
            return None
        self._silent_since = None
        return None

    def close(self) -> None:
        self._client.close()
