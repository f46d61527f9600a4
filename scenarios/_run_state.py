"""The master's (or local runner's) view of one test: users over time, progress, artifacts."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import gevent

from scenarios._artifacts import write_artifacts
from scenarios._context import TrafficContext
from stampede.latency import LatencyRecorder


class RunState:
    def __init__(self, environment: Any, ctx: TrafficContext, out: Path) -> None:
        self.environment = environment
        self.ctx = ctx
        self.out = out
        self.started_at = time.time()
        self.stopped: tuple[float, float] | None = None  # (epoch, run time) at the first stop
        self.users: list[dict[str, float]] = []
        self.announced = False
        self.greenlets = [gevent.spawn(self._track_users)]
        interval = ctx.options.progress_interval_s
        if interval > 0:
            self.greenlets.append(gevent.spawn(self._progress, interval))

    def _track_users(self) -> None:
        while True:
            t = self.ctx.run_time()
            target = self.ctx.schedule.at(max(t, 0.0))
            if target is not None:
                running = float(self.environment.runner.user_count)
                if target.arrivals_per_s is not None:
                    self.users.append(
                        {
                            "t": t,
                            "intended": float(self.ctx.pool_size),
                            "running": running,
                            "arrivals_per_s": target.arrivals_per_s,
                        }
                    )
                else:
                    self.users.append(
                        {"t": t, "intended": float(target.intended_users or 0), "running": running}
                    )
            gevent.sleep(1.0)

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
        complete = ran >= self.ctx.schedule.duration_s - 1.0
        processes = max(1, self.ctx.worker_count)
        validity = write_artifacts(
            self.ctx,
            self.out,
            users=self.users,
            started_at=self.started_at,
            ended_at=ended,
            host=str(self.environment.host or ""),
            processes=processes,
            interrupted=not complete,
            stop_reason="the profile's schedule ended"
            if complete
            else f"stopped early after {ran:.0f} of {self.ctx.schedule.duration_s:.0f} s",
        )
        if not self.announced:
            self.announced = True
            verdict = "valid" if validity.valid else "INVALID: " + "; ".join(validity.reasons)
            sys.stderr.write(f"Stampede: run written to {self.out} ({verdict})\n")
