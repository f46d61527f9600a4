"""The injector: a thread in ``stampede run`` that breaks things on schedule.

It waits for the Locust master to announce the run's origin (``origin.json``
in the run directory), then injects each fault at its run time and turns
windowed faults off at their end. When the run stops first, active windows
are closed at once and faults never reached are recorded as not injected.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from stampede.app.chaos._db import restart_database
from stampede.app.chaos._errors import InjectionError
from stampede.app.chaos._faults import (
    ChaosTarget,
    kill_worker,
    last_dependency_failure,
    restart_redis,
    set_switches,
    start_broker,
    stop_broker,
)
from stampede.app.chaos._spec import FaultSpec
from stampede.core.protocol import ORIGIN_FILE


@dataclass
class FaultRecord:
    """What happened to one spec: run seconds from the start (None: never)."""

    spec: str
    kind: str
    planned_s: float
    start_s: float | None = None
    end_s: float | None = None
    detail: str = ""
    recovery_s: float | None = None
    store_recovery_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_origin(run_dir: Path) -> float | None:
    try:
        return float(json.loads((run_dir / ORIGIN_FILE).read_text())["origin"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Injector:
    def __init__(
        self,
        specs: tuple[FaultSpec, ...],
        target: ChaosTarget,
        run_dir: Path,
        sale_opens_at_s: float | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.target = target
        self.run_dir = run_dir
        self.clock = clock
        self.origin: float | None = None
        self.planned = sorted(
            ((s.starts_at(sale_opens_at_s), s) for s in specs), key=lambda pair: pair[0]
        )
        self.records = {s.text: FaultRecord(s.text, s.kind, at) for at, s in self.planned}
        self.active: list[FaultSpec] = []
        #: restarted dependencies whose store-side recovery is still to be read: (record,
        #: dependency, wall time it answered again)
        self._restarted: list[tuple[FaultRecord, str, float]] = []
        self._starting: list[threading.Thread] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stampede-chaos", daemon=True)

    def start(self) -> Injector:
        self._thread.start()
        return self

    def stop(self) -> list[dict[str, Any]]:
        """Stop injecting, close open windows; the records, in start order."""
        self._stop.set()
        self._thread.join(timeout=self.target.settle_timeout_s + 15)
        for thread in self._starting:  # a broker is never left down after the run
            thread.join(timeout=90)
        with httpx.Client(timeout=5.0) as client:
            self._read_store_recovery(client)
        return [self.records[s.text].to_dict() for _, s in self.planned]

    def _read_store_recovery(self, client: httpx.Client) -> None:
        """How long the store's calls kept failing after each restarted dependency was back.

        Read when the next fault begins and when the run ends, so the store has met the
        restarted service under load meanwhile; 0 when no call failed after it was back.
        """
        for record, dependency, back_at in self._restarted:
            try:
                last = last_dependency_failure(client, self.target, dependency)
            except InjectionError as exc:
                record.detail += f"; the store's recovery could not be read: {exc}"
                continue
            record.store_recovery_s = round(max(0.0, last - back_at), 3)
            record.detail += (
                f"; the store's {dependency} calls failed for {record.store_recovery_s:.2f} s "
                "after it answered again"
            )
        self._restarted.clear()

    def _now(self) -> float:
        assert self.origin is not None
        return self.clock() - self.origin

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while self.origin is None:
                self.origin = read_origin(self.run_dir)
                if self.origin is None and self._stop.wait(self.target.poll_s):
                    self._skip_all("the run ended before it started")
                    return
            actions = sorted(
                [(at, 0, s) for at, s in self.planned]
                + [(at + s.duration_s, 1, s) for at, s in self.planned if s.duration_s],
                key=lambda a: (a[0], a[1]),
            )
            for at, ending, spec in actions:
                if self._stop.wait(max(0.0, at - self._now())):
                    break
                (self._end if ending else self._begin)(client, spec)
            else:
                return
            for spec in list(self.active):
                self._end(client, spec, "; ended early with the run")
            self._skip_all(f"the run ended at {self._now():.1f} s first")

    def _skip_all(self, why: str) -> None:
        for record in self.records.values():
            if record.start_s is None and not record.detail:
                record.detail = f"not injected: {why}"

    def _begin(self, client: httpx.Client, spec: FaultSpec) -> None:
        self._read_store_recovery(client)
        record = self.records[spec.text]
        record.start_s = self._now()
        try:
            if spec.kind == "kill-worker":
                record.detail = kill_worker(client, self.target)
                record.end_s = self._now()
            elif spec.kind == "redis-restart":
                record.detail = restart_redis(self.target)
                record.end_s = self._now()
                self._restarted.append((record, "redis", self.clock()))
            elif spec.kind == "db-restart":
                assert self.target.database_url is not None, "checked before the run"
                record.detail = restart_database(self.target.database_url)
                record.end_s = self._now()
            elif spec.kind == "broker-restart":
                record.detail = stop_broker(self.target)
                self._start_broker(record)
            elif spec.kind == "broker-outage":
                record.detail = stop_broker(self.target)
                self.active.append(spec)
            else:
                self.active.append(spec)
                set_switches(client, self.target, self.active)
                record.detail = _window_detail(spec)
        except InjectionError as exc:
            record.detail = f"failed: {exc}"
            record.end_s = record.start_s

    def _end(self, client: httpx.Client, spec: FaultSpec, note: str = "") -> None:
        if spec not in self.active:
            return
        self.active.remove(spec)
        record = self.records[spec.text]
        try:
            if spec.kind == "broker-outage":
                record.detail += note
                self._start_broker(record)
                return
            set_switches(client, self.target, self.active)
            record.detail += note
        except InjectionError as exc:
            record.detail += f"; turning it off failed: {exc}"
        record.end_s = self._now()

    def _start_broker(self, record: FaultRecord) -> None:
        """Start the broker again beside the schedule (RabbitMQ takes seconds to boot, and
        later faults must not wait for it); the fault ends when it answers."""

        def start() -> None:
            try:
                record.detail += f"; {start_broker(self.target)}"
                self._restarted.append((record, "broker", self.clock()))
            except InjectionError as exc:
                record.detail += f"; {exc}"
            record.end_s = self._now()

        thread = threading.Thread(target=start, name="stampede-chaos-broker", daemon=True)
        self._starting.append(thread)
        thread.start()


def _window_detail(spec: FaultSpec) -> str:
    if spec.kind == "payment-outage":
        return "every payment provider call fails (shared switch, all store workers)"
    return (
        f"every database call waits {(spec.latency_s or 0) * 1000:g} ms first "
        "(shared switch, all store workers)"
    )
