"""Read a run directory into :class:`~reports._model.RunData` (the edge of the package).

Interval indices in ``timeline.json``, ``arrivals.json`` and ``outcomes.json``
count from the epoch; they become seconds from the run's ``origin`` here, so
everything downstream speaks one clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from stampede.core.protocol import (
    ARRIVALS_FILE,
    CPU_FILE,
    EXCEPTIONS_FILE,
    FAILURES_FILE,
    HISTORY_FILE,
    LATENCY_FILE,
    OUTCOMES_FILE,
    PAGES_FILE,
    PROFILE_FILE,
    STATS_FILE,
    STORE_SUMMARY_FILE,
    TIMELINE_FILE,
    USERS_FILE,
)
from stampede.core.queue_samples import read_queue
from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir
from stampede.core.target_description import TargetDescription
from stampede.profiles import Slos, load_profile
from stampede.reports._failures import grouped, timeouts_by_request
from stampede.reports._hist import Counts, percentiles_of_counts
from stampede.reports._model import (
    ArrivalSeries,
    AuditCheck,
    EndpointStats,
    ExceptionRow,
    FailureRow,
    FlashSku,
    Phase,
    RunData,
    Series,
    UsersSeries,
)
from stampede.reports._recovery import faults_from
from stampede.reports._timeline import group_counts, group_distributions, read_timelines, since


def load_run(path: Path, record: RunRecord | None = None) -> RunData:
    """Read every file of the run directory at ``path``; ConfigError when it is not one.

    ``record`` stands in for its ``run.json`` (``stampede run`` reports a run
    before it writes the final record).
    """
    rundir = RunDir(Path(path)) if record is not None else RunDir(Path(path)).check()
    run = record if record is not None else rundir.record()
    measured = run.measured
    origin = measured.origin
    target = rundir.target()
    latency = rundir.read_json(LATENCY_FILE)
    phases = tuple(Phase(*phase) for phase in measured.phases)
    # plain Locust users have no intended start: a "corrected" figure would be the sent one
    kind = "uncorrected" if measured.uncorrected_users else "corrected"
    timelines = read_timelines(
        rundir.read_json(TIMELINE_FILE), origin, target.group_of, phases, kind
    )
    stats = rundir.read_csv(STATS_FILE)
    failure_rows = grouped(_failure_rows(rundir.read_csv(FAILURES_FILE)))
    endpoints = _endpoints(latency, stats, timeouts_by_request(failure_rows), target)
    requests, failures = _totals(stats, endpoints)
    profile = rundir.profile(load_profile) if rundir.has(PROFILE_FILE) else None
    return RunData(
        path=rundir.path,
        run=run,
        profile=measured.profile,
        slos=profile.slos if profile is not None else Slos(),
        patience=profile.patience if profile is not None else None,
        phases=phases,
        sale_opens_at_s=measured.sale_opens_at_s,
        duration_s=measured.duration_s or measured.planned_duration_s,
        users=_users(rundir),
        arrivals=_arrivals(rundir, origin),
        requests_per_s=timelines.requests_per_s,
        failures_per_s=_failures_per_s(rundir.read_csv(HISTORY_FILE), origin),
        outcomes=_outcomes(rundir, origin),
        outcome_totals=rundir.outcomes().totals() if rundir.has(OUTCOMES_FILE) else {},
        distributions=group_distributions(latency, target.group_of, kind),
        latency_kind=kind,
        timelines=timelines.groups,
        phase_distributions=timelines.phases,
        endpoints=endpoints,
        requests=requests,
        failures=failures,
        failure_rows=failure_rows,
        exceptions=_exceptions(rundir.read_csv(EXCEPTIONS_FILE)),
        audit_checks=_audit(rundir),
        flash=_flash(rundir, origin),
        orders_by_status=_orders(rundir),
        cpu=_cpu(rundir),
        capacity=rundir.plan(),
        faults=faults_from(run.runner.chaos if run.runner is not None else ()),
        queue=read_queue(path),
        target=target,
        page_loads=group_distributions(rundir.read_json(PAGES_FILE), str)
        if rundir.has(PAGES_FILE)
        else {},
    )


def _int(text: str | None) -> int:
    try:
        return int(float(text or 0))
    except ValueError:
        return 0


def _totals(stats: list[dict[str, str]], endpoints: tuple[EndpointStats, ...]) -> tuple[int, int]:
    """Requests and failures of the whole run (Locust's aggregate, else the endpoints' sum)."""
    for row in stats:
        if row.get("Name") == "Aggregated":
            return _int(row.get("Request Count")), _int(row.get("Failure Count"))
    return sum(e.requests for e in endpoints), sum(e.failures for e in endpoints)


def _endpoints(
    latency: Mapping[str, Any],
    stats: list[dict[str, str]],
    timeouts: Mapping[str, int],
    target: TargetDescription,
) -> tuple[EndpointStats, ...]:
    corrected, _, highest = group_counts(latency, target.group_of, "corrected")
    uncorrected, _, _ = group_counts(latency, target.group_of, "uncorrected")
    counts = {
        f"{row.get('Type', '')} {row.get('Name', '')}".strip(): row
        for row in stats
        if row.get("Name") != "Aggregated"
    }
    empty: Counts = np.zeros(1, dtype=np.int64)
    rows = []
    for name in sorted({*corrected, *counts}):
        row = counts.get(name)
        mine = corrected.get(name, empty)
        p50, p95, p99, top = percentiles_of_counts(mine, highest, (50.0, 95.0, 99.0, 100.0))
        u95, u99 = percentiles_of_counts(uncorrected.get(name, empty), highest, (95.0, 99.0))
        rows.append(
            EndpointStats(
                name=name,
                group=target.group_of(name),
                requests=_int(row.get("Request Count")) if row else int(mine.sum()),
                failures=_int(row.get("Failure Count")) if row else 0,
                p50_s=p50,
                p95_s=p95,
                p99_s=p99,
                max_s=top,
                uncorrected_p95_s=u95,
                uncorrected_p99_s=u99,
                timeouts=timeouts.get(name, 0),
            )
        )
    return tuple(rows)


def _users(rundir: RunDir) -> UsersSeries:
    if not rundir.has(USERS_FILE):
        return UsersSeries()
    rows = rundir.users()
    return UsersSeries(
        t=tuple(float(r["t"]) for r in rows),
        intended=tuple(float(r.get("intended", 0.0)) for r in rows),
        running=tuple(float(r.get("running", 0.0)) for r in rows),
    )


def _arrivals(rundir: RunDir, origin: float) -> ArrivalSeries:
    if not rundir.has(ARRIVALS_FILE):
        return ArrivalSeries()
    ledger = rundir.arrivals()
    rows = ledger.rows()
    per_s = 1.0 / ledger.interval
    return ArrivalSeries(
        t=tuple(since(r.start, origin) for r in rows),
        intended=tuple(r.intended * per_s for r in rows),
        sent=tuple(r.sent * per_s for r in rows),
        missed=tuple(r.missed * per_s for r in rows),
    )


def _outcomes(rundir: RunDir, origin: float) -> dict[str, Series]:
    """Each outcome per second over every interval of the run (zero where none happened)."""
    if not rundir.has(OUTCOMES_FILE):
        return {}
    counter = rundir.outcomes()
    step = counter.interval
    points = {o: dict(counter.series(o)) for o in sorted(counter.totals())}
    starts = {t for found in points.values() for t in found}
    if not starts:
        return {}
    first, last = round(min(starts) / step), round(max(starts) / step)
    grid = [i * step for i in range(first, last + 1)]
    return {
        outcome: Series(
            tuple(since(t, origin) for t in grid),
            tuple(found.get(t, 0) / step for t in grid),
        )
        for outcome, found in points.items()
    }


def _failures_per_s(history: list[dict[str, str]], origin: float) -> Series:
    """Failures per second from the cumulative failure count of Locust's aggregate history.

    A history row holds the totals as of its timestamp, so the failures between two rows
    belong to the interval that starts at the earlier one.
    """
    rows = [r for r in history if r.get("Name") == "Aggregated"]
    t: list[float] = []
    values: list[float] = []
    previous_time, previous_total = None, 0
    for row in rows:
        now, total = float(row.get("Timestamp") or 0), _int(row.get("Total Failure Count"))
        if previous_time is not None and now > previous_time:
            t.append(since(previous_time, origin))
            values.append(max(total - previous_total, 0) / (now - previous_time))
        previous_time, previous_total = now, total
    return Series(tuple(t), tuple(values))


def _failure_rows(rows: list[dict[str, str]]) -> tuple[FailureRow, ...]:
    return tuple(
        FailureRow(
            r.get("Method", ""), r.get("Name", ""), r.get("Error", ""), _int(r.get("Occurrences"))
        )
        for r in rows
    )


def _exceptions(rows: list[dict[str, str]]) -> tuple[ExceptionRow, ...]:
    return tuple(
        ExceptionRow(_int(r.get("Count")), r.get("Message", ""), r.get("Traceback", ""))
        for r in rows
    )


def _audit(rundir: RunDir) -> tuple[AuditCheck, ...] | None:
    audit = rundir.audit()
    if audit is None:
        return None
    return tuple(
        AuditCheck(str(c.get("name", "")), bool(c.get("ok")), str(c.get("detail", "")))
        for c in audit.get("checks", [])
    )


def _summary(rundir: RunDir) -> Mapping[str, Any]:
    if not rundir.has(STORE_SUMMARY_FILE):
        return {}
    return dict(rundir.read_json(STORE_SUMMARY_FILE))


def _flash(rundir: RunDir, origin: float) -> tuple[FlashSku, ...]:
    return tuple(
        FlashSku(
            sku=str(f.get("sku", "")),
            initial=int(f.get("initial", 0)),
            sold=int(f.get("sold", 0)),
            held=int(f.get("held", 0)),
            available=int(f.get("available", 0)),
            sold_out_s=None if f.get("sold_out_at") is None else float(f["sold_out_at"]) - origin,
        )
        for f in _summary(rundir).get("flash", [])
    )


def _orders(rundir: RunDir) -> dict[str, int]:
    return {str(k): int(v) for k, v in _summary(rundir).get("orders_by_status", {}).items()}


def _cpu(rundir: RunDir) -> Series:
    if not rundir.has(CPU_FILE):
        return Series()
    samples = rundir.cpu()
    if not samples:
        return Series()
    first = float(samples[0]["at"])
    return Series(
        tuple(float(s["at"]) - first for s in samples),
        tuple(float(s.get("core_percent", 0.0)) for s in samples),
    )
