"""The greenlets beside a test on the master (or a local runner): thin loops over Locust.

Each reads Locust's runner into plain values and hands them to
``stampede.traffic``, which does the bookkeeping and the formatting.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

import gevent
import psutil
from locust.runners import STATE_MISSING

from stampede.core.generator import tree_rss
from stampede.core.outcomes import ABANDONMENTS
from stampede.traffic import (
    Progress,
    TrafficContext,
    WorkerCount,
    WorkerLoss,
    progress_line,
    recent_p95_ms,
    shown_outcomes,
    user_row,
)


def track_users(environment: Any, ctx: TrafficContext, rows: list[dict[str, float]]) -> None:
    """Once a second, the users running and intended, with this process tree's memory."""
    while True:
        row = user_row(
            ctx.schedule,
            ctx.pool_size,
            ctx.run_time(),
            int(environment.runner.user_count),
            tree_rss(os.getpid()),  # this process and the workers it forked
        )
        if row is not None:
            rows.append(row)
        gevent.sleep(1.0)


def alive_workers(environment: Any) -> int:
    """Workers still there: this master's forked children when it forked them
    (``--processes``), else the workers whose heartbeats Locust still hears."""
    if getattr(environment.parsed_options, "processes", None):
        children = psutil.Process().children()
        return sum(1 for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE)
    return int(environment.runner.worker_count)


def watch_workers(
    environment: Any,
    ctx: TrafficContext,
    workers: WorkerCount,
    on_loss: Callable[[WorkerLoss], None],
    interval: float = 1.0,
) -> None:
    """Every ``interval`` seconds, count the workers; a loss goes to ``on_loss``."""
    clients = environment.runner.clients
    while True:
        gevent.sleep(interval)
        ctx.worker_tally.went_missing([c.id for c in clients.all if c.state == STATE_MISSING])
        loss = workers.observe(ctx.run_time(), alive_workers(environment))
        if loss is not None:
            on_loss(loss)


def current_progress(
    environment: Any, ctx: TrafficContext, before: tuple[int, int] = (0, 0)
) -> Progress:
    """The runner's and the measurements' numbers right now; ``before`` is (timeouts,
    requests) at the last line, so the line counts the timeouts since then."""
    runner = environment.runner
    t = ctx.run_time()
    target = ctx.schedule.at(max(t, 0.0))
    m = ctx.measurements
    p95, corrected_p95 = recent_p95_ms(m.timeline, time.time(), timeout_s=m.client_timeout_s)
    total = runner.stats.total
    outcomes = ctx.measurements.outcomes.totals()
    described = ctx.target
    return Progress(
        run_time_s=t,
        duration_s=ctx.schedule.duration_s,
        phase=target.phase if target is not None else "done",
        users=int(runner.user_count),
        arrivals_per_s=target.arrivals_per_s if target is not None else None,
        requests_per_s=float(total.current_rps),
        p95_ms=p95,
        corrected_p95_ms=corrected_p95,
        failure_ratio=float(total.fail_ratio),
        outcomes=shown_outcomes(
            described.funnel,
            (*(o.name for o in described.outcomes), *ABANDONMENTS),
            outcomes,
        ),
        intended_users=(
            round(target.intended_users)
            if target is not None and target.intended_users is not None
            else None
        ),
        timed_out=ctx.measurements.timed_out - before[0],
        recent_requests=int(total.num_requests) - before[1],
        corrected=not ctx.uncorrected,
    )


def print_progress(environment: Any, ctx: TrafficContext, interval: float) -> None:
    """Every ``interval`` seconds, one progress line on stderr."""
    before = (0, 0)
    while True:
        gevent.sleep(interval)
        sys.stderr.write(progress_line(current_progress(environment, ctx, before)) + "\n")
        sys.stderr.flush()
        before = (ctx.measurements.timed_out, int(environment.runner.stats.total.num_requests))


def stop_csv_writer(**_: Any) -> None:
    """Stop Locust's CSV writer greenlet as Locust quits, before it closes the CSV files.

    Locust (2.x) spawns ``StatsCSVFileWriter.stats_writer`` and never stops it:
    ``shutdown()`` closes the files, and a master of ``--processes`` then waits for
    its forked workers (``kill_workers`` at exit, a cooperative ``waitpid`` and
    ``sleep``), during which the writer wakes and writes to a closed file:
    ``ValueError: I/O operation on closed file``, printed as an unhandled greenlet
    exception. Killed here (on ``events.quit``), it stops at its sleep, after its
    last write of up to a second ago; the rows are written once more from the final
    statistics (the requests of that last second too, which ``run.json`` counts), and
    Locust's ``close_files`` flushes them.
    """
    from locust.stats import StatsCSVFileWriter

    for greenlet in _greenlets_running(StatsCSVFileWriter.stats_writer):
        writer = greenlet._run.__self__  # gevent forgets its function once it ends
        greenlet.kill(block=True, timeout=2)
        if greenlet.dead and hasattr(writer, "exceptions_csv_data_start"):  # it wrote its headers
            _write_final_rows(writer)


def _write_final_rows(writer: Any) -> None:
    """The rows ``StatsCSVFileWriter.stats_writer`` writes each second, once more, now."""
    requests = writer.requests_csv_filehandle
    requests.seek(0)  # the header, then the rows (the loop keeps their offset to itself)
    writer.requests_csv_writer.writerow(writer.requests_csv_columns)
    writer._requests_data_rows(writer.requests_csv_writer)
    requests.truncate()
    for handle, start, write_rows, csv_writer in (
        (
            writer.failures_csv_filehandle,
            writer.failures_csv_data_start,
            writer._failures_data_rows,
            writer.failures_csv_writer,
        ),
        (
            writer.exceptions_csv_filehandle,
            writer.exceptions_csv_data_start,
            writer._exceptions_data_rows,
            writer.exceptions_csv_writer,
        ),
    ):
        handle.seek(start)
        write_rows(csv_writer)
        handle.truncate()
    writer._stats_history_data_rows(writer.stats_history_csv_writer, time.time())


def _greenlets_running(function: Callable[..., Any]) -> list[gevent.Greenlet]:
    """The live greenlets spawned with a bound method of ``function``."""
    import gc

    found = []
    for item in gc.get_objects():
        if isinstance(item, gevent.Greenlet) and not item.dead:
            run = getattr(item, "_run", None)
            if getattr(run, "__func__", None) is function:
                found.append(item)
    return found
