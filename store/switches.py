"""Fault switches every worker of one store sees: a small file in the data directory.

``stampede run --chaos`` turns a payment outage or database latency on and
off through ``PUT /admin/chaos``. With ``--workers N`` the request reaches one
worker, so the switches cannot live in process memory: they are written
atomically to ``<data dir>/chaos-switches.json`` and every worker re-reads the
file when it changed, at most once per ``refresh_s``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

FILE_NAME = "chaos-switches.json"


class Switches(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The faults switched on right now."""

    payment_outage: bool = False
    db_latency_ms: float = 0.0


class SharedSwitches:
    """The switch file of one data directory, read with a short cache."""

    def __init__(
        self,
        data_dir: Path,
        refresh_s: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = data_dir / FILE_NAME
        self._refresh_s = refresh_s
        self._clock = clock
        self._checked_at = float("-inf")
        self._stamp: tuple[int, int] | None = None
        self._current = Switches()

    def current(self) -> Switches:
        now = self._clock()
        if now - self._checked_at < self._refresh_s:
            return self._current
        self._checked_at = now
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._current = None, Switches()
            return self._current
        stamp = (stat.st_mtime_ns, stat.st_ino)
        if stamp != self._stamp:
            try:
                self._current = msgspec.json.decode(self.path.read_bytes(), type=Switches)
                self._stamp = stamp
            except (OSError, msgspec.DecodeError):
                pass  # mid-replace or unreadable: keep the last good switches
        return self._current

    def payment_outage(self) -> bool:
        return self.current().payment_outage

    def db_latency_s(self) -> float:
        return self.current().db_latency_ms / 1000.0

    def write(self, switches: Switches) -> None:
        """Replace the file atomically, so no worker ever reads half of it."""
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{FILE_NAME}.")
        with os.fdopen(fd, "w") as handle:
            json.dump(msgspec.to_builtins(switches), handle)
        os.replace(tmp, self.path)
        self._checked_at = float("-inf")
