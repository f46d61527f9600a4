"""The record of one run (``run.json``): what ran, where, how it ended, whether to trust it.

Two processes write it, one after the other::

    MeasuredRun   the Locust child (its master) when the test stops: the profile as
                  run, the times, how the traffic ended, the generator's facts, the
                  validity, versions and machine, lost workers
    RunnerFacts   ``stampede run`` once the child has ended: the target, the audit,
                  the generator at full scale, chaos, ``complete``

:class:`RunRecord` holds both; ``runner`` is None when plain ``locust -f
locustfile.py`` made the run. When the runner stopped the child (a dead target)
it corrects how the traffic ended (``interrupted``, ``stop_reason``) in the
measured part it writes back.

On disk the two parts are one flat JSON object of format ``stampede.run/1``,
keys as they always were. :meth:`RunRecord.from_json` is the one parser (every
key checked once, a bad one a one-line :class:`ConfigError` naming the file and
the key); :meth:`RunRecord.to_json` is the shape the one writer,
:meth:`stampede.core.rundir.RunDir.write_record`, puts there.
"""

from __future__ import annotations

from dataclasses import dataclass

from stampede.core.errors import ConfigError
from stampede.core.fields import Fields, Json
from stampede.core.run_parts import ChaosFault as ChaosFault
from stampede.core.run_parts import Machine as Machine
from stampede.core.run_parts import Versions as Versions
from stampede.core.run_parts import WorkerLoss as WorkerLoss
from stampede.core.run_parts import WorkerRecord as WorkerRecord
from stampede.core.validity import Validity

RUN_FORMAT = "stampede.run/1"
_HINT = f" in a {RUN_FORMAT} record"


def _dropping_none(data: dict[str, Json]) -> dict[str, Json]:
    return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class GeneratorFacts:
    """What the load generator did: its processes and samples, and how punctual it was.

    An open-model run counts arrivals (``intended_arrivals``, ``sent_on_time``),
    a closed-model run user-seconds (``intended_user_seconds``,
    ``running_user_seconds``); the other pair is None.
    """

    processes: int
    cpu_samples: int
    memory_above_idle_bytes: int
    lateness_tolerance_s: float
    scheduled: int
    late: int
    intended_arrivals: int | None = None
    sent_on_time: int | None = None
    intended_user_seconds: float | None = None
    running_user_seconds: float | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> GeneratorFacts:
        return cls(
            processes=f.integer("processes"),
            cpu_samples=f.integer("cpu_samples"),
            memory_above_idle_bytes=f.integer("memory_above_idle_bytes"),
            lateness_tolerance_s=f.number("lateness_tolerance_s"),
            scheduled=f.integer("scheduled"),
            late=f.integer("late"),
            intended_arrivals=f.optional_integer("intended_arrivals", absent_ok=True),
            sent_on_time=f.optional_integer("sent_on_time", absent_ok=True),
            intended_user_seconds=f.optional_number("intended_user_seconds", absent_ok=True),
            running_user_seconds=f.optional_number("running_user_seconds", absent_ok=True),
        )

    def to_json(self) -> dict[str, Json]:
        return _dropping_none(dict(vars(self)))


@dataclass(frozen=True)
class FullScaleGenerator:
    """The load generator the profile needs at scale 1, sized from what this run's measured.

    ``workers_needed`` and ``memory_gb_needed`` are None when the run measured no
    throughput to size from.
    """

    measured_rps_per_core: float
    measured_memory_mb_per_user: float
    memory_per_user_method: str
    memory_per_user_note: str
    full_scale_peak_rps: float
    full_scale_peak_users: int
    workers_needed: int | None = None
    memory_gb_needed: float | None = None
    process_memory_mb: float | None = None  # a Locust process whatever its users; None: unknown
    peak_rps_basis: str = ""  # where full_scale_peak_rps came from (intended, or achieved)

    @classmethod
    def from_fields(cls, f: Fields) -> FullScaleGenerator:
        return cls(
            measured_rps_per_core=f.number("measured_rps_per_core"),
            measured_memory_mb_per_user=f.number("measured_memory_mb_per_user"),
            # runs made before memory per user was fitted say neither
            memory_per_user_method=f.text("memory_per_user_method", "peak/users"),
            memory_per_user_note=f.text("memory_per_user_note", ""),
            full_scale_peak_rps=f.number("full_scale_peak_rps"),
            full_scale_peak_users=f.integer("full_scale_peak_users"),
            workers_needed=f.optional_integer("workers_needed", absent_ok=True),
            memory_gb_needed=f.optional_number("memory_gb_needed", absent_ok=True),
            # runs made before the fixed part and the basis were recorded have neither
            process_memory_mb=f.optional_number("process_memory_mb", absent_ok=True),
            peak_rps_basis=f.text("peak_rps_basis", ""),
        )

    def to_json(self) -> dict[str, Json]:
        return _dropping_none(dict(vars(self)))


def _statuses(f: Fields) -> tuple[tuple[int, int], ...]:
    if "statuses" not in f:
        return ()
    found = f.integer_map("statuses")
    for code in found:
        if not code.isdigit():
            raise ConfigError(f"{f.source}: statuses.{code} is not an HTTP status code{_HINT}")
    return tuple(sorted((int(code), n) for code, n in found.items()))


def _validity(f: Fields) -> Validity:
    return Validity(f.flag("valid"), f.texts("reasons"))


@dataclass(frozen=True)
class MeasuredRun:
    """What the Locust child measured and knows: the first step of a run's record.

    Times are Unix seconds (``started_at``, ``ended_at``, ``origin``, run time 0)
    or run seconds (``phases``, ``sale_opens_at_s``).
    """

    profile: str
    model: str
    scale: float
    time_scale: float
    host: str
    started_at: float
    ended_at: float
    duration_s: float
    planned_duration_s: float
    origin: float
    interrupted: bool
    stop_reason: str
    phases: tuple[tuple[str, float, float], ...]
    sale_opens_at_s: float | None
    open_model_pool: int | None
    generator: GeneratorFacts
    validity: Validity
    versions: Versions
    machine: Machine
    worker_losses: tuple[WorkerLoss, ...] = ()
    on_worker_loss: str = "continue"
    workers: tuple[WorkerRecord, ...] = ()
    #: the target description's name (runs made before descriptions: the reference store)
    target: str = "reference-store"
    #: the mix's plain Locust users, measured from their actual send only (not corrected)
    uncorrected_users: tuple[str, ...] = ()
    #: answers by HTTP status ("0": no answer); empty in runs made before they were counted
    statuses: tuple[tuple[int, int], ...] = ()
    #: requests that got no answer within the client's timeout, by request name
    #: (``"GET /api/v1/products/[id]"``); empty in runs made before they were counted
    timeouts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> MeasuredRun:
        return cls(
            profile=f.text("profile"),
            model=f.text("model"),
            scale=f.number("scale"),
            time_scale=f.number("time_scale"),
            host=f.text("host"),
            started_at=f.number("started_at"),
            ended_at=f.number("ended_at"),
            duration_s=f.number("duration_s"),
            planned_duration_s=f.number("planned_duration_s"),
            origin=f.number("origin"),
            interrupted=f.flag("interrupted"),
            stop_reason=f.text("stop_reason"),
            phases=tuple((p.text(0), p.number(1), p.number(2)) for p in f.children("phases")),
            sale_opens_at_s=f.optional_number("sale_opens_at_s"),
            open_model_pool=f.optional_integer("open_model_pool"),
            generator=GeneratorFacts.from_fields(f.child("generator")),
            validity=_validity(f.child("validity")),
            versions=Versions.from_fields(f.child("versions")),
            machine=Machine.from_fields(f.child("machine")),
            # runs made before workers were watched have neither
            worker_losses=f.each("worker_losses", WorkerLoss.from_fields, ()),
            on_worker_loss=f.text("on_worker_loss", "continue"),
            # runs made before the workers were listed do not list them
            workers=f.each("workers", WorkerRecord.from_fields, ()),
            target=f.text("target_description", "reference-store"),
            uncorrected_users=f.texts("uncorrected_users", ()),
            statuses=_statuses(f),
            timeouts=tuple(sorted(f.integer_map("timeouts").items())) if "timeouts" in f else (),
        )

    def to_json(self) -> dict[str, Json]:
        return {
            "format": RUN_FORMAT,
            "profile": self.profile,
            "model": self.model,
            "scale": self.scale,
            "time_scale": self.time_scale,
            "host": self.host,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration_s": self.duration_s,
            "planned_duration_s": self.planned_duration_s,
            "origin": self.origin,
            "interrupted": self.interrupted,
            "stop_reason": self.stop_reason,
            "phases": [list(p) for p in self.phases],
            "sale_opens_at_s": self.sale_opens_at_s,
            "open_model_pool": self.open_model_pool,
            "generator": self.generator.to_json(),
            "validity": {"valid": self.validity.valid, "reasons": list(self.validity.reasons)},
            "versions": dict(vars(self.versions)),
            "machine": dict(vars(self.machine)),
            "worker_losses": [dict(vars(loss)) for loss in self.worker_losses],
            "on_worker_loss": self.on_worker_loss,
            "workers": [dict(vars(worker)) for worker in self.workers],
            "target_description": self.target,
            "uncorrected_users": list(self.uncorrected_users),
            "statuses": {str(code): n for code, n in self.statuses},
            "timeouts": dict(self.timeouts),
        }


@dataclass(frozen=True)
class CoreIsolation:
    """Which CPU cores the embedded store and the generator were pinned to (``isolation``).

    ``pinned`` is false, with ``note`` saying why, when they could not be separated
    (fewer than two cores available): their figures then include the competition.
    """

    pinned: bool
    available_cores: tuple[int, ...]
    store_cores: tuple[int, ...]
    generator_cores: tuple[int, ...]
    note: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> CoreIsolation:
        def cores(key: str) -> tuple[int, ...]:
            inner = f.child(key)
            return tuple(inner.integer(i) for i in range(len(inner)))

        return cls(
            pinned=f.flag("pinned"),
            available_cores=cores("available_cores"),
            store_cores=cores("store_cores"),
            generator_cores=cores("generator_cores"),
            note=f.optional_text("note", absent_ok=True),
        )

    def to_json(self) -> dict[str, Json]:
        return {
            "pinned": self.pinned,
            "available_cores": list(self.available_cores),
            "store_cores": list(self.store_cores),
            "generator_cores": list(self.generator_cores),
            "note": self.note,
        }


@dataclass(frozen=True)
class RunnerFacts:
    """What ``stampede run`` adds once the child has ended: the second step of the record.

    ``target_kind`` is ``embedded`` (the store Stampede started, with
    ``store_workers`` server processes) or ``remote`` (``--host``);
    ``complete`` is true once every file of the run was written; how the traffic
    ended is the measured part's ``interrupted`` and ``stop_reason``.
    """

    target_kind: str
    store_workers: int | None
    command: str
    locust_exit_code: int
    audit_ok: bool | None
    generator_sizing: FullScaleGenerator
    generator_peak_memory_mb: float
    chaos: tuple[ChaosFault, ...]
    complete: bool
    target_lost: str | None = None
    write_error: str | None = None
    #: the user's --locustfile (None: the bundled scenarios) and its SHA-256
    locustfile: str | None = None
    locustfile_sha256: str | None = None
    #: the target description file given (--target or the profile's; None: the reference's)
    target_file: str | None = None
    #: the embedded store's and the generator's cores (None: a --host run, or not recorded)
    isolation: CoreIsolation | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> RunnerFacts:
        isolation = f.optional_child("isolation") if "isolation" in f else None
        return cls(
            target_kind=f.text("target"),
            # runs made before the store's workers were recorded do not say
            store_workers=f.optional_integer("store_workers", absent_ok=True),
            command=f.text("command"),
            locust_exit_code=f.integer("locust_exit_code"),
            audit_ok=f.optional_flag("audit_ok"),
            generator_sizing=FullScaleGenerator.from_fields(f.child("generator_sizing")),
            generator_peak_memory_mb=f.number("generator_peak_memory_mb"),
            chaos=f.each("chaos", ChaosFault.from_fields),
            complete=f.flag("complete"),
            target_lost=f.optional_text("target_lost", absent_ok=True),
            write_error=f.optional_text("write_error", absent_ok=True),
            locustfile=f.optional_text("locustfile", absent_ok=True),
            locustfile_sha256=f.optional_text("locustfile_sha256", absent_ok=True),
            target_file=f.optional_text("target_file", absent_ok=True),
            isolation=None if isolation is None else CoreIsolation.from_fields(isolation),
        )

    def to_json(self) -> dict[str, Json]:
        data: dict[str, Json] = {
            "target": self.target_kind,
            "store_workers": self.store_workers,
            "command": self.command,
            "locust_exit_code": self.locust_exit_code,
            "audit_ok": self.audit_ok,
            "generator_sizing": self.generator_sizing.to_json(),
            "generator_peak_memory_mb": self.generator_peak_memory_mb,
            "chaos": [dict(vars(fault)) for fault in self.chaos],
            "complete": self.complete,
        }
        if self.target_lost is not None:
            data["target_lost"] = self.target_lost
        if self.write_error is not None:
            data["write_error"] = self.write_error
        for key in ("locustfile", "locustfile_sha256", "target_file"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.isolation is not None:
            data["isolation"] = self.isolation.to_json()
        return data


@dataclass(frozen=True)
class RunRecord:
    """``run.json``: the child's :class:`MeasuredRun` and, after ``stampede run``, its
    :class:`RunnerFacts` (None for a plain ``locust`` run)."""

    measured: MeasuredRun
    runner: RunnerFacts | None = None

    @property
    def audit_ok(self) -> bool | None:
        """The store's audit: clean, failed, or None when there was none."""
        return None if self.runner is None else self.runner.audit_ok

    @property
    def complete(self) -> bool:
        return self.runner is not None and self.runner.complete

    @classmethod
    def from_json(cls, data: object, source: str) -> RunRecord:
        """The record in parsed ``data`` of the file ``source``, or a one-line ConfigError."""
        f = Fields.document(data, source, _HINT)
        found = f.text("format")
        if found != RUN_FORMAT:
            raise ConfigError(
                f"{source}: format is {found!r}, expected {RUN_FORMAT!r}; this version of "
                "Stampede reads only that, so read the run with the version that made it"
            )
        # the runner writes `complete` with everything it adds, and nothing before it
        runner = RunnerFacts.from_fields(f) if "complete" in f else None
        return cls(MeasuredRun.from_fields(f), runner)

    def to_json(self) -> dict[str, Json]:
        runner = self.runner.to_json() if self.runner is not None else {}
        return {**self.measured.to_json(), **runner}
