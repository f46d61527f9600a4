"""The master's (or local runner's) view of one test: users over time, progress, artifacts.

The master also watches its worker processes: one that stops sending
heartbeats is recorded as lost (when, how many are left), and with
``--on-worker-loss stop`` the test stops there. A run directory that cannot
be written ends the process with :data:`WRITE_FAILED`, so ``stampede run``
never reports a half-written run as complete.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust.runners import MasterRunner

from stampede.core.errors import StampedeError
from stampede.core.generator import tree_rss
from stampede.core.latency import LatencyRecorder
from stampede.core.protocol import WRITE_FAILED
from stampede.scenarios._artifacts import write_artifacts
from stampede.scenarios._context import TrafficContext


class RunState:
    def __init__(self, environment: Any, ctx: TrafficContext, out: Path) -> None:
        self.environment = environment
        self.ctx = ctx
        self.out = out
        self.started_at = time.time()
        self.stopped: tuple[float, float] | None = None  # (epoch, run time) at the first stop
        self.users: list[dict[str, float]] = []
        self.announced = False
        self.write_failed = False
        self.worker_losses: list[dict[str, float]] = []
        self.stop_reason: str | None = None
        self.on_worker_loss = str(
            getattr(environment.parsed_options, "on_worker_loss", None) or "continue"
        )
        self.greenlets = [gevent.spawn(self._track_users)]
        if isinstance(environment.runner, MasterRunner):
            self.greenlets.append(gevent.spawn(self._watch_workers, 1.0))
        interval = ctx.options.progress_interval_s
        if interval > 0:
            self.greenlets.append(gevent.spawn(self._progress, interval))

    def _track_users(self) -> None:
        while True:
            t = self.ctx.run_time()
            target = self.ctx.schedule.at(max(t, 0.0))
            if target is not None:
                row = {
                    "t": t,
                    "running": float(self.environment.runner.user_count),
                    # this process and the workers it forked, read with the user count
                    # so that memory per user is a slope over simultaneous pairs
                    "rss_bytes": float(tree_rss(os.getpid())),
                }
                if target.arrivals_per_s is not None:
                    row["intended"] = float(self.ctx.pool_size)
                    row["arrivals_per_s"] = target.arrivals_per_s
                else:
                    row["intended"] = float(target.intended_users or 0)
                self.users.append(row)
            gevent.sleep(1.0)

    def _alive_workers(self) -> int:
        """Workers still there: this master's forked children when it forked them
        (``--processes``), else the workers whose heartbeats Locust still hears."""
        if getattr(self.environment.parsed_options, "processes", None):
            children = psutil.Process().children()
            return sum(1 for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE)
        return int(self.environment.runner.worker_count)

    def _watch_workers(self, interval: float) -> None:
        before = max(1, self.ctx.worker_count)
        while True:
            gevent.sleep(interval)
            alive = self._alive_workers()
            if alive >= before:
                before = alive
                continue
            t = self.ctx.run_time()
            self.worker_losses.append(
                {"t": t, "lost": before - alive, "left": alive, "before": before}
            )
            sys.stderr.write(
                f"Stampede: a worker process was lost at {t:.0f} s; {alive} of {before} left\n"
            )
            before = alive
            if self.on_worker_loss == "stop" and self.stop_reason is None:
                self.stop_reason = (
                    f"a Locust worker process was lost at {t:.0f} s ({alive} left) and "
                    "--on-worker-loss is stop"
                )
                self.stopped = (time.time(), t)
                gevent.spawn(self.environment.runner.quit)

    def _progress(self, interval: float) -> None:
        while True:
            gevent.sleep(interval)
            sys.stderr.write(self.progress_line() + "\n")
            sys.stderr.flush()

    def progress_line(self) -> str:
        ctx, runner = self.ctx, self.environment.runner
        t = ctx.run_time()
        target = ctx.schedule.at(max(t, 0.0))
        phase = target.phase if target is not None else "done"
        recent = LatencyRecorder()
        now_index = int(time.time())
        for index in ctx.measurements.timeline.indices():
            if index >= now_index - 5:
                recent.merge(ctx.measurements.timeline.recorder(index))
        p95c = recent.summary("corrected").p95 * 1000 if recent.count() else 0.0
        p95u = recent.summary("uncorrected").p95 * 1000 if recent.count() else 0.0
        total = runner.stats.total
        outcomes = ctx.measurements.outcomes.totals()
        rate = (
            f"  arrivals {target.arrivals_per_s:6.1f}/s" if target and target.arrivals_per_s else ""
        )
        return (
            f"[{t:5.0f}s/{ctx.schedule.duration_s:.0f}s] {phase:<11} users {runner.user_count:>6}"
            f"{rate}  req/s {total.current_rps:7.1f}  p95 {p95u:6.0f} ms"
            f" (corrected {p95c:6.0f} ms)  failures {total.fail_ratio * 100:5.2f}%"
            f"  paid {outcomes.get('order_paid', 0)}  sold out {outcomes.get('sold_out', 0)}"
            f"  429s {outcomes.get('rate_limited', 0)}"
        )

    def finish(self) -> None:
        for greenlet in self.greenlets:
            greenlet.kill(block=False)
        if self.stopped is None:
            self.stopped = (time.time(), self.ctx.run_time())
        ended, ran = self.stopped
        complete = ran >= self.ctx.schedule.duration_s - 1.0 and self.stop_reason is None
        processes = max(1, self.ctx.worker_count)
        reason = self.stop_reason or (
            "the profile's schedule ended"
            if complete
            else f"stopped early after {ran:.0f} of {self.ctx.schedule.duration_s:.0f} s"
        )
        try:
            validity = write_artifacts(
                self.ctx,
                self.out,
                users=self.users,
                started_at=self.started_at,
                ended_at=ended,
                host=str(self.environment.host or ""),
                processes=processes,
                interrupted=not complete,
                stop_reason=reason,
                worker_losses=self.worker_losses,
                on_worker_loss=self.on_worker_loss,
            )
        except StampedeError as exc:
            if not self.write_failed:
                self.write_failed = True
                sys.stderr.write(f"Stampede: the run was not saved: {exc}\n")
            self.environment.process_exit_code = WRITE_FAILED
            return
        if not self.announced:
            self.announced = True
            verdict = "valid" if validity.valid else "INVALID: " + "; ".join(validity.reasons)
            sys.stderr.write(f"Stampede: run written to {self.out} ({verdict})\n")
