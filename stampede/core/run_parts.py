"""The small parts of a run's record (``run.json``): versions, machine, workers, chaos faults.

Each is a frozen dataclass read from its part of the file by ``from_fields``;
:mod:`stampede.core.records` assembles them (and re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass

from stampede.core.fields import Fields


@dataclass(frozen=True)
class Versions:
    stampede: str
    locust: str
    python: str

    @classmethod
    def from_fields(cls, f: Fields) -> Versions:
        return cls(f.text("stampede"), f.text("locust"), f.text("python"))


@dataclass(frozen=True)
class Machine:
    """The machine the load generator ran on."""

    platform: str
    cpus: int | None
    processor: str
    hostname: str

    @classmethod
    def from_fields(cls, f: Fields) -> Machine:
        return cls(
            f.text("platform"), f.optional_integer("cpus"), f.text("processor"), f.text("hostname")
        )


@dataclass(frozen=True)
class WorkerLoss:
    """A Locust worker process that went away: when (run seconds), how many, how many were left."""

    t: float
    lost: int
    left: int
    before: int

    @classmethod
    def from_fields(cls, f: Fields) -> WorkerLoss:
        return cls(f.number("t"), f.integer("lost"), f.integer("left"), f.integer("before"))


@dataclass(frozen=True)
class WorkerRecord:
    """One load-generator process of the run: where it ran, the most users it ran at once,
    the requests it recorded (its share of the run's histograms), whether it was lost.

    ``id`` is Locust's client id of a worker, ``local`` for a run without workers.
    """

    id: str
    host: str
    pid: int
    users: int
    requests: int
    lost: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> WorkerRecord:
        return cls(
            f.text("id"),
            f.text("host"),
            f.integer("pid"),
            f.integer("users"),
            f.integer("requests"),
            f.flag("lost"),
        )


@dataclass(frozen=True)
class ChaosFault:
    """What happened to one ``--chaos`` spec, in run seconds (``start_s`` None: never injected)."""

    spec: str
    kind: str
    planned_s: float
    start_s: float | None
    end_s: float | None
    detail: str
    #: seconds from the fault (its end for a window) until the store met its error-rate
    #: and p95 objectives again for 5 s (None: not recovered by the end, or never injected)
    recovery_s: float | None = None
    #: seconds the store's own calls to the restarted dependency kept failing after it
    #: answered again (redis-restart, broker and database faults; None: not measured)
    store_recovery_s: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ChaosFault:
        return cls(
            spec=f.text("spec"),
            kind=f.text("kind"),
            planned_s=f.number("planned_s"),
            start_s=f.optional_number("start_s"),
            end_s=f.optional_number("end_s"),
            detail=f.text("detail"),
            recovery_s=f.optional_number("recovery_s"),
            store_recovery_s=f.optional_number("store_recovery_s"),
        )
