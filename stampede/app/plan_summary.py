"""What ``stampede plan`` prints: the run's validity, the fit, replicas, cost and warnings."""

from __future__ import annotations

from stampede.app.plan_input import ProbeRun
from stampede.app.planning import PlanOutcome, run_warnings
from stampede.capacity import CapacityPlan
from stampede.core.numbers import count, money, number, signed_money


def _validity_line(facts: ProbeRun) -> str:
    state = "valid" if facts.valid else "INVALID — " + ("; ".join(facts.reasons) or "see run.json")
    return (
        f"Run {facts.path} ({facts.profile}, scale {facts.scale:g}, time scale "
        f"{facts.time_scale:g}): measurements {state}"
    )


def _fit_lines(plan: CapacityPlan) -> list[str]:
    u = plan.usl
    return [
        f"USL fit on {len(plan.plateaus.points)} plateaus: sigma {number(u.sigma, digits=4)} ± "
        f"{number(u.sigma_se, digits=2)}, kappa {number(u.kappa)} ± "
        f"{number(u.kappa_se, digits=2)}, lambda {number(u.lambda_, digits=4)} ± "
        f"{number(u.lambda_se, digits=2)} req/s, R² {number(u.r_squared)}",
        f"  peak: N* {number(u.n_star)} in flight, X_max {count(u.x_max)} req/s "
        f"(measured up to N {number(u.max_n)}, one store instance at the run's scale)",
    ]


def _cost_lines(plan: CapacityPlan) -> list[str]:
    c = plan.cost
    levers = sorted((s for s in c.waterfall if s.kind == "change"), key=lambda s: s.amount)[:3]
    per_order = (
        f"{number(c.cost_per_1000_orders)} {c.currency} per 1,000 orders"
        if c.orders_in_sale > 0
        else "no orders in the sale, so no cost per order"
    )
    return [
        f"Cost: {count(c.monthly_baseline)} {c.currency}/month baseline "
        f"({count(plan.baseline_users)} users; "
        + ", ".join(f"{line.label} {count(line.monthly)}" for line in c.lines()[:3])
        + f"); sale window ({number(c.sale_hours)} h) {money(c.sale_window)} {c.currency}; "
        + per_order,
        "Top savings: "
        + ("; ".join(f"{s.label} {signed_money(s.amount)}" for s in levers) or "none"),
    ]


def _verdict_line(outcome: PlanOutcome, warnings: int) -> str:
    """The plan in one line, first: what it sizes, or why it cannot be relied on."""
    facts, plan = outcome.facts, outcome.plan
    if not facts.valid:
        why = "; ".join(facts.reasons) or "see run.json"
        return (
            f"Inconclusive: the probe run's measurements are invalid ({why}); this plan "
            "rests on them, so run the capacity probe again before relying on it."
        )
    peak = sum(z.replicas for z in plan.sizing.values())
    baseline = sum(plan.baseline_replicas.values())
    caveat = f" ({warnings} warning{'s' if warnings != 1 else ''} below)" if warnings else ""
    f = plan.feasibility
    if not f.feasible:
        return (
            f"Infeasible as planned{caveat}: the plan for {count(plan.target_users)} users "
            f"needs {f.needs()}; fixed, it costs "
            f"{count(plan.cost.monthly_baseline + f.monthly)} {plan.cost.currency}/month "
            f"({signed_money(f.monthly)}) and {count(peak)} replicas at the peak; see summary.md."
        )
    return (
        f"Plan{caveat}: {count(peak)} replicas at the peak ({count(baseline)} at baseline) for "
        f"{count(plan.target_users)} users within a {number(plan.slo_p95_ms)} ms p95; "
        f"{count(plan.cost.monthly_baseline)} {plan.cost.currency}/month at baseline, "
        f"{money(plan.cost.sale_window)} {plan.cost.currency} for the sale window."
    )


def summary_lines(outcome: PlanOutcome) -> list[str]:
    """The short summary ``stampede plan`` prints."""
    plan = outcome.plan
    warnings = [*run_warnings(outcome.facts), *plan.warnings]
    replicas = ", ".join(
        f"{s} {plan.baseline_replicas[s]}→{z.replicas}"
        + (" (not measured: held at its minimum)" if z.not_sized_because else "")
        for s, z in plan.sizing.items()
    )
    return [
        _verdict_line(outcome, len(warnings)),
        _validity_line(outcome.facts),
        f"Target {count(plan.target_users)} users, p95 objective {number(plan.slo_p95_ms)} ms; "
        f"peak demand {count(plan.peak_demand.total_rps)} req/s, "
        f"{number(plan.peak_demand.paid_orders_per_s)} paid orders/s "
        f"({number(plan.business.conversion * 100)}% of "
        f"{number(plan.target_users / plan.business.visit_s)} visits/s, the business's)",
        *_fit_lines(plan),
        f"Replicas (baseline→peak): {replicas}",
        f"Load generator: {count(plan.generator.workers)} Locust worker processes, "
        f"{number(plan.generator.memory_gb)} GB",
        *_cost_lines(plan),
        *(["Warnings:"] + [f"  - {w}" for w in warnings] if warnings else []),
        f"Wrote {len(outcome.files)} files to {outcome.out_dir}/ (summary.md, plan.json, "
        "k8s/, aws/, charts/)",
    ]
