"""What the master notes about a run while it goes: users each second, lost workers, its stop.

Plain bookkeeping; the greenlets that feed it (and Locust's runner they read)
live in ``stampede.scenarios``. The notes end up in ``users.json`` and
``run.json``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stampede.core.records import WorkerRecord
from stampede.profiles import Schedule

#: a run that stopped this close to its schedule's end ran it to the end
END_SLACK_S = 1.0


def user_row(
    schedule: Schedule, pool_size: int, t: float, running: int, rss_bytes: int
) -> dict[str, float] | None:
    """One second's row of ``users.json``: users running and intended, the generator's memory.

    ``running`` and ``rss_bytes`` are read together, so memory per user is a
    slope over simultaneous pairs. The open model intends its whole pool of
    arrival users and notes the arrival rate. None once the schedule is over.
    """
    target = schedule.at(max(t, 0.0))
    if target is None:
        return None
    row = {"t": t, "running": float(running), "rss_bytes": float(rss_bytes)}
    if target.arrivals_per_s is not None:
        row["intended"] = float(pool_size)
        row["arrivals_per_s"] = target.arrivals_per_s
    else:
        row["intended"] = float(target.intended_users or 0)
    return row


@dataclass(frozen=True)
class WorkerLoss:
    """Worker processes that went missing at run time ``t``: how many, of how many."""

    t: float
    lost: int
    left: int
    before: int

    def to_dict(self) -> dict[str, float]:
        return {"t": self.t, "lost": self.lost, "left": self.left, "before": self.before}

    def warning(self) -> str:
        return (
            f"Stampede: a worker process was lost at {self.t:.0f} s; "
            f"{self.left} of {self.before} left"
        )

    def stop_reason(self) -> str:
        return (
            f"a Locust worker process was lost at {self.t:.0f} s ({self.left} left) and "
            "--on-worker-loss is stop"
        )


@dataclass
class WorkerCount:
    """The workers a master has, counted again and again: a drop is a loss.

    A rise (a worker that joined late) raises the count a later drop is measured from.
    """

    alive: int
    losses: list[WorkerLoss] = field(default_factory=list)

    def observe(self, t: float, alive: int) -> WorkerLoss | None:
        """Count ``alive`` workers at run time ``t``; the loss, if there are fewer than before."""
        before, self.alive = self.alive, alive
        if alive >= before:
            return None
        loss = WorkerLoss(t, before - alive, alive, before)
        self.losses.append(loss)
        return loss


@dataclass(frozen=True)
class RunStop:
    """When a run stopped (epoch seconds and run time) and, if stopped on purpose, why."""

    at: float
    run_time_s: float
    reason: str | None = None

    def complete(self, duration_s: float) -> bool:
        """Whether the schedule of ``duration_s`` ran to its end without being stopped."""
        return self.run_time_s >= duration_s - END_SLACK_S and self.reason is None

    def describe(self, duration_s: float) -> str:
        """Why the run ended, for ``run.json``'s ``stop_reason``."""
        if self.reason is not None:
            return self.reason
        if self.complete(duration_s):
            return "the profile's schedule ended"
        return f"stopped early after {self.run_time_s:.0f} of {duration_s:.0f} s"


@dataclass
class WorkerTally:
    """Every worker process that reported to the master: its host and pid, the most users
    it ran at once, the requests it recorded, and whether it was lost."""

    rows: dict[str, WorkerRecord] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def note(self, client_id: str, worker: Mapping[str, Any], users: int) -> None:
        """One report of worker ``client_id``: its identity, requests since the last, users now."""
        seen = self.rows.get(client_id)
        if seen is None and users == 0 and not worker["requests"]:
            return  # connected, never ran a user (refused, or joined as the test ended)
        if seen is None:
            seen = WorkerRecord(client_id, str(worker["host"]), int(worker["pid"]), 0, 0)
        self.rows[client_id] = replace(
            seen,
            users=max(seen.users, users),
            requests=seen.requests + int(worker["requests"]),
        )

    def went_missing(self, client_ids: Collection[str]) -> None:
        """Workers the master stopped hearing from (a worker that quits is not missing)."""
        self.missing.update(client_ids)

    def listing(self) -> tuple[WorkerRecord, ...]:
        """The workers in the order they first reported, those that went missing marked lost."""
        return tuple(
            replace(row, lost=client_id in self.missing) for client_id, row in self.rows.items()
        )
