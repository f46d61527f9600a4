"""``stampede verify`` (and ``stampede plan --verify``): confirm a plan on one replica.

After a plan, this runs short open-model confirmation plateaus (Poisson
arrivals) through the same machinery as the probe (:func:`runner.execute`):
the probe's own locustfile, target description, mix and host (or the embedded
store, one worker), at each service's operating point and at 1.25 × its safe
rate (:mod:`stampede.app.verify_points` says why those two and how they are
judged). A service's rate becomes an arrival rate through its requests per
arrival in the probe's lighter plateaus; the confirmation run goes into
``RUN/capacity/verify-run/``, its judgement into ``RUN/capacity/verify.json``
and a section of ``summary.md``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stampede.app.plan_input import ProbeRun, read_run
from stampede.app.runner import RunRequest, execute
from stampede.app.verify_points import (
    TOLERANCE,
    Judged,
    Measured,
    VerifyPoint,
    judge,
    late_only_above,
    point_json,
    point_line,
    verdict_line,
    verify_points,
)
from stampede.core.errors import ConfigError, InvalidRunError
from stampede.core.exits import Exit
from stampede.core.plan_document import PlanDocument
from stampede.core.protocol import PLAN_DIR, TARGET_FILE
from stampede.core.rundir import RunDir, write_text
from stampede.core.strict_json import strict_json
from stampede.profiles import Arrivals, Stage, load_profile

VERIFY_FILE = "verify.json"
VERIFY_RUN = "verify-run"
VERIFY_CALIBRATION = "verify-calibration"
STEP_S = 0.1
#: an unmeasured lead-in at a quarter of the first point's rate: Locust spawns its whole pool
#: of open-model users first (seconds on a busy machine), and the arrivals due meanwhile go out
#: in one burst, which a light rate keeps small and lets the target drain before the plateaus
LEAD_IN_S = 4.0
LEAD_IN_SHARE = 0.25
#: arrivals a calibration plateau measures at least: a closed-model probe's light rate can be
#: under one arrival a second, where an 8 s hold measures 7 arrivals and one sent late is 14 %
#: of them (the run is invalid above 5 %), while requests per arrival want many visits
CALIBRATION_ARRIVALS = 50
MAX_HOLD_S = 600.0
_SECTION = "\n## Verify: predicted, then measured on one replica\n"


@dataclass(frozen=True)
class VerifyRequest:
    """What to confirm: the probe run whose ``capacity/`` holds the plan, and how long."""

    run_dir: Path
    hold_s: float = 8.0
    host: str | None = None
    seed: int | None = None
    command: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.hold_s) and 2.0 <= self.hold_s <= MAX_HOLD_S):
            raise ConfigError(
                f"--verify-hold {self.hold_s:g} s is not allowed; hold each confirmation "
                "plateau 2 to 600 s (e.g. --verify-hold 8s)"
            )


@dataclass(frozen=True)
class VerifyOutcome:
    line: str
    judged: tuple[Judged, ...]
    valid: bool
    exit: Exit
    files: tuple[Path, ...]
    #: the confirmation run was stopped (Ctrl-C, SIGTERM) or lost its target
    interrupted: bool = False
    target_lost: bool = False

    def lines(self) -> list[str]:
        """What the command prints: the verdict first, then each plateau and the files."""
        return [
            self.line,
            f"Tolerance: {TOLERANCE}.",
            *(point_line(j) for j in self.judged),
            *(f"Wrote {path}" for path in self.files),
        ]


def _warmup_s(hold_s: float) -> float:
    """Leading seconds of a plateau left out: a fifth of the hold, at least one."""
    return max(1.0, hold_s / 5.0)


def _service_recorder(facts: ProbeRun, service: str, start: float, end: float) -> Measured:
    """The service's requests meant to start in the whole seconds inside ``[start, end)``.

    The timeline keeps one interval a second, so the window is cut to the seconds that
    lie wholly inside, and a rate is over those seconds.
    """
    assert facts.timeline is not None
    first, last = math.ceil(start), math.floor(end)
    if last <= first:
        return Measured(0.0, None, 0)
    window = facts.timeline.window(first, last)
    describe = facts.services.description
    mine = window.select(g for g in window.groups() if describe.service_of(g) == service)
    count = mine.count()
    if not count:
        return Measured(0.0, None, 0)
    p95 = mine.percentiles([95.0])[95.0] * 1000.0
    uncorrected = mine.percentiles([95.0], "uncorrected")[95.0] * 1000.0
    return Measured(count / (last - first), p95, count, uncorrected)


def probe_visits(facts: ProbeRun) -> dict[str, float]:
    """Each measured service's requests per arrival in the probe's lighter half of plateaus.

    Raises ConfigError for a probe without a timeline.
    """
    if facts.levels is None or facts.timeline is None:
        raise ConfigError(
            f"{facts.path} has no timeline.json; verify needs a probe made with `stampede run` "
            "to turn a service's safe rate into an arrival rate"
        )
    levels = sorted(facts.levels, key=lambda w: w.level)[: max(1, len(facts.levels) // 2)]
    visits: dict[str, float] = {}
    for service in facts.services.measured:
        requests = arrivals = 0.0
        for level in levels:
            start = level.start_s + _warmup_s(level.end_s - level.start_s)
            requests += _service_recorder(facts, service, start, level.end_s).requests
            # the same whole seconds the requests were counted in
            arrivals += level.level * max(0, math.floor(level.end_s) - math.ceil(start))
        if requests > 0 and arrivals > 0:
            visits[service] = requests / arrivals
    return visits


def calibration_rate(facts: ProbeRun) -> float:
    """Arrivals per second of a closed-model probe's lightest plateau, were its answers instant.

    A closed-model user starts one task per think time plus the task's own time,
    so ``users / think time`` is the most tasks per second its lightest plateau could
    start: as light as the probe gets, when the tasks are short beside the think time.
    """
    profile = RunDir(facts.path).profile(load_profile)
    users = [s.users for s in profile.stages if s.users]
    if not users or facts.think_time_s <= 0:
        raise ConfigError(
            f"{facts.path} is a closed-model probe whose users do not think (mean think time "
            f"{facts.think_time_s:g} s), so no arrival rate is as light as its plateaus; "
            "probe with an open model (arrivals_per_s stages) to verify its plan"
        )
    return min(users) / facts.think_time_s


def calibration_hold(rate: float, hold_s: float) -> float:
    """Seconds to hold the calibration plateau at ``rate`` arrivals/s: ``hold_s``, or longer
    so that its measured seconds (after the warm-up) hold :data:`CALIBRATION_ARRIVALS`
    arrivals; at most :data:`MAX_HOLD_S`."""
    measured_share = 1.0 - 1.0 / 5.0  # the warm-up is a fifth of a hold of 5 s or more
    needed = max(5.0, CALIBRATION_ARRIVALS / (rate * measured_share))
    return min(MAX_HOLD_S, max(hold_s, float(math.ceil(needed))))


def _calibrate(
    request: VerifyRequest, facts: ProbeRun, plan_dir: Path, echo: Callable[[str], None]
) -> dict[str, float]:
    """Requests per arrival of each service, from one light open-model plateau.

    A closed-model probe has no arrival rate, so a calibration run of the same
    mix holds :func:`calibration_rate` for one plateau of evenly spaced arrivals (their
    count is exact, unlike a Poisson stream's) and counts each service's requests in it.
    """
    rate = calibration_rate(facts)
    hold = calibration_hold(rate, request.hold_s)
    profile = plan_dir / "verify-calibration.yaml"
    write_text(profile, confirmation_profile(facts, [rate], hold, arrivals="even"))
    echo(
        f"Verify: the probe is a closed model; calibrating requests per arrival at "
        f"{rate:.3g} arrivals/s (its lightest plateau's users, were the answers instant) "
        f"for {hold:g} s"
    )
    result = execute(_run_request(request, facts, profile, VERIFY_CALIBRATION), echo)
    run = read_run(result.run_dir)
    if not run.valid or run.record.measured.interrupted:
        raise InvalidRunError(
            f"the calibration run {result.run_dir} is not to be trusted "
            f"({'; '.join(run.reasons) or 'interrupted'}), so no rate can be confirmed"
        )
    window = _plateau(run.record.measured.origin, 0, hold)
    visits = {}
    for service in facts.services.measured:
        seen = _service_recorder(run, service, *window)
        if seen.requests:
            visits[service] = seen.rps / rate
    return visits


def probe_curves(plan_dir: Path) -> dict[str, list[tuple[float, float]]]:
    """Each service's (throughput, p95) per plateau of the probe, from the plan's services.csv."""
    curves: dict[str, list[tuple[float, float]]] = {}
    path = plan_dir / "services.csv"
    if not path.is_file():
        return curves
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                point = (float(row["throughput"]), float(row["p95_ms"]))
            except (KeyError, ValueError):
                continue
            curves.setdefault(row["service"], []).append(point)
    return curves


def confirmation_profile(
    facts: ProbeRun, rates: list[float], hold_s: float, arrivals: Arrivals = "poisson"
) -> str:
    """The probe's profile with plateaus at ``rates`` (arrivals/s), as YAML."""
    profile = RunDir(facts.path).profile(load_profile)
    lead_in = round(rates[0] * LEAD_IN_SHARE, 3)
    stages = [Stage(LEAD_IN_S, "verify-lead-in", arrivals_per_s=lead_in)]
    for i, exact in enumerate(rates):
        phase = f"verify-{i + 1:02d}"
        rate = round(exact, 3)
        stages.append(Stage(STEP_S, phase, arrivals_per_s=rate))
        stages.append(Stage(hold_s, phase, arrivals_per_s=rate))
    confirm = dataclasses.replace(
        profile,
        name=f"{profile.name}-verify",
        description=f"confirmation plateaus of the plan of {facts.path}",
        stages=tuple(stages),
        arrivals=arrivals,
        flash=None,
        scale=1.0,
        time_scale=1.0,
        applied_scale=1.0,
        applied_time_scale=1.0,
        target=str((facts.path / TARGET_FILE).resolve()),
    )
    return confirm.to_yaml()


def measure(confirm: ProbeRun, points: list[VerifyPoint], hold_s: float) -> list[Measured]:
    """Each point's plateau of the confirmation run: its service's rate and exact p95."""
    origin = confirm.record.measured.origin
    return [
        _service_recorder(confirm, point.service, *_plateau(origin, i, hold_s))
        for i, point in enumerate(points)
    ]


def _plateau(origin: float, i: int, hold_s: float) -> tuple[float, float]:
    """Run seconds measured of confirmation plateau ``i`` (as :func:`confirmation_profile`
    lays them out): after the lead-in, the earlier plateaus, its step and its warm-up."""
    start = origin + LEAD_IN_S + i * (STEP_S + hold_s) + STEP_S
    return start + _warmup_s(hold_s), start + hold_s


def _plan_of(request: VerifyRequest) -> tuple[ProbeRun, PlanDocument]:
    facts = read_run(request.run_dir)
    plan = RunDir(request.run_dir).plan()
    if plan is None:
        raise ConfigError(
            f"{request.run_dir} has no plan (no {PLAN_DIR}/plan.json); plan it first with "
            f"`stampede plan {request.run_dir}`, or run `stampede plan {request.run_dir} --verify`"
        )
    return facts, plan


def _run_request(request: VerifyRequest, facts: ProbeRun, profile: Path, out: str) -> RunRequest:
    runner = facts.record.runner
    remote = runner is None or runner.target_kind != "embedded"
    host = request.host or (facts.record.measured.host if remote else None)
    locustfile = runner.locustfile if runner is not None else None
    return RunRequest(
        profile=str(profile),
        host=host,
        out_dir=profile.parent / out,
        store_workers=1,
        isolation=True,  # one replica's figures, undisturbed by the generator
        seed=request.seed,
        report=False,
        command=request.command,
        locustfile=Path(locustfile) if locustfile else None,
    )


def forget_verification(plan_dir: Path) -> None:
    """Remove an earlier verify's runs and verdict: they confirmed a plan now replaced."""
    for earlier in (VERIFY_RUN, VERIFY_CALIBRATION):
        shutil.rmtree(plan_dir / earlier, ignore_errors=True)
    (plan_dir / VERIFY_FILE).unlink(missing_ok=True)


def verify_plan(request: VerifyRequest, echo: Callable[[str], None]) -> VerifyOutcome:
    """Confirm the plan in ``request.run_dir``'s ``capacity/`` and write what was found.

    Raises ConfigError on a missing plan, a closed-model probe or no service to
    confirm; TargetError when the target cannot be reached.
    """
    facts, plan = _plan_of(request)
    plan_dir = request.run_dir / PLAN_DIR
    forget_verification(plan_dir)  # an earlier verify's runs are replaced, not mixed in
    if facts.levels is not None:
        visits = probe_visits(facts)
    else:
        visits = _calibrate(request, facts, plan_dir, echo)
    points = verify_points(plan.sizing, visits, probe_curves(plan_dir))
    if not points:
        raise ConfigError(
            f"the plan in {plan_dir} sizes no service the probe measured, so there is nothing "
            "to confirm on one replica"
        )
    profile = plan_dir / "verify-profile.yaml"
    rates = [p.arrival_rate for p in points]
    write_text(profile, confirmation_profile(facts, rates, request.hold_s))
    echo(
        f"Verify: {len(points)} plateaus of {request.hold_s:g} s (operating point and "
        "1.25 × safe of each service), open model, Poisson arrivals, one replica"
    )
    result = execute(_run_request(request, facts, profile, VERIFY_RUN), echo)
    confirm = read_run(result.run_dir)
    judged = tuple(
        judge(p, m) for p, m in zip(points, measure(confirm, points, request.hold_s), strict=True)
    )
    reasons = "; ".join(confirm.reasons) or "interrupted"
    trusted = confirm.valid or (_late_only(confirm) and late_only_above(judged))
    valid = trusted and not confirm.record.measured.interrupted
    line = verdict_line(judged, valid, reasons)
    files = _write(plan_dir, line, judged, (valid, confirm.reasons), request, result.run_dir)
    return VerifyOutcome(
        line, judged, valid, _exit(judged, valid), files, result.interrupted, result.target_lost
    )


def _late_only(run: ProbeRun) -> bool:
    """Whether every reason the run is marked invalid is the generator's lateness."""
    late = ("were sent late", "of the intended arrivals were sent")
    return all(any(words in reason for words in late) for reason in run.reasons)


def _exit(judged: tuple[Judged, ...], valid: bool) -> Exit:
    if not valid or all(j.as_planned is None for j in judged):
        return Exit.UNTRUSTED
    return Exit.BREACHED if any(j.as_planned is False for j in judged) else Exit.OK


def _write(
    plan_dir: Path,
    line: str,
    judged: tuple[Judged, ...],
    validity: tuple[bool, tuple[str, ...]],
    request: VerifyRequest,
    run_dir: Path,
) -> tuple[Path, ...]:
    """verify.json (strict JSON) and the Verify section of summary.md (replacing an old one)."""
    document = {
        "format": "stampede.verify/1",
        "verdict": line,
        "valid": validity[0],
        # the confirmation run's own verdict: lateness confined to the 1.25 × plateaus is
        # by design (the pool waits on a replica over its capacity) and does not void it
        "run_invalid_because": list(validity[1]),
        "tolerance": TOLERANCE,
        "hold_s": request.hold_s,
        "warmup_s": _warmup_s(request.hold_s),
        "replicas": 1,
        "arrivals": "poisson",
        "run_dir": str(run_dir),
        "points": [point_json(j) for j in judged],
    }
    out = plan_dir / VERIFY_FILE
    write_text(out, json.dumps(strict_json(document), indent=2, allow_nan=False) + "\n")
    summary = plan_dir / "summary.md"
    text = summary.read_text(encoding="utf-8") if summary.is_file() else ""
    text = text.split(_SECTION)[0].rstrip("\n") + "\n"
    rows = [f"- {point_line(j).strip()}" for j in judged]
    section = [line, "", f"Tolerance: {TOLERANCE}.", "", *rows, ""]
    write_text(summary, text + _SECTION + "\n" + "\n".join(section))
    return out, summary
