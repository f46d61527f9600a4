"""What the plan costs: the baseline month, the sale window, each 1,000 orders,
and the levers that lower the bill, as waterfall steps.

Compute is Fargate tasks (vCPU-hours and GB-hours); the shared tiers are
Aurora instances, I/O and storage, ElastiCache nodes, an ALB with its LCUs,
SQS requests for the outbox, and data transfer out. A month is 730 hours.

The levers apply in order, each to what the previous ones left: ARM
(Graviton) prices, Spot for a share of stateless services, right-sizing
tasks whose baseline utilisation is under target, scaling in off-peak to
the minimum replicas, and a Compute Savings Plan on the remaining on-demand
compute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from stampede.capacity._bill import (
    HOURS_PER_MONTH,
    SQS_CHUNK_KB,
    BillLine,
    LoadPoint,
    bill_lines,
    database_io_per_s,
    explain,
    sqs_billed_requests_per_event,
)
from stampede.capacity._prices import PriceSheet
from stampede.capacity._topology import Topology

__all__ = [
    "HOURS_PER_MONTH",
    "SQS_CHUNK_KB",
    "CostReport",
    "LoadPoint",
    "cost_report",
    "database_io_per_s",
    "savings_waterfall",
    "sqs_billed_requests_per_event",
]


#: what each cost line is, for people reading the plan
_LABELS: Mapping[str, str] = {
    "compute": "compute (Fargate tasks)",
    "database": "database instances (Aurora)",
    "database_io": "database I/O",
    "database_storage": "database storage",
    "redis": "Redis (ElastiCache)",
    "load_balancer": "load balancer (ALB and LCUs)",
    "queue": "queue (SQS)",
    "data_transfer": "data transfer out",
}


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the savings waterfall: ``kind`` start/end carry a total, change an amount."""

    label: str
    amount: float
    total: float
    kind: Literal["start", "change", "end"]


@dataclass(frozen=True)
class CostLine:
    """One line of the bill: what it is, its baseline month and its sale window."""

    name: str
    label: str
    monthly: float
    sale_window: float


@dataclass(frozen=True)
class CostReport:
    """The plan's cost lines and savings."""

    currency: str
    monthly_lines: Mapping[str, float]
    monthly_baseline: float
    sale_hours: float
    sale_lines: Mapping[str, float]
    sale_window: float
    orders_in_sale: float
    cost_per_1000_orders: float
    waterfall: tuple[WaterfallStep, ...]
    #: each baseline month's line with its arithmetic, for people (line name to words)
    explained: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        currency: str,
        monthly: Mapping[str, float],
        sale_hours: float,
        sale: Mapping[str, float],
        orders: float,
        waterfall: tuple[WaterfallStep, ...],
    ) -> CostReport:
        """The report of a month's and a sale window's cost lines, with their totals.

        The cost of 1,000 orders is the sale window's over its orders;
        infinite when the sale took none.
        """
        total = sum(sale.values())
        return cls(
            currency=currency,
            monthly_lines=monthly,
            monthly_baseline=sum(monthly.values()),
            sale_hours=sale_hours,
            sale_lines=sale,
            sale_window=total,
            orders_in_sale=orders,
            cost_per_1000_orders=total / (orders / 1000.0) if orders > 0 else float("inf"),
            waterfall=waterfall,
        )

    def lines(self) -> tuple[CostLine, ...]:
        """Each cost line, labelled, the biggest baseline month first."""
        rows = (
            CostLine(name, _LABELS.get(name, name), monthly, self.sale_lines.get(name, 0.0))
            for name, monthly in self.monthly_lines.items()
        )
        return tuple(sorted(rows, key=lambda line: -line.monthly))


def _amounts(bill: Mapping[str, BillLine]) -> dict[str, float]:
    """Each line's amount of a bill from :func:`bill_lines`."""
    return {k: v.amount for k, v in bill.items()}


def savings_waterfall(
    baseline: LoadPoint,
    monthly_total: float,
    topology: Topology,
    prices: PriceSheet,
    *,
    utilization: Mapping[str, float],
    spot_share: float = 0.5,
    off_peak_fraction: float = 1 / 3,
) -> tuple[WaterfallStep, ...]:
    """The savings levers as waterfall steps over the monthly baseline.

    ``utilization`` is each service's baseline load over its safe capacity;
    a service running below its target utilisation shrinks its task size in
    proportion (down to half) when right-sized.
    """
    arm_saved = spot_saved = right_saved = off_saved = plan_saved = 0.0
    for s, n in baseline.replicas.items():
        spec = topology.service(s)
        cost = n * prices.task_hour(spec.vcpu, spec.memory_gb, spec.arch) * HOURS_PER_MONTH
        arm = n * prices.task_hour(spec.vcpu, spec.memory_gb, "arm") * HOURS_PER_MONTH
        arm_saved += cost - arm
        share = spot_share if spec.stateless else 0.0
        spot_saved += arm * share * prices.price("fargate.spot.discount")
        after_spot = arm * (1 - share * prices.price("fargate.spot.discount"))
        on_demand = arm * (1 - share)
        factor = min(
            1.0, max(0.5, utilization.get(s, spec.target_utilization) / spec.target_utilization)
        )
        right_saved += after_spot * (1 - factor)
        after_spot, on_demand = after_spot * factor, on_demand * factor
        idle = off_peak_fraction * max(0, n - spec.min_replicas) / n if n else 0.0
        off_saved += after_spot * idle
        on_demand *= 1 - idle
        plan_saved += on_demand * prices.price("savings_plan.compute.discount")
    steps = [WaterfallStep("monthly baseline", monthly_total, monthly_total, "start")]
    total = monthly_total
    for label, saved in (
        ("ARM (Graviton)", arm_saved),
        ("Spot for stateless", spot_saved),
        ("right-sizing", right_saved),
        ("off-peak scale-in", off_saved),
        ("Savings Plan", plan_saved),
    ):
        total -= saved
        steps.append(WaterfallStep(label, -saved, total, "change"))
    steps.append(WaterfallStep("after levers", total, total, "end"))
    return tuple(steps)


def cost_report(
    baseline: LoadPoint,
    sale: LoadPoint,
    topology: Topology,
    prices: PriceSheet,
    *,
    sale_hours: float,
    selling_hours: float,
    utilization: Mapping[str, float],
    spot_share: float = 0.5,
    off_peak_fraction: float = 1 / 3,
) -> CostReport:
    """Cost the plan: a baseline month, the sale window, per 1,000 orders, and the levers.

    Parameters
    ----------
    baseline, sale : LoadPoint
        Replicas and traffic held for the month and during the sale window.
    topology : Topology
        Task sizes and shared tiers.
    prices : PriceSheet
        Unit prices.
    sale_hours, selling_hours : float
        Length of the sale window at peak replicas (including the pre-warm lead
        time), and of the sale itself, when orders are taken.
    utilization : mapping of str to float
        Baseline load over safe capacity per service, for right-sizing.
    spot_share : float
        Share of stateless services' tasks run on Fargate Spot.
    off_peak_fraction : float
        Share of the month quiet enough to run at the minimum replicas.

    Returns
    -------
    CostReport
    """
    month = bill_lines(baseline, HOURS_PER_MONTH, topology, prices)
    monthly = _amounts(month)
    steps = savings_waterfall(
        baseline,
        sum(monthly.values()),
        topology,
        prices,
        utilization=utilization,
        spot_share=spot_share,
        off_peak_fraction=off_peak_fraction,
    )
    window = _amounts(bill_lines(sale, sale_hours, topology, prices))
    orders = sale.paid_orders_per_s * selling_hours * 3600.0
    report = CostReport.of(prices.currency, monthly, sale_hours, window, orders, steps)
    return replace(report, explained=explain(month, prices.currency))
