"""The master's (or local runner's) view of one test: its greenlets, its stop, its run directory.

Tracking users, watching workers and printing progress are greenlets of
their own (``_greenlets``); this class starts them, settles when and why the
test stopped, and writes the run directory. A lost worker is recorded (when,
how many are left), and with ``--on-worker-loss stop`` the test stops there.
A run directory that cannot be written ends the process with
:data:`WRITE_FAILED`, so ``stampede run`` never reports a half-written run as
complete.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust.runners import MasterRunner

from stampede.core.errors import StampedeError
from stampede.core.protocol import WRITE_FAILED
from stampede.core.records import WorkerRecord
from stampede.core.validity import Validity
from stampede.scenarios._artifacts import write_artifacts
from stampede.scenarios._greenlets import print_progress, track_users, watch_workers
from stampede.traffic import RunStop, TrafficContext, WorkerCount, WorkerLoss


class RunState:
    """One test from its start to its run directory, on the process that writes it."""

    def __init__(self, environment: Any, ctx: TrafficContext, out: Path) -> None:
        self.environment = environment
        self.ctx = ctx
        self.out = out
        self.started_at = time.time()
        self.stopped: RunStop | None = None  # the first stop counts
        self.users: list[dict[str, float]] = []
        self.workers = WorkerCount(max(1, ctx.worker_count))
        self.announced = False
        self.write_failed = False
        self.on_worker_loss = str(
            getattr(environment.parsed_options, "on_worker_loss", None) or "continue"
        )
        self.tracker = gevent.spawn(track_users, environment, ctx, self.users)
        self.greenlets = [self.tracker]
        if isinstance(environment.runner, MasterRunner):
            self.greenlets.append(
                gevent.spawn(watch_workers, environment, ctx, self.workers, self._worker_lost)
            )
        interval = ctx.options.progress_interval_s
        if interval > 0:
            self.greenlets.append(gevent.spawn(print_progress, environment, ctx, interval))

    def _worker_lost(self, loss: WorkerLoss) -> None:
        sys.stderr.write(loss.warning() + "\n")
        if self.on_worker_loss == "stop" and self.stopped is None:
            self.stopped = RunStop(time.time(), loss.t, loss.stop_reason())
            gevent.spawn(self.environment.runner.quit)

    def stopping(self) -> None:
        """The stop began (the schedule ended, Ctrl-C, SIGTERM): the run's time ends here.

        What follows is Locust stopping its users, not the schedule: judging the
        user-seconds of that ramp-down against the schedule would call an interrupted
        run invalid for the wrong cause ("could not spawn users fast enough").
        Requests still completing are measured as before.
        """
        self.tracker.kill(block=False)
        if self.stopped is None:
            self.stopped = RunStop(time.time(), self.ctx.run_time())

    def finish(self) -> None:
        """Stop the greenlets and write the run directory (again at quitting: the
        workers' last reports may have come in since)."""
        for greenlet in self.greenlets:
            greenlet.kill(block=False)
        if self.stopped is None:
            self.stopped = RunStop(time.time(), self.ctx.run_time())
        try:
            validity = self._write(self.stopped)
        except StampedeError as exc:
            if not self.write_failed:
                self.write_failed = True
                sys.stderr.write(f"Stampede: the run was not saved: {exc}\n")
            self.environment.process_exit_code = WRITE_FAILED
            return
        if not self.announced:
            self.announced = True
            sys.stderr.write(f"Stampede: run written to {self.out} ({self._verdict(validity)})\n")

    def _verdict(self, validity: Validity) -> str:
        if not validity.valid:
            return "INVALID: " + "; ".join(validity.reasons)
        assert self.stopped is not None
        duration = self.ctx.schedule.duration_s
        if not self.stopped.complete(duration):
            return f"interrupted, not judged: {self.stopped.describe(duration)}"
        return "valid"

    def _write(self, stop: RunStop) -> Validity:
        duration = self.ctx.schedule.duration_s
        return write_artifacts(
            self.ctx,
            self.out,
            users=self.users,
            started_at=self.started_at,
            ended_at=stop.at,
            host=str(self.environment.host or ""),
            processes=max(1, self.ctx.worker_count),
            interrupted=not stop.complete(duration),
            stop_reason=stop.describe(duration),
            worker_losses=[loss.to_dict() for loss in self.workers.losses],
            on_worker_loss=self.on_worker_loss,
            workers=self._workers(),
        )

    def _workers(self) -> tuple[WorkerRecord, ...]:
        """Every load-generating process: the workers that reported, or this one alone."""
        runner = self.environment.runner
        if isinstance(runner, MasterRunner):
            return self.ctx.worker_tally.listing()
        peak = max((int(row["running"]) for row in self.users), default=0)
        requests = self.ctx.measurements.latency.count()
        return (WorkerRecord("local", socket.gethostname(), os.getpid(), peak, requests),)
