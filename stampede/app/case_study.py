"""``stampede case-study``: the before/after of the case study, measured on this machine.

For each architecture of the embedded store, legacy (the monolith) first, then
modern (the services), with the same seed:

1. the flash-sale profile at ``scale`` and ``time_scale``, with one injected
   fault (a payment outage a fifth of the way into the sale, for a tenth of it)
   whose recovery is the MTTR;
2. a short capacity probe at the same scale and ``probe_time_scale``;
3. ``stampede plan`` of that probe (users at the SLO, cost per month).

Then the dashboard (:mod:`stampede.reports._case_study`) is written into
``out_dir``: ``case-study.json``, ``.md`` and ``.html``. A plan that cannot be
made (too few plateaus at a tiny time scale) leaves its rows marked with the
reason; an interrupted run stops the study, keeping what was measured.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from stampede.app.planning import PlanRequest, plan_run
from stampede.app.run_finish import RunResult
from stampede.app.runner import RunRequest, execute
from stampede.core.errors import ConfigError
from stampede.core.machine import cpu_model
from stampede.profiles import Schedule, load_profile
from stampede.reports import load_run
from stampede.reports._case_study import Side
from stampede.reports._case_study_render import Conditions, invalid_runs, write_case_study

Echo = Callable[[str], None]
ARCHITECTURES = ("legacy", "modern")
SALE_PROFILE, PROBE_PROFILE = "flash-sale", "capacity-probe"


@dataclass(frozen=True)
class CaseStudyRequest:
    out_dir: Path
    scale: float
    time_scale: float
    probe_time_scale: float
    backend: str = "sqlite"
    database_url: str | None = None
    redis_url: str | None = None
    seed: int = 1


class Interrupted(Exception):
    """A run of the study was interrupted; ``run_dir`` keeps what it measured."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(f"interrupted during {run_dir}")
        self.run_dir = run_dir


def fault_spec(scale_time: float) -> str:
    """The sale's one fault: a payment outage a fifth into the sale, for a tenth of it."""
    sale = load_profile(SALE_PROFILE).scaled(None, scale_time)
    phase = next(p for p in Schedule.from_profile(sale).phases if p.name == "sale")
    opens = sale.flash.opens_at_s if sale.flash is not None else 0.0
    into = max(phase.start_s - opens + 0.2 * (phase.end_s - phase.start_s), 0.0)
    length = max(0.1 * (phase.end_s - phase.start_s), 1.0)
    return f"payment-outage@sale+{round(into * 1000)}ms:{round(length * 1000)}ms"


def store_args(request: CaseStudyRequest, architecture: str) -> tuple[str, ...]:
    args = [f"--architecture={architecture}"]
    if request.backend == "postgres":
        if request.database_url is None or request.redis_url is None:
            raise ConfigError(
                "--backend postgres needs --database-url and --redis-url (or "
                "STAMPEDE_DATABASE_URL and STAMPEDE_REDIS_URL), e.g. "
                "postgresql://postgres@127.0.0.1:5432/stampede and redis://127.0.0.1:6379/0"
            )
        args += [
            "--backend=postgres",
            f"--database-url={request.database_url}",
            f"--redis-url={request.redis_url}",
        ]
    return tuple(args)


def _flags(args: tuple[str, ...]) -> str:
    """The store's flags as ``stampede run`` takes them, for the recorded command."""
    return " ".join(f"--store-arg={arg}" for arg in args)


def _run(request: RunRequest, echo: Echo) -> RunResult:
    result = execute(request, echo)
    if result.interrupted:
        raise Interrupted(result.run_dir)
    return result


def _plan(probe_dir: Path, echo: Echo) -> str | None:
    """Plan the probe (into its ``capacity/``); why not, when it cannot be planned."""
    try:
        plan_run(PlanRequest(run_dir=probe_dir, charts=False))
    except ConfigError as exc:
        echo(f"No plan from {probe_dir}: {exc}")
        return str(exc)
    return None


def _side(request: CaseStudyRequest, architecture: str, fault: str, echo: Echo) -> Side:
    root = request.out_dir / architecture
    args = store_args(request, architecture)
    echo(f"— {architecture}: the flash sale, with {fault}")
    sale = _run(
        RunRequest(
            profile=SALE_PROFILE, scale=request.scale, time_scale=request.time_scale,
            out_dir=root / "sale", store_args=args, chaos=(fault,), seed=request.seed,
            command=f"stampede run {SALE_PROFILE} --scale {request.scale:g} --time-scale "
            f"{request.time_scale:g} {_flags(args)} --chaos {fault}",
        ),
        echo,
    )  # fmt: skip
    echo(f"— {architecture}: the capacity probe")
    probe = _run(
        RunRequest(
            profile=PROBE_PROFILE, scale=request.scale, time_scale=request.probe_time_scale,
            out_dir=root / "probe", store_args=args, seed=request.seed, report=False,
            command=f"stampede run {PROBE_PROFILE} --scale {request.scale:g} --time-scale "
            f"{request.probe_time_scale:g} {_flags(args)}",
        ),
        echo,
    )  # fmt: skip
    why = _plan(probe.run_dir, echo)
    probed = load_run(probe.run_dir)  # with its plan, when there is one
    return Side(architecture, load_run(sale.run_dir), probed, probed.capacity, why)


def machine() -> str:
    return f"{platform.node()}: {os.cpu_count()} CPUs ({cpu_model()}), {platform.platform()}"


def run_case_study(
    request: CaseStudyRequest, echo: Echo
) -> tuple[tuple[Path, Path, Path], list[str]]:
    """Make every run of the study and write its dashboard; return the (json, md, html)
    paths and the runs whose measurements are invalid."""
    fault = fault_spec(request.time_scale)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    before, after = (_side(request, arch, fault, echo) for arch in ARCHITECTURES)
    conditions = Conditions(
        scale=request.scale,
        time_scale=request.time_scale,
        probe_time_scale=request.probe_time_scale,
        backend=request.backend,
        machine=machine(),
        fault=fault,
        started_at=started,
    )
    paths = write_case_study(request.out_dir, before, after, conditions)
    return paths, invalid_runs((before, after))
