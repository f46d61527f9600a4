"""The plain data a report, a gate and a comparison are computed from.

:func:`reports.load_run` reads a run directory into a :class:`RunData`; every
time here is in seconds from the start of the run, every latency in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stampede.core.plan_document import PlanDocument
from stampede.core.queue_samples import QueueRecord
from stampede.core.records import RunRecord
from stampede.core.target_description import TargetDescription, reference_description
from stampede.profiles import Patience, Slos

# a run's phases are its schedule's, as run.json records them: one type for both
from stampede.profiles import Phase as Phase
from stampede.reports._hist import Distribution

#: the groups charted and judged, in the order they are shown; ``all`` is every request


@dataclass(frozen=True)
class Series:
    """Values over time: ``t[i]`` seconds from the start, ``values[i]`` at that time."""

    t: tuple[float, ...] = ()
    values: tuple[float, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.t)

    def peak(self) -> float:
        return max(self.values, default=0.0)


@dataclass(frozen=True)
class GroupTimeline:
    """Corrected latency percentiles of one endpoint group per interval."""

    group: str
    t: tuple[float, ...]
    count: tuple[int, ...]
    p50: tuple[float, ...]
    p95: tuple[float, ...]
    p99: tuple[float, ...]


#: faults that last: recovery counts from their end (a broker restart ends when the broker
#: answers again, seconds after it was stopped); the others are instants
WINDOWED_FAULTS = ("payment-outage", "db-latency", "broker-outage", "broker-restart")


@dataclass(frozen=True)
class Fault:
    """One injected fault as ``run.json`` records it (run seconds)."""

    spec: str
    kind: str
    start_s: float | None
    end_s: float | None
    detail: str
    #: how long the store's own calls kept failing after the dependency was back
    store_recovery_s: float | None = None

    @property
    def injected(self) -> bool:
        return self.start_s is not None

    @property
    def windowed(self) -> bool:
        """A fault with a duration (an outage, a latency, a broker down); others are instants."""
        return self.kind in WINDOWED_FAULTS and self.start_s is not None


@dataclass(frozen=True)
class EndpointStats:
    """One request name: Locust's counts and the recorder's corrected latency."""

    name: str
    group: str
    requests: int
    failures: int
    p50_s: float
    p95_s: float
    p99_s: float
    max_s: float
    uncorrected_p95_s: float
    uncorrected_p99_s: float
    #: requests that got no answer within the client's timeout (counted among failures)
    timeouts: int = 0

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    def timed_out_at(self, percentile: float) -> bool:
        """Whether the ``percentile`` falls among the timed-out requests (the slowest), so
        its value is only a lower bound: the client's timeout, not a measured latency."""
        return self.requests > 0 and self.timeouts > (1 - percentile / 100) * self.requests


@dataclass(frozen=True)
class FailureRow:
    """One request name and one cause of failure; ``sample_url`` one URL it failed on."""

    method: str
    name: str
    error: str
    occurrences: int
    sample_url: str = ""


@dataclass(frozen=True)
class ExceptionRow:
    count: int
    message: str
    traceback: str


@dataclass(frozen=True)
class AuditCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class FlashSku:
    """A flash-sale SKU at the end of the run; ``sold_out_s`` from the run's start."""

    sku: str
    initial: int
    sold: int
    held: int
    available: int
    sold_out_s: float | None


@dataclass(frozen=True)
class UsersSeries:
    t: tuple[float, ...] = ()
    intended: tuple[float, ...] = ()
    running: tuple[float, ...] = ()


@dataclass(frozen=True)
class ArrivalSeries:
    """Arrivals per interval of intended time, as rates per second."""

    t: tuple[float, ...] = ()
    intended: tuple[float, ...] = ()
    sent: tuple[float, ...] = ()
    missed: tuple[float, ...] = ()


@dataclass(frozen=True)
class RunData:
    """Everything measured in one run, as plain data."""

    path: Path
    run: RunRecord
    profile: str
    slos: Slos
    phases: tuple[Phase, ...]
    sale_opens_at_s: float | None
    duration_s: float
    users: UsersSeries
    arrivals: ArrivalSeries
    requests_per_s: Series
    failures_per_s: Series
    outcomes: Mapping[str, Series]
    outcome_totals: Mapping[str, int]
    distributions: Mapping[str, Distribution]
    timelines: Mapping[str, GroupTimeline]
    endpoints: tuple[EndpointStats, ...]
    requests: int
    failures: int
    failure_rows: tuple[FailureRow, ...] = ()
    exceptions: tuple[ExceptionRow, ...] = ()
    audit_checks: tuple[AuditCheck, ...] | None = None
    flash: tuple[FlashSku, ...] = ()
    orders_by_status: Mapping[str, int] = field(default_factory=dict)
    cpu: Series = Series()
    capacity: PlanDocument | None = None
    faults: tuple[Fault, ...] = ()
    #: each phase's corrected distribution per endpoint group (``all`` included)
    phase_distributions: Mapping[str, Mapping[str, Distribution]] = field(default_factory=dict)
    #: the target description the run used: its groups, services and outcomes
    target: TargetDescription = field(default_factory=reference_description)
    #: what ``distributions``, ``timelines`` and objectives measure: "corrected" (from each
    #: request's intended start), or "uncorrected" (from its send) when plain Locust users ran
    latency_kind: str = "corrected"
    #: corrected page-load time of each page type (``all``: every page view)
    page_loads: Mapping[str, Distribution] = field(default_factory=dict)
    #: the profile's shopper patience (None: ``patience: off``, nobody abandons)
    patience: Patience | None = None
    #: the notifications queue sampled each second, Unix times (None: the run had no queue)
    queue: QueueRecord | None = None

    @property
    def corrected(self) -> bool:
        """Whether the run's latency is corrected for coordinated omission."""
        return self.latency_kind == "corrected"

    @property
    def group_order(self) -> tuple[str, ...]:
        """``all``, then the target's endpoint groups in its order, then ``other``."""
        return ("all", *self.target.group_names)

    @property
    def valid(self) -> bool:
        return self.run.measured.validity.valid

    @property
    def invalid_reasons(self) -> tuple[str, ...]:
        return self.run.measured.validity.reasons

    @property
    def interrupted(self) -> bool:
        return self.run.measured.interrupted

    @property
    def audit_ok(self) -> bool | None:
        value = self.run.audit_ok
        if value is None and self.audit_checks is not None:
            return all(check.ok for check in self.audit_checks)
        return value

    @property
    def scale(self) -> float:
        return self.run.measured.scale

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def mean_rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    def peak_rps(self, window_s: int = 10) -> float:
        """The busiest ``window_s`` seconds of the run, in requests per second."""
        values = self.requests_per_s.values
        if not values:
            return self.mean_rps
        width = min(window_s, len(values))
        best = max(sum(values[i : i + width]) for i in range(len(values) - width + 1))
        return best / width

    @property
    def peak_users(self) -> float:
        return max(self.users.running, default=0.0)

    @property
    def peak_arrivals_per_s(self) -> float:
        return max(self.arrivals.sent, default=0.0)
