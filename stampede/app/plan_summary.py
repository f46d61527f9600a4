"""What ``stampede plan`` prints: the run's validity, the fit, replicas, cost and warnings."""

from __future__ import annotations

from stampede.app.plan_input import ProbeRun
from stampede.app.planning import PlanOutcome, run_warnings
from stampede.capacity import CapacityPlan


def _validity_line(facts: ProbeRun) -> str:
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
