"""What ``stampede run`` prints when a run ends: the verdict first, then its state,
validity, audit, chaos and sizing."""

from __future__ import annotations

from dataclasses import dataclass

from stampede.app.run_finish import RunResult
from stampede.core.errors import StampedeError
from stampede.core.exits import Exit
from stampede.core.numbers import count, rate


@dataclass(frozen=True)
class RunVerdict:
    """The run's verdict line (the report's and the gate's) and the gate's exit code;
    ``gated`` when the profile has objectives to judge the run by."""

    line: str
    exit_code: int
    gated: bool


def judge_result(result: RunResult) -> RunVerdict:
    """Judge the run as ``stampede gate RUN_DIR`` would, by its profile's objectives."""
    from stampede.reports import load_run, run_gate

    try:
        data = load_run(result.run_dir, result.record)
    except StampedeError as exc:
        return RunVerdict(
            f"Inconclusive: the run cannot be read back ({exc}).", Exit.UNTRUSTED, True
        )
    slos = data.slos
    gated = bool(slos.latency or slos.page_load) or slos.error_rate is not None
    gated = gated or slos.min_throughput is not None
    judged = run_gate(data, slos)
    return RunVerdict(judged.headline, judged.exit_code, gated)


NOT_AUDITED = "not audited (the target names no audit, or no --admin-token was given)"


def _measurements(result: RunResult) -> str:
    measured = result.record.measured
    validity = measured.validity
    if not validity.valid:
        return "Measurements: INVALID — " + "; ".join(validity.reasons)
    if result.interrupted:
        return (
            f"Measurements: valid for the {measured.duration_s:.0f} s that ran, but the run "
            "was interrupted, so it is not judged"
        )
    return "Measurements: valid"


def summary_lines(result: RunResult) -> list[str]:
    measured, runner = result.record.measured, result.record.runner
    state = f"INTERRUPTED ({measured.stop_reason})" if result.interrupted else "complete"
    if result.target_lost:
        state = f"STOPPED, {measured.stop_reason}"
    lines = [f"Run {state}: {result.run_dir}"]
    if result.report is not None:
        lines.append(f"Report: {result.report}")
    lines.append(_measurements(result))
    audit = {True: "clean", False: "FAILED", None: NOT_AUDITED}[result.record.audit_ok]
    lines.append(f"Store audit: {audit}")
    for fault in runner.chaos if runner is not None else ():
        lines.append(f"Chaos {fault.spec}: {fault.detail}")
    for loss in measured.worker_losses:
        lines.append(
            f"Locust worker lost at {loss.t:.0f} s: {loss.left} of {loss.before} left; "
            f"{measured.on_worker_loss} on loss"
        )
    sizing = runner.generator_sizing if runner is not None else None
    if sizing is not None and sizing.workers_needed:
        fixed = sizing.process_memory_mb
        gb = sizing.memory_gb_needed or 0.0
        memory = f"{gb:,.1f} GB" if gb >= 1 else f"{gb * 1024:,.0f} MB"
        lines.append(
            f"Generator: {rate(sizing.measured_rps_per_core)} per core, "
            + (f"{fixed:.0f} MB a process + " if fixed is not None else "")
            + f"{sizing.measured_memory_mb_per_user * 1024:.0f} KB per user "
            f"({sizing.memory_per_user_method}); at full scale "
            f"({count(sizing.full_scale_peak_users)} users, {rate(sizing.full_scale_peak_rps)})"
            f" it needs {count(sizing.workers_needed)} Locust worker process"
            f"{'es' if sizing.workers_needed != 1 else ''} and {memory} of memory"
        )
    return lines
