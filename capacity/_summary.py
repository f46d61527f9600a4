"""``summary.md``: the plan for a person to read, every number formatted for one.

No ``nan``, ``inf``, exponent or Python repr reaches the page: numbers go
through Stampede's one formatter (:mod:`stampede.core.numbers`), and what is
not a number is said in words.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from stampede.capacity._plan import CapacityPlan
from stampede.core.numbers import (
    count,
    duration,
    flag,
    money,
    number,
    percent,
    signed_money,
)
from stampede.core.plan_document import PlanSource


def cell(value: object) -> str:
    """A table cell: numbers to four digits, counts whole, flags as yes/no, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return flag(value)
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return number(value, digits=4)
    return str(value)


def sizing_frame(plan: CapacityPlan) -> pd.DataFrame:
    """One row per service: demand, capacity, replicas and the M/M/c check."""
    return pd.DataFrame(
        [
            {
                "service": s,
                "demand_rps": z.demand_rps,
                "budget_ms": z.capacity.budget_ms,
                "method": z.capacity.method,
                "replica_share": z.capacity.replica_share,
                "safe_rps_per_replica": z.capacity.safe_rps_per_replica,
                "target_utilization": z.target_utilization,
                "baseline_replicas": plan.baseline_replicas[s],
                "peak_replicas": z.replicas,
                "mmc_p95_ms": z.mmc_p95_ms,
                "mmc_replicas": z.mmc_replicas,
                "not_sized_because": z.not_sized_because,
            }
            for s, z in plan.sizing.items()
        ]
    )


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table; each value through :func:`cell`."""
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    lines += [" | ".join(cell(v) for v in row) for row in rows]
    return [f"| {line} |" for line in lines]


def source_lines(source: PlanSource | None) -> list[str]:
    """The measured run in sentences: what it was, whether it is valid, what it lacked."""
    if source is None:
        return []
    validity = "valid" if source.valid else f"INVALID — {source.invalid_because or 'see run.json'}"
    workers = (
        f"{source.store_workers} store worker(s)"
        if source.store_workers is not None
        else "store workers not recorded (a --host run)"
    )
    body = (
        f"{count(source.response_bytes_measured)} bytes"
        if source.response_bytes_measured is not None
        else "not measured"
    )
    hold = duration(source.plateau_hold_s, missing="not known")
    return [
        "## Measured run",
        "",
        f"- run: {source.run_dir} (profile {source.profile}, scale {number(source.scale)}, "
        f"time scale {number(source.time_scale)})",
        f"- measurements: {validity}",
        f"- plateau p95s: {source.plateau_p95}; plateaus held {hold}; {workers}",
        f"- the profile's think time: {duration(source.profile_think_time_s)} per task; "
        f"mean response body: {body}",
        *[f"- {w}" for w in source.run_warnings],
        *([f"- outbox drain rate: {source.outbox_drain}"] if source.outbox_drain else []),
        "",
    ]


def _sizing_lines(plan: CapacityPlan) -> list[str]:
    header = (
        "service",
        "demand (req/s)",
        "p95 budget (ms)",
        "method",
        "share of a replica",
        "safe req/s per replica",
        "target utilisation",
        "replicas (baseline)",
        "replicas (peak)",
        "M/M/c p95 (ms)",
        "M/M/c replicas",
    )
    rows = [
        (
            s,
            "not measured" if z.not_sized_because else z.demand_rps,
            z.capacity.budget_ms,
            z.capacity.method,
            "not split" if z.capacity.replica_share is None else z.capacity.replica_share,
            z.capacity.safe_rps_per_replica,
            z.target_utilization,
            plan.baseline_replicas[s],
            z.replicas,
            z.mmc_p95_ms,
            z.mmc_replicas,
        )
        for s, z in plan.sizing.items()
    ]
    held = [
        f"- **not sized**: {z.not_sized_because}"
        for s, z in plan.sizing.items()
        if z.not_sized_because
    ]
    return [*table(header, rows), *(["", *held] if held else [])]


def _usl_lines(plan: CapacityPlan) -> list[str]:
    u = plan.usl
    return [
        "## Scalability (USL)",
        "",
        f"sigma {number(u.sigma, digits=4)} ± {number(u.sigma_se, digits=2)}, "
        f"kappa {number(u.kappa, digits=4)} ± {number(u.kappa_se, digits=2)}, "
        f"lambda {number(u.lambda_, digits=4)} ± {number(u.lambda_se, digits=2)} req/s, "
        f"R² {number(u.r_squared, digits=4)}; peak {number(u.x_max, digits=4)} req/s at "
        f"concurrency {number(u.n_star)}.",
        "",
    ]


def _outbox_line(plan: CapacityPlan) -> str:
    o = plan.outbox
    if o.backlog_events == 0:
        return f"- outbox: the relay ({count(o.drain_per_s)} events/s) keeps up; no backlog"
    if o.drain_time_s == float("inf"):
        return (
            f"- outbox: backlog {count(o.backlog_events)} events, never drained (the relay's "
            f"{count(o.drain_per_s)} events/s is no more than ordinary traffic adds)"
        )
    return (
        f"- outbox: backlog {count(o.backlog_events)} events, drained in "
        f"{duration(o.drain_time_s)} at {count(o.drain_per_s)} events/s"
    )


def _tier_lines(plan: CapacityPlan) -> list[str]:
    db, redis = plan.database, plan.redis
    return [
        "## Shared tiers",
        "",
        f"- database connections: {count(db.total)} of {count(db.available)} "
        f"({'fits' if db.fits else 'does not fit'})",
        f"- Redis: {count(redis.ops_per_s)} ops/s, {count(redis.nodes_needed)} node(s) needed, "
        f"{count(redis.nodes_planned)} planned",
        _outbox_line(plan),
        f"- Locust: {count(plan.generator.workers)} worker process(es), "
        f"{number(plan.generator.memory_gb)} GB",
        "",
    ]


def _pace_words(plan: CapacityPlan) -> str:
    p = plan.pace
    if p.requests_per_action is None or p.action_s is None:
        source = "stated" if plan.business.pace_rps is not None else "measured per user"
        return f"a shopper sends {number(p.rps)} req/s ({source})"
    return (
        f"a shopper sends {number(p.rps)} req/s: one action (a page and its API calls) every "
        f"{duration(p.action_s)} (the profile's mean think time of "
        f"{duration(plan.think_time_s)}, not compressed by the probe's time scale, plus the "
        f"lightest plateau's response time), of {number(p.requests_per_action)} requests "
        "each (measured at the lightest plateau)"
    )


def assumption_lines(plan: CapacityPlan) -> list[str]:
    """What the demand rests on, in words: the business's figures and the probe's."""
    b, peak, base = plan.business, plan.peak_demand, plan.baseline_demand
    visits = plan.target_users / b.visit_s
    if b.daily_visits is not None:
        ordinary = (
            f"{count(b.daily_visits)} visits a day spread over 24 h, "
            f"{count(plan.baseline_users)} users at a time"
        )
    else:
        ordinary = (
            f"{count(plan.baseline_users)} users at a time, "
            f"{percent(plan.baseline_users / plan.target_users)} of the peak"
        )
    return [
        "## What the demand assumes",
        "",
        f"- peak: {count(plan.target_users)} concurrent users (the sale's, stated);",
        f"- pace: {_pace_words(plan)};",
        f"- visits: each lasts {duration(b.visit_s)} (stated), so the peak is "
        f"{number(visits)} visits/s;",
        f"- conversion: {number(b.conversion * 100)}% of visits buy (orders per visit; the case "
        f"study's is 2.56%), so {number(peak.paid_orders_per_s)} paid orders/s at the peak "
        f"and {number(base.paid_orders_per_s)} on an ordinary day;",
        f"- an ordinary day (the monthly bill): {ordinary}, {number(base.total_rps)} req/s;",
        "- from the probe: only how requests split between services and what each costs; "
        f"its own checkouts ({percent(plan.ratios.paid_orders_per_request)} of requests) "
        "size the services that answer them, not the orders: a probe's shoppers buy far "
        "more often than a sale's.",
        "",
    ]


def _cost_lines(plan: CapacityPlan) -> list[str]:
    c = plan.cost
    rows: list[tuple[object, ...]] = [
        (line.label, money(line.monthly), money(line.sale_window)) for line in c.lines()
    ]
    rows.append(("total", money(c.monthly_baseline), money(c.sale_window)))
    per_order = (
        f"{number(c.cost_per_1000_orders)} {c.currency}"
        if c.orders_in_sale > 0
        else "not defined: the sale takes no orders"
    )
    return [
        "## Cost",
        "",
        f"The baseline month is {count(plan.baseline_users)} users around the clock "
        f"({number(plan.baseline_demand.total_rps)} req/s, "
        f"{number(plan.baseline_demand.paid_orders_per_s)} paid orders/s); the sale window "
        "holds the peak replicas.",
        "",
        *table(
            (
                "line",
                f"baseline month ({c.currency})",
                f"sale window, {number(c.sale_hours)} h ({c.currency})",
            ),
            rows,
        ),
        "",
        f"- per 1,000 orders in the sale: {per_order}",
        "",
        "The baseline month, line by line:",
        "",
        *[
            f"- {line.label}: {c.explained[line.name]}"
            for line in c.lines()
            if line.name in c.explained
        ],
        "",
        "Savings levers, each on what the previous ones left:",
        "",
        *[f"- {s.label}: {signed_money(s.amount)}" for s in c.waterfall if s.kind == "change"],
        "",
    ]


def _demand_lines(plan: CapacityPlan) -> list[str]:
    d = plan.service_demands
    if d is None:
        return []
    cells = ", ".join(
        f"{s} {number(d.cpu_ms[s])} ± {number(d.cpu_ms_se[s], digits=2)} ms" for s in d.cpu_ms
    )
    return [
        "## CPU per request (the services shared each replica)",
        "",
        f"{cells}; background {number(d.background_cores)} cores; R² {number(d.r_squared)} "
        f"over {count(d.bins)} bins.",
        "",
    ]


def feasibility_lines(plan: CapacityPlan) -> list[str]:
    """The plan's opening: infeasible as planned with each fix priced, or feasible."""
    f, c = plan.feasibility, plan.cost
    if f.feasible:
        return [
            "## Feasible as planned",
            "",
            "The database connections, Redis and the outbox hold the peak, and every service "
            "fits its max_replicas.",
            "",
        ]
    fixes = [
        f"- {x.problem}. Fix: {x.fix}"
        + (
            f" ({signed_money(x.monthly)} {c.currency} a month, "
            f"{signed_money(x.sale_window)} in the sale window)."
            if x.monthly or x.sale_window
            else "."
        )
        for x in f.fixes
    ]
    return [
        "## Infeasible as planned",
        "",
        f"The plan for {count(plan.target_users)} users needs {f.needs()}.",
        "",
        *fixes,
        "",
        f"The fixed plan costs {money(c.monthly_baseline + f.monthly)} {c.currency} a month "
        f"({signed_money(f.monthly)}) and {money(c.sale_window + f.sale_window)} {c.currency} "
        f"in the sale window ({signed_money(f.sale_window)}).",
        "",
    ]


def summary_markdown(plan: CapacityPlan, source: PlanSource | None = None) -> str:
    """A short human summary of the plan, with the measurement's ``source`` facts first."""
    lines = [
        f"# Capacity plan for {count(plan.target_users)} users",
        "",
        *feasibility_lines(plan),
        *source_lines(source),
        f"Sale: {plan.sale_start.isoformat()} for {duration(plan.sale_duration_s)}; "
        f"p95 objective {number(plan.slo_p95_ms)} ms.",
        "",
        *_usl_lines(plan),
        *_demand_lines(plan),
        *assumption_lines(plan),
        f"## Demand at the peak: {number(plan.peak_demand.total_rps)} req/s, "
        f"{number(plan.peak_demand.paid_orders_per_s)} paid orders/s",
        "",
        *_sizing_lines(plan),
        "",
        *_tier_lines(plan),
        "## Lead time",
        "",
        *[f"- {ctl}: {lt.describe()}" for ctl, lt in plan.lead_times.items()],
        "",
        *_cost_lines(plan),
        "## Warnings",
        "",
        *([f"- {w}" for w in plan.warnings] or ["- none"]),
        "",
    ]
    return "\n".join(lines)
