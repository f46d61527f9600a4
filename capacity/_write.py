"""Write a capacity plan to a directory: JSON, YAML, CSV, Markdown and charts.

::

    out_dir/
      plan.json                 every number of the plan
      summary.md                the plan for a person to read
      plateaus.csv services.csv sizing.csv simulations.csv
      k8s/keda-<service>.yaml   scheduled pre-warm plus reactive (--autoscaler keda, default)
      k8s/hpa-<service>.yaml    reactive only (--autoscaler hpa), never both for one service
      aws/<service>/<command>.json   --cli-input-json for application-autoscaling
      charts/supply-<service>.png  charts/savings.png
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.figure import Figure

from stampede.capacity._charts import chart_style, plot_demand_supply, plot_waterfall, supply_title
from stampede.capacity._plan import CapacityPlan
from stampede.capacity._plateaus import plateau_frame
from stampede.capacity._render import render_aws, render_hpa, render_keda
from stampede.capacity._summary import sizing_frame, summary_markdown
from stampede.core.fields import Json
from stampede.core.plan_document import (
    PlanCost,
    PlanCostLine,
    PlanDocument,
    PlanFeasibility,
    PlanFix,
    PlanInputs,
    PlanSaving,
    PlanServiceDemands,
    PlanSizingRow,
    PlanSource,
)
from stampede.core.protocol import PLAN_FILE
from stampede.core.strict_json import finite, strict_json

CHART_BINS = 300


def simulation_frame(plan: CapacityPlan) -> pd.DataFrame:
    """One row per service, controller and strategy with the simulation's outcomes."""
    rows = []
    for key, results in plan.simulations.items():
        service, controller = key.split("/")
        for r in results:
            rows.append(
                {
                    "service": service,
                    "controller": controller,
                    "strategy": r.strategy,
                    "minutes_over_slo": r.minutes_over_slo,
                    "requests_late": r.requests_late,
                    "task_hours": r.task_hours,
                    "cost": r.cost,
                    **vars(r.elasticity),
                }
            )
    return pd.DataFrame(rows)


def _sizing_rows(plan: CapacityPlan) -> tuple[PlanSizingRow, ...]:
    return tuple(
        PlanSizingRow(
            service=s,
            demand_rps=z.demand_rps,
            budget_ms=z.capacity.budget_ms,
            method=z.capacity.method,
            replica_share=z.capacity.replica_share,
            safe_rps_per_replica=z.capacity.safe_rps_per_replica,
            target_utilization=z.target_utilization,
            baseline_replicas=plan.baseline_replicas[s],
            peak_replicas=z.replicas,
            mmc_p95_ms=finite(z.mmc_p95_ms),
            mmc_replicas=z.mmc_replicas,
            not_sized_because=z.not_sized_because,
        )
        for s, z in plan.sizing.items()
    )


def _cost(plan: CapacityPlan) -> PlanCost:
    c = plan.cost
    return PlanCost(
        currency=c.currency,
        monthly_baseline=c.monthly_baseline,
        monthly_lines=dict(c.monthly_lines),
        sale_hours=c.sale_hours,
        sale_window=c.sale_window,
        sale_lines=dict(c.sale_lines),
        lines=tuple(PlanCostLine(x.name, x.label, x.monthly, x.sale_window) for x in c.lines()),
        orders_in_sale=c.orders_in_sale,
        cost_per_1000_orders=finite(c.cost_per_1000_orders),
        waterfall=tuple(PlanSaving(s.label, s.amount, s.total, s.kind) for s in c.waterfall),
    )


def _details(plan: CapacityPlan) -> dict[str, Json]:
    """The sections of plan.json that only people and their tools read."""
    sections = {
        "usl": vars(plan.usl),
        "demand": {
            "peak": vars(plan.peak_demand),
            "baseline": vars(plan.baseline_demand),
            "business": vars(plan.business),
            "pace": vars(plan.pace),
        },
        "visit_ratios": vars(plan.ratios),
        "database": vars(plan.database),
        "redis": vars(plan.redis),
        "outbox": vars(plan.outbox),
        "generator": vars(plan.generator),
        "lead_times": {
            c: {**vars(lt), "total_s": lt.total_s, "breakdown": lt.describe()}
            for c, lt in plan.lead_times.items()
        },
        "simulations": simulation_frame(plan).to_dict(orient="records"),
    }
    return {name: strict_json(value) for name, value in sections.items()}


def plan_document(plan: CapacityPlan, source: PlanSource | None = None) -> PlanDocument:
    """The plan as ``plan.json`` holds it, with the run it came from (``source``)."""
    demands = plan.service_demands
    return PlanDocument(
        source=source,
        inputs=PlanInputs(
            target_users=plan.target_users,
            baseline_users=plan.baseline_users,
            slo_p95_ms=plan.slo_p95_ms,
            think_time_s=plan.think_time_s,
            sale_start=plan.sale_start.isoformat(),
            sale_duration_s=plan.sale_duration_s,
        ),
        sizing=_sizing_rows(plan),
        service_demands=None
        if demands is None
        else PlanServiceDemands(
            dict(demands.cpu_ms),
            dict(demands.cpu_ms_se),
            demands.background_cores,
            demands.r_squared,
            demands.bins,
        ),
        cost=_cost(plan),
        warnings=tuple(plan.warnings),
        details=_details(plan),
        feasibility=_feasibility(plan),
    )


def _feasibility(plan: CapacityPlan) -> PlanFeasibility:
    f = plan.feasibility
    return PlanFeasibility(
        f.feasible,
        "" if f.feasible else f.needs(),
        tuple(
            PlanFix(x.tier, x.problem, x.fix, dict(x.sizes), x.monthly, x.sale_window)
            for x in f.fixes
        ),
        f.monthly,
        f.sale_window,
    )


def _binned(values: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.float64]:
    """Means over consecutive bins of ``width`` steps (the last bin may be shorter)."""
    edges = np.arange(0, values.size, width)
    sums = np.add.reduceat(values, edges)
    return np.asarray(sums / np.diff(np.append(edges, values.size)), dtype=float)


def _charts(plan: CapacityPlan, out: Path) -> list[Path]:
    written = []
    (out / "charts").mkdir(exist_ok=True)
    with chart_style():
        for key, results in plan.simulations.items():
            width = max(1, results[0].demand.size // CHART_BINS)
            fig = Figure(figsize=(9, 4), layout="constrained")
            plot_demand_supply(
                fig.add_subplot(),
                _binned(results[0].demand, width),
                {r.strategy: _binned(r.supply, width) for r in results},
                step_s=float(width),
                title=supply_title(key),
            )
            path = out / "charts" / f"supply-{key.replace('/', '-')}.png"
            fig.savefig(path, bbox_inches="tight")
            written.append(path)
        fig = Figure(figsize=(8, 4), layout="constrained")
        plot_waterfall(fig.add_subplot(), plan.cost.waterfall, currency=plan.cost.currency)
        path = out / "charts" / "savings.png"
        fig.savefig(path, bbox_inches="tight")
    return [*written, path]


def write_plan(
    plan: CapacityPlan,
    out_dir: str | Path,
    *,
    charts: bool = True,
    source: PlanSource | None = None,
    autoscaler: Literal["hpa", "keda"] = "keda",
) -> list[Path]:
    """Write the plan's files under ``out_dir`` (created if needed).

    Parameters
    ----------
    plan : CapacityPlan
        From :func:`capacity.make_plan`.
    out_dir : str or Path
        Target directory.
    charts : bool
        Also draw PNG charts.
    source : PlanSource, optional
        Where the measurements came from (run directory, validity, scale),
        written into plan.json and at the top of summary.md.
    autoscaler : {"keda", "hpa"}
        One Kubernetes autoscaler per Deployment: a KEDA ScaledObject (cron
        pre-warm plus the reactive metric) or a reactive HPA, never both.

    Returns
    -------
    list of Path
        Every file written.
    """
    out = Path(out_dir)
    (out / "k8s").mkdir(parents=True, exist_ok=True)
    files: dict[Path, str] = {
        out / PLAN_FILE: plan_document(plan, source).dumps(),
        out / "summary.md": summary_markdown(plan, source),
        out / "plateaus.csv": plateau_frame(plan.plateaus).to_csv(index=False),
        out / "services.csv": plan.plateaus.services.to_csv(index=False),
        out / "sizing.csv": sizing_frame(plan).to_csv(index=False),
        out / "simulations.csv": simulation_frame(plan).to_csv(index=False),
    }
    for s, hpa in plan.hpa.items():
        if autoscaler == "hpa":
            files[out / "k8s" / f"hpa-{s}.yaml"] = render_hpa(hpa)
        else:
            files[out / "k8s" / f"keda-{s}.yaml"] = render_keda(plan.keda[s])
    for s, policy in plan.ecs.items():
        for command, text in render_aws(policy).items():
            files[out / "aws" / s / f"{command}.json"] = text
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = list(files)
    if charts:
        written.extend(_charts(plan, out))
    return written
