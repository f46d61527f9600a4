"""A capacity plan as written (``capacity/plan.json``): the one class its writer and readers share.

``stampede plan`` builds a :class:`PlanDocument` from a
:class:`~stampede.capacity.CapacityPlan` (``capacity.plan_document``) and
writes it with :meth:`PlanDocument.dumps`; the report and ``stampede
compare`` read it back with :meth:`PlanDocument.load` (through
:meth:`stampede.core.rundir.RunDir.plan`). The parts they read (the source
run, the inputs, the sizing, the service demands, the cost, the warnings) are
typed; the other sections (the USL fit, demand, visit ratios, shared tiers,
the generator, lead times, simulations) are kept as written, for people and
their tools. The file is strict JSON (``allow_nan=False``): a number that is
not finite is written ``null``, with a ``<key>_null_because`` beside it that
says why in words (the outbox never drains, the queue saturates, the sale
takes no orders).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stampede.core.errors import ConfigError
from stampede.core.fields import Fields, Json
from stampede.core.strict_json import finite, strict_json, why_null

_HINT = "; re-run `stampede plan` to rewrite the plan"
#: the sections kept as written, in the file's order with the typed ones
DETAIL_SECTIONS = (
    "usl",
    "demand",
    "visit_ratios",
    "database",
    "redis",
    "outbox",
    "generator",
    "lead_times",
    "simulations",
)
_ORDER = (
    "source",
    "inputs",
    "usl",
    "service_demands",
    "demand",
    "visit_ratios",
    "sizing",
    "database",
    "redis",
    "outbox",
    "generator",
    "lead_times",
    "simulations",
    "cost",
    "feasibility",
    "warnings",
)


@dataclass(frozen=True)
class PlanSource:
    """The run a plan was made from, and how far to trust it."""

    run_dir: str
    profile: str
    valid: bool
    invalid_because: str | None
    scale: float
    time_scale: float
    profile_think_time_s: float
    plateau_hold_s: float | None
    store_workers: int | None
    response_bytes_measured: float | None
    #: ``exact (corrected)`` from the run's histograms, or ``Locust rolling``
    plateau_p95: str
    run_warnings: tuple[str, ...]
    #: which outbox drain rate the plan used, measured (queue.json) or stated, and why
    outbox_drain: str | None = None
    #: services whose figures a generator on the embedded store's CPU cores held down
    shared_cpu_services: tuple[str, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> PlanSource:
        return cls(
            run_dir=f.text("run_dir"),
            profile=f.text("profile"),
            valid=f.flag("valid"),
            invalid_because=f.optional_text("invalid_because"),
            scale=f.number("scale"),
            time_scale=f.number("time_scale"),
            profile_think_time_s=f.number("profile_think_time_s"),
            plateau_hold_s=f.optional_number("plateau_hold_s"),
            store_workers=f.optional_integer("store_workers"),
            response_bytes_measured=f.optional_number("response_bytes_measured"),
            plateau_p95=f.text("plateau_p95"),
            run_warnings=f.texts("run_warnings"),
            outbox_drain=f.optional_text("outbox_drain", absent_ok=True),
            # plans written before probes were pinned to cores lack it
            shared_cpu_services=f.texts("shared_cpu_services", ()),
        )

    def to_json(self) -> dict[str, Json]:
        return {k: strict_json(v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class PlanInputs:
    """What the plan was asked for; ``sale_start`` in ISO 8601."""

    target_users: float
    baseline_users: float
    slo_p95_ms: float
    think_time_s: float | None
    sale_start: str
    sale_duration_s: int

    @classmethod
    def from_fields(cls, f: Fields) -> PlanInputs:
        return cls(
            target_users=f.number("target_users"),
            baseline_users=f.number("baseline_users"),
            slo_p95_ms=f.number("slo_p95_ms"),
            think_time_s=f.optional_number("think_time_s"),
            sale_start=f.text("sale_start"),
            sale_duration_s=f.integer("sale_duration_s"),
        )


@dataclass(frozen=True)
class PlanSizingRow:
    """One service: its demand, what a replica can take, and the replicas planned."""

    service: str
    demand_rps: float
    budget_ms: float
    method: str
    #: the share of a measured store worker's CPU the service used (None: not split)
    replica_share: float | None
    safe_rps_per_replica: float
    target_utilization: float
    baseline_replicas: int
    peak_replicas: int
    #: None when the queue saturates at the planned replicas (``mmc_p95_ms_null_because``)
    mmc_p95_ms: float | None
    mmc_replicas: int | None
    #: why the service was held at its min_replicas, not sized (None: it was sized)
    not_sized_because: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> PlanSizingRow:
        share = f.optional_number("replica_share")
        return cls(
            service=f.text("service"),
            demand_rps=f.number("demand_rps"),
            budget_ms=f.number("budget_ms"),
            method=f.text("method"),
            # plans written before the file was strict JSON spelled a missing share NaN
            replica_share=None if share is None or math.isnan(share) else share,
            safe_rps_per_replica=f.number("safe_rps_per_replica"),
            target_utilization=f.number("target_utilization"),
            baseline_replicas=f.integer("baseline_replicas"),
            peak_replicas=f.integer("peak_replicas"),
            mmc_p95_ms=finite(f.optional_number("mmc_p95_ms")),
            mmc_replicas=f.optional_integer("mmc_replicas"),
            # plans written before services could go unmeasured lack it
            not_sized_because=f.optional_text("not_sized_because", absent_ok=True),
        )


@dataclass(frozen=True)
class PlanServiceDemands:
    """CPU milliseconds per request of each service, from the store's CPU (a regression)."""

    cpu_ms: Mapping[str, float]
    cpu_ms_se: Mapping[str, float]
    background_cores: float
    r_squared: float
    bins: int

    @classmethod
    def from_fields(cls, f: Fields) -> PlanServiceDemands:
        return cls(
            cpu_ms=f.number_map("cpu_ms"),
            cpu_ms_se=f.number_map("cpu_ms_se"),
            background_cores=f.number("background_cores"),
            r_squared=f.number("r_squared"),
            bins=f.integer("bins"),
        )


@dataclass(frozen=True)
class PlanCostLine:
    name: str
    label: str
    monthly: float
    sale_window: float

    @classmethod
    def from_fields(cls, f: Fields) -> PlanCostLine:
        return cls(f.text("name"), f.text("label"), f.number("monthly"), f.number("sale_window"))


@dataclass(frozen=True)
class PlanSaving:
    """One step of the savings waterfall: ``start``, a ``change`` (a lever), ``end``."""

    label: str
    amount: float
    total: float
    kind: str

    @classmethod
    def from_fields(cls, f: Fields) -> PlanSaving:
        return cls(f.text("label"), f.number("amount"), f.number("total"), f.text("kind"))


@dataclass(frozen=True)
class PlanCost:
    """The baseline month and the sale window, by line, in ``currency``."""

    currency: str
    monthly_baseline: float
    monthly_lines: Mapping[str, float]
    sale_hours: float
    sale_window: float
    sale_lines: Mapping[str, float]
    #: the lines, biggest first, as the summary and the report show them
    lines: tuple[PlanCostLine, ...]
    orders_in_sale: float
    #: None when the sale takes no orders
    cost_per_1000_orders: float | None
    waterfall: tuple[PlanSaving, ...]

    @classmethod
    def from_fields(cls, f: Fields) -> PlanCost:
        return cls(
            currency=f.text("currency"),
            monthly_baseline=f.number("monthly_baseline"),
            monthly_lines=f.number_map("monthly_lines"),
            sale_hours=f.number("sale_hours"),
            sale_window=f.number("sale_window"),
            sale_lines=f.number_map("sale_lines"),
            lines=f.each("lines", PlanCostLine.from_fields),
            orders_in_sale=f.number("orders_in_sale"),
            cost_per_1000_orders=finite(f.optional_number("cost_per_1000_orders")),
            waterfall=f.each("waterfall", PlanSaving.from_fields),
        )


@dataclass(frozen=True)
class PlanFix:
    """A shared tier that fails at the planned peak, the fix, and what it adds to the bill."""

    tier: str
    problem: str
    fix: str
    sizes: Mapping[str, int]
    monthly: float
    sale_window: float

    @classmethod
    def from_fields(cls, f: Fields) -> PlanFix:
        return cls(
            f.text("tier"),
            f.text("problem"),
            f.text("fix"),
            f.integer_map("sizes"),
            f.number("monthly"),
            f.number("sale_window"),
        )


@dataclass(frozen=True)
class PlanFeasibility:
    """Whether the plan holds as planned; otherwise the fixes, priced."""

    feasible: bool
    #: the fixes as one phrase, for a verdict ("PgBouncer ... and 17 Redis nodes")
    needs: str
    fixes: tuple[PlanFix, ...]
    monthly: float
    sale_window: float

    @classmethod
    def from_fields(cls, f: Fields) -> PlanFeasibility:
        return cls(
            f.flag("feasible"),
            f.text("needs"),
            f.each("fixes", PlanFix.from_fields),
            f.number("monthly"),
            f.number("sale_window"),
        )


@dataclass(frozen=True)
class PlanDocument:
    """``plan.json``: the typed parts a report reads, and the other sections as written."""

    source: PlanSource | None
    inputs: PlanInputs
    sizing: tuple[PlanSizingRow, ...]
    service_demands: PlanServiceDemands | None
    cost: PlanCost
    warnings: tuple[str, ...]
    details: Mapping[str, Json]
    #: None in a plan written before plans said whether they hold
    feasibility: PlanFeasibility | None = None

    @property
    def baseline_replicas(self) -> int:
        return sum(row.baseline_replicas for row in self.sizing)

    @property
    def peak_replicas(self) -> int:
        return sum(row.peak_replicas for row in self.sizing)

    @classmethod
    def from_json(cls, data: object, source: str) -> PlanDocument:
        """The plan in parsed ``data`` of the file ``source``, or a one-line ConfigError."""
        f = Fields.document(data, source, _HINT)
        run = f.child("source")
        demands = f.optional_child("service_demands")
        holds = f.optional_child("feasibility") if "feasibility" in f else None
        return cls(
            source=PlanSource.from_fields(run) if len(run) else None,
            inputs=PlanInputs.from_fields(f.child("inputs")),
            sizing=f.each("sizing", PlanSizingRow.from_fields),
            service_demands=None if demands is None else PlanServiceDemands.from_fields(demands),
            cost=PlanCost.from_fields(f.child("cost")),
            warnings=f.texts("warnings"),
            details=_details(f),
            feasibility=None if holds is None else PlanFeasibility.from_fields(holds),
        )

    @classmethod
    def load(cls, path: Path) -> PlanDocument:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}{_HINT}") from exc
        return cls.from_json(data, str(path))

    def to_json(self) -> dict[str, Json]:
        typed: dict[str, object] = {
            "source": self.source.to_json() if self.source is not None else {},
            "inputs": vars(self.inputs),
            "service_demands": (
                None if self.service_demands is None else vars(self.service_demands)
            ),
            "sizing": [why_null(vars(row), "mmc_p95_ms") for row in self.sizing],
            "cost": {
                **why_null(vars(self.cost), "cost_per_1000_orders"),
                "lines": [vars(line) for line in self.cost.lines],
                "waterfall": [vars(step) for step in self.cost.waterfall],
            },
            "warnings": list(self.warnings),
            "feasibility": None
            if self.feasibility is None
            else {
                **vars(self.feasibility),
                "fixes": [vars(fix) for fix in self.feasibility.fixes],
            },
        }
        sections = {**typed, **self.details}
        return {name: strict_json(sections[name]) for name in _ORDER}

    def dumps(self) -> str:
        """The text of ``plan.json`` (strict JSON; the one way it is written)."""
        return json.dumps(self.to_json(), indent=2, allow_nan=False) + "\n"


def _details(f: Fields) -> dict[str, Json]:
    """The sections kept as written: each must be there, an object or a list."""
    details: dict[str, Json] = {}
    for name in DETAIL_SECTIONS:
        f.child(name)
        details[name] = strict_json(f.raw(name))
    return details
