"""What ``stampede run`` prints when a run ends: its state, validity, audit, chaos and sizing."""

from __future__ import annotations

from stampede.app.runner import RunResult


def summary_lines(result: RunResult) -> list[str]:
    run = result.run
    validity = run.get("validity", {})
    state = "INTERRUPTED" if result.interrupted else "complete"
    if result.target_lost:
        state = f"STOPPED, {run.get('stop_reason')}"
    lines = [
        f"Run {state}: {result.run_dir}",
        "Measurements: "
        + (
            "valid"
            if validity.get("valid")
            else "INVALID — " + "; ".join(validity.get("reasons", []))
        ),
    ]
    if run.get("audit_ok") is not None:
        lines.append(f"Store audit: {'clean' if run['audit_ok'] else 'FAILED'}")
    for fault in run.get("chaos") or ():
        lines.append(f"Chaos {fault['spec']}: {fault['detail']}")
    for loss in run.get("worker_losses") or ():
        lines.append(
            f"Locust worker lost at {loss['t']:.0f} s: {loss['left']} of {loss['before']} left; "
            f"{run.get('on_worker_loss', 'continue')} on loss"
        )
    sizing = run.get("generator_sizing", {})
    if sizing.get("workers_needed"):
        lines.append(
            f"Generator: {sizing['measured_rps_per_core']:.0f} req/s per core, "
            f"{sizing['measured_memory_mb_per_user'] * 1024:.0f} KB per user "
            f"({sizing.get('memory_per_user_method', 'peak/users')}); at full scale "
            f"({sizing['full_scale_peak_users']:,.0f} users, {sizing['full_scale_peak_rps']:,.0f}"
            f" req/s) it needs {sizing['workers_needed']} Locust worker processes and "
            f"{sizing['memory_gb_needed']} GB"
        )
    return lines
