"""Plan capacity from a run directory: the glue between ``stampede run`` and ``capacity``.

:func:`read_run` gathers what a plan needs from a run directory (the stats
history, the profile's think times and p95 objective, the run's validity and
scales, the generator's measured throughput); :func:`plan_run` hands that to
:func:`capacity.make_plan` and writes ``RUN_DIR/capacity/`` with
:func:`capacity.write_plan`; :func:`summary_lines` is what the command prints.
The models stay pure; reading and writing files happens here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from stampede.capacity import (
    MEASURED_SERVICES,
    CapacityPlan,
    Endpoint,
    GeneratorMeasurement,
    PlanConfig,
    PlateauDetection,
    ProbeFacts,
    SaleWindow,
    SharedTiers,
    Topology,
    default_topology,
    load_prices,
    load_stats_history,
    load_topology,
    make_plan,
    write_plan,
)
from stampede.core.errors import ConfigError
from stampede.core.latency import Kind, LatencyRecorder, LatencyTimeline
from stampede.core.rundir import RunDir
from stampede.profiles import EndpointGroup, Profile, load_profile, parse_duration, parse_latency

HISTORY_FILE = "locust_stats_history.csv"
STATS_FILE = "locust_stats.csv"
STORE_CPU_FILE = "store-cpu.json"
PROBE_COMMAND = "stampede run capacity-probe"
DEFAULT_TARGET_USERS = 120_000
#: leading seconds of a plateau slower than this × its steady latency are a login burst
SETTLE_FACTOR = 2.0
#: Locust's rolling percentile window plus a warm-up: shorter holds blur per-service p95s
MIN_TRUSTED_HOLD_S = 20.0
_SLO = re.compile(r"\s*p95\s*=\s*(\S+)\s*")


@dataclass(frozen=True)
class RunFacts:
    """What a capacity plan takes from one run directory."""

    path: Path
    history: pd.DataFrame
    profile: str
    valid: bool
    reasons: tuple[str, ...]
    scale: float
    time_scale: float
    slo_p95_ms: float | None
    think_time_s: float
    hold_s: float | None
    generator: GeneratorMeasurement | None
    timeline: LatencyTimeline | None = None
    store_workers: int | None = None
    store_cpu: pd.DataFrame | None = None
    #: mean response body of the run's requests (Locust's "Average Content Size")
    response_bytes: float | None = None


class TimelineLatency:
    """Exact p95s of any window, from a run's per-second latency histograms.

    Parameters
    ----------
    timeline
        The run's ``timeline.json`` (one interval a second, Unix time).
    kind
        ``"corrected"`` (from the moment each request was due: what a user
        waited) or ``"uncorrected"`` (from the moment it was sent).
    """

    def __init__(self, timeline: LatencyTimeline, kind: Kind = "corrected") -> None:
        self.timeline = timeline
        self.kind: Kind = kind
        self._windows: dict[tuple[int, int], LatencyRecorder] = {}

    def p95_ms(self, endpoints: Collection[Endpoint] | None, start_s: int, end_s: int) -> float:
        """The p95 in ms of ``endpoints`` (``None``: all) completed in ``[start_s, end_s)``."""
        window = self._windows.get((start_s, end_s))
        if window is None:
            window = self._windows[start_s, end_s] = self.timeline.window(start_s, end_s)
        if endpoints is not None:
            window = window.select(f"{kind} {name}" for kind, name in endpoints)
        if window.count(self.kind) == 0:
            return float("nan")
        return window.percentiles([95.0], self.kind)[95.0] * 1000.0


@dataclass(frozen=True)
class PlanRequest:
    """The inputs of ``stampede plan``: a run directory and optional overrides."""

    run_dir: Path
    target_users: float = DEFAULT_TARGET_USERS
    slo_p95_ms: float | None = None
    prices: Path | None = None
    topology: Path | None = None
    charts: bool = True
    baseline_users: float | None = None
    sale_start: datetime | None = None
    sale_duration_s: int = 3600


@dataclass(frozen=True)
class PlanOutcome:
    """A plan, the run it came from, and the files written."""

    plan: CapacityPlan
    facts: RunFacts
    out_dir: Path
    files: tuple[Path, ...]


def parse_slo(text: str) -> float:
    """Milliseconds in an objective written ``p95=500ms`` (or ``p95=1.2s``)."""
    match = _SLO.fullmatch(text)
    try:
        seconds = parse_latency(match.group(1)) if match else -1.0
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise ConfigError(
            f"--slo {text!r} is not an objective; write the p95 with a unit, "
            "e.g. --slo p95=500ms or --slo p95=1.2s."
        )
    return seconds * 1000.0


def parse_sale_duration(text: str) -> int:
    """Whole seconds in a sale's length written ``1h``, ``90m`` or ``3600``."""
    try:
        seconds = parse_duration(text)
    except ValueError:
        seconds = -1.0
    if seconds < 1:
        raise ConfigError(
            f"--sale-duration {text!r} is not a length of time; write it with a unit, "
            "e.g. --sale-duration 1h or --sale-duration 45m."
        )
    return round(seconds)


def _hold_s(profile: Profile) -> float | None:
    """The shortest stage that holds the previous stage's users (a plateau's hold)."""
    holds = [
        b.duration_s
        for a, b in zip(profile.stages, profile.stages[1:], strict=False)
        if b.users is not None and b.users == a.users
    ]
    return min(holds) if holds else None


def _think_time_s(profile: Profile) -> float:
    """Mean think time between a user's actions, weighted by the mix."""
    return sum(m.weight * m.think_time.mean_s for m in profile.mix)


def _slo_ms(profile: Profile) -> float | None:
    slo = profile.slos.latency_for(EndpointGroup.ALL)
    return slo.p95_s * 1000.0 if slo is not None and slo.p95_s is not None else None


def _generator(run: dict[str, Any]) -> GeneratorMeasurement | None:
    sizing = run.get("generator_sizing") or {}
    rps, memory = sizing.get("measured_rps_per_core"), sizing.get("measured_memory_mb_per_user")
    if not rps or not memory or rps <= 0 or memory <= 0:
        return None
    # the runner measures requests per second of one fully busy core
    return GeneratorMeasurement(float(rps), 1.0, float(memory))


def _open_run_dir(path: Path) -> RunDir:
    if not path.is_dir():
        raise ConfigError(
            f"run directory {path} does not exist; make one with `{PROBE_COMMAND}` "
            "and pass the directory it prints."
        )
    return RunDir(path).check()


def read_run(path: Path) -> RunFacts:
    """Read what a plan needs from the run directory at ``path``.

    Raises
    ------
    ConfigError
        If the directory, its run.json, its profile.yaml or its stats history is missing.
    """
    rundir = _open_run_dir(path)
    history_file = rundir.file(HISTORY_FILE)
    if not history_file.is_file():
        raise ConfigError(
            f"{path} has no stats history ({HISTORY_FILE}); run the capacity-probe profile "
            f"(`{PROBE_COMMAND}`), which records it."
        )
    if not rundir.has("profile.yaml"):
        raise ConfigError(
            f"{path} has no profile.yaml; the run did not finish, run `{PROBE_COMMAND}` again."
        )
    run = rundir.run()
    profile = load_profile(rundir.file("profile.yaml"))
    validity = run.get("validity") or {}
    workers = run.get("store_workers")
    return RunFacts(
        path=path,
        history=load_stats_history(history_file),
        profile=str(run.get("profile", profile.name)),
        valid=bool(validity.get("valid", False)),
        reasons=tuple(str(r) for r in validity.get("reasons", [])),
        scale=float(run.get("scale", profile.applied_scale)),
        time_scale=float(run.get("time_scale", profile.applied_time_scale)),
        slo_p95_ms=_slo_ms(profile),
        think_time_s=_think_time_s(profile),
        hold_s=_hold_s(profile),
        generator=_generator(run),
        timeline=rundir.timeline() if rundir.has("timeline.json") else None,
        store_workers=int(workers) if isinstance(workers, int) and workers > 0 else None,
        store_cpu=_store_cpu(rundir),
        response_bytes=_response_bytes(rundir),
    )


def _response_bytes(rundir: RunDir) -> float | None:
    """The mean response body over all requests (the ``Aggregated`` row of locust_stats.csv)."""
    for row in rundir.read_csv(STATS_FILE):
        if row.get("Name") != "Aggregated":
            continue
        try:
            count, size = float(row["Request Count"]), float(row["Average Content Size"])
        except (KeyError, TypeError, ValueError):
            return None
        return size if count > 0 and size > 0 else None
    return None


def _store_cpu(rundir: RunDir) -> pd.DataFrame | None:
    """The embedded store's CPU per second (store-cpu.json), or None when not sampled."""
    if not rundir.has(STORE_CPU_FILE):
        return None
    data = rundir.read_json(STORE_CPU_FILE)
    try:
        return pd.DataFrame(
            {
                "at": [float(r["at"]) for r in data["samples"]],
                "cores": [float(r["cores"]) for r in data["samples"]],
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"{rundir.file(STORE_CPU_FILE)} is malformed ({exc!r}); it should hold "
            '{"samples": [{"at": <unix time>, "cores": <float>}, ...]}; delete it to plan '
            "without splitting replicas by service."
        ) from exc


def plateau_windows(hold_s: float | None) -> tuple[float, float]:
    """(warm-up, shortest window) in seconds for plateaus held ``hold_s`` each.

    A fifth of the hold is warm-up and a quarter must remain, capped at the
    10 s and 20 s that suit the probe's full-length 50 s holds.
    """
    if hold_s is None:
        return 10.0, 20.0
    return min(10.0, hold_s / 5.0), min(20.0, hold_s / 4.0)


def measured_topology(topology: Topology | None, facts: RunFacts) -> Topology:
    """``topology`` (or the default) with what the run measured in place of assumptions.

    A run against the embedded store with ``--workers N`` measured N replicas
    of every service at once, and every run measured its mean response body,
    which prices the data transferred out. A topology that names its own
    ``measured_replicas`` or ``bytes_per_response`` keeps them.
    """
    topology = topology or default_topology()
    if (
        facts.response_bytes is not None
        and topology.shared.bytes_per_response == SharedTiers().bytes_per_response
    ):
        shared = dataclasses.replace(topology.shared, bytes_per_response=facts.response_bytes)
        topology = dataclasses.replace(topology, shared=shared)
    if facts.store_workers is None:
        return topology
    services = dict(topology.services)
    for name in MEASURED_SERVICES:
        if services[name].measured_replicas == 1:
            services[name] = dataclasses.replace(
                services[name], measured_replicas=facts.store_workers
            )
    return dataclasses.replace(topology, services=services)


def run_warnings(facts: RunFacts) -> list[str]:
    """Caveats about the run itself, printed before the plan's own warnings."""
    notes = []
    if not facts.valid:
        notes.append(
            "the run is marked invalid ("
            + ("; ".join(facts.reasons) or "see run.json")
            + "); its load was not what the profile asked for, so treat the plan as a draft."
        )
    if facts.hold_s is not None and facts.hold_s < MIN_TRUSTED_HOLD_S:
        notes.append(
            f"plateaus were held {facts.hold_s:g} s (time scale {facts.time_scale:g}), under "
            f"{MIN_TRUSTED_HOLD_S:g} s: per-service p95s include each step's login burst and "
            "quiet services are measured from few requests; plan from a run at the profile's "
            "own time scale before trusting the replica counts."
        )
    if facts.timeline is None:
        notes.append(
            "the run has no timeline.json, so plateau p95s are medians of Locust's rolling "
            "10 s window, which reaches into the previous step; run with `stampede run` "
            "for exact ones."
        )
    if facts.store_workers is not None and facts.store_cpu is None:
        notes.append(
            "the services shared each store worker and the run has no store-cpu.json, so "
            "each is sized at the throughput it had while sharing: that over-counts replicas "
            "by up to the number of services; plan from a run made by this version."
        )
    if facts.store_workers is None:
        notes.append(
            "the run does not say how many store workers served it (a --host run); the plan "
            "takes the topology's measured_replicas (1 unless set)."
        )
    return notes


def source_facts(facts: RunFacts) -> dict[str, object]:
    """The run's provenance, as written into plan.json and summary.md."""
    return {
        "run_dir": str(facts.path),
        "profile": facts.profile,
        "valid": facts.valid,
        "invalid_because": "; ".join(facts.reasons) or None,
        "scale": facts.scale,
        "time_scale": facts.time_scale,
        "profile_think_time_s": round(facts.think_time_s, 3),
        "plateau_hold_s": facts.hold_s,
        "store_workers": facts.store_workers,
        "response_bytes_measured": (
            round(facts.response_bytes, 1) if facts.response_bytes is not None else None
        ),
        "plateau_p95": "exact (corrected)" if facts.timeline is not None else "Locust rolling",
        "run_warnings": run_warnings(facts),
    }


def plan_run(request: PlanRequest) -> PlanOutcome:
    """Plan capacity from the run in ``request.run_dir`` and write ``RUN_DIR/capacity/``.

    Raises
    ------
    ConfigError
        On a missing run directory or history, too few plateaus, a bad price
        sheet or topology, or no p95 objective.
    """
    facts = read_run(request.run_dir)
    slo = request.slo_p95_ms if request.slo_p95_ms is not None else facts.slo_p95_ms
    if slo is None:
        raise ConfigError(
            f"the profile of {facts.path} sets no p95 for the 'all' group; "
            "pass one with --slo p95=500ms."
        )
    prices = load_prices(request.prices)
    topology = load_topology(request.topology) if request.topology is not None else None
    warmup_s, min_duration_s = plateau_windows(facts.hold_s)
    config = PlanConfig(
        target_users=request.target_users,
        slo_p95_ms=slo,
        baseline_users=request.baseline_users,
        sale=SaleWindow(request.sale_start, request.sale_duration_s),
        run=ProbeFacts(
            think_time_s=facts.think_time_s,
            latency=TimelineLatency(facts.timeline) if facts.timeline is not None else None,
            store_cpu=facts.store_cpu,
            generator=facts.generator,
        ),
        plateaus=PlateauDetection(warmup_s, min_duration_s, SETTLE_FACTOR),
        prices=prices,
        topology=measured_topology(topology, facts),
    )
    plan = make_plan(facts.history, config)
    out = facts.path / "capacity"
    files = write_plan(plan, out, charts=request.charts, source=source_facts(facts))
    return PlanOutcome(plan, facts, out, tuple(files))


def _validity_line(facts: RunFacts) -> str:
    state = "valid" if facts.valid else "INVALID — " + ("; ".join(facts.reasons) or "see run.json")
    return (
        f"Run {facts.path} ({facts.profile}, scale {facts.scale:g}, time scale "
        f"{facts.time_scale:g}): measurements {state}"
    )


def _fit_lines(plan: CapacityPlan) -> list[str]:
    u = plan.usl
    n_star = f"{u.n_star:.3g}" if u.n_star != float("inf") else "unbounded"
    return [
        f"USL fit on {len(plan.plateaus.points)} plateaus: sigma {u.sigma:.4g} ± {u.sigma_se:.2g}, "
        f"kappa {u.kappa:.3g} ± {u.kappa_se:.2g}, lambda {u.lambda_:.4g} ± {u.lambda_se:.2g} "
        f"req/s, R² {u.r_squared:.3f}",
        f"  peak: N* {n_star} in flight, X_max {u.x_max:,.0f} req/s "
        f"(measured up to N {u.max_n:.3g}, one store instance at the run's scale)",
    ]


def _cost_lines(plan: CapacityPlan) -> list[str]:
    c = plan.cost
    levers = sorted((s for s in c.waterfall if s.kind == "change"), key=lambda s: s.amount)[:3]
    return [
        f"Cost: {c.monthly_baseline:,.0f} {c.currency}/month baseline "
        f"({plan.baseline_users:,.0f} users; "
        + ", ".join(f"{line.label} {line.monthly:,.0f}" for line in c.lines()[:3])
        + f"); sale window ({c.sale_hours:.2f} h) {c.sale_window:,.2f} {c.currency}; "
        f"{c.cost_per_1000_orders:,.4f} {c.currency} per 1,000 orders",
        "Top savings: " + ("; ".join(f"{s.label} {s.amount:+,.2f}" for s in levers) or "none"),
    ]


def summary_lines(outcome: PlanOutcome) -> list[str]:
    """The short summary ``stampede plan`` prints."""
    plan = outcome.plan
    warnings = [*run_warnings(outcome.facts), *plan.warnings]
    replicas = ", ".join(
        f"{s} {plan.baseline_replicas[s]}→{z.replicas}" for s, z in plan.sizing.items()
    )
    return [
        _validity_line(outcome.facts),
        f"Target {plan.target_users:,.0f} users, p95 objective {plan.slo_p95_ms:g} ms; peak "
        f"demand {plan.peak_demand.total_rps:,.0f} req/s, "
        f"{plan.peak_demand.paid_orders_per_s:,.1f} paid orders/s",
        *_fit_lines(plan),
        f"Replicas (baseline→peak): {replicas}",
        f"Load generator: {plan.generator.workers} Locust worker processes, "
        f"{plan.generator.memory_gb:,.1f} GB",
        *_cost_lines(plan),
        *(["Warnings:"] + [f"  - {w}" for w in warnings] if warnings else []),
        f"Wrote {len(outcome.files)} files to {outcome.out_dir}/ (summary.md, plan.json, "
        "k8s/, aws/, charts/)",
    ]
