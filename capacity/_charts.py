"""Charts of a plan: demand against supply, and the savings waterfall.

Each function draws on the ``ax`` it is given and returns what it drew; it
never creates a figure or shows one, so callers choose the backend and the
layout. They draw in the run report's style (``reports._charts``: its palette,
light horizontal grid, no top or right spine, small frameless legends), and :func:`chart_style`
carries its figure settings; the capacity layer cannot import the reports
layer, so the few values are repeated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib
import numpy as np
import numpy.typing as npt

from stampede.capacity._cost import WaterfallStep
from stampede.core.chart_style import CHART_RC

#: each simulated strategy in words, as the legend names it
STRATEGY_LABELS = {
    "static-peak": "static peak: the peak's replicas all along",
    "reactive-only": "reactive only: the autoscaler follows demand",
    "scheduled-plus-reactive": (
        "scheduled + reactive: pre-warmed on the sale's schedule, the autoscaler above it"
    ),
}
STRATEGY_COLORS = {
    "static-peak": "#6b7280",
    "reactive-only": "#d97706",
    "scheduled-plus-reactive": "#2563eb",
}
CONTROLLER_NAMES = {"hpa": "Kubernetes HPA", "ecs": "ECS target tracking"}
DEMAND_COLOR = "#1f2937"
SAVING_COLOR, COST_COLOR, TOTAL_COLOR = "#059669", "#dc2626", "#2563eb"


@contextmanager
def chart_style() -> Iterator[None]:
    """Matplotlib settings of the report's charts, for a figure drawn inside the block."""
    with matplotlib.rc_context(CHART_RC):
        yield


def supply_title(key: str) -> str:
    """A chart title in words for a simulation key ``service/controller``."""
    service, _, controller = key.partition("/")
    by = CONTROLLER_NAMES.get(controller, controller)
    return f"{service}: capacity over the sale against demand, {by}, by scaling strategy"


def _style_axes(ax: Any) -> None:
    ax.grid(True, axis="y", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def plot_demand_supply(
    ax: Any,
    demand: Sequence[float] | npt.NDArray[np.float64],
    supplies: Mapping[str, Sequence[float] | npt.NDArray[np.float64]],
    *,
    step_s: float = 1.0,
    title: str | None = None,
) -> dict[str, Any]:
    """Draw demand and each strategy's supply as step curves (requests per second).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    demand : sequence of float
        Requests per second at each step.
    supplies : mapping of str to sequence of float
        Capacity of each strategy at each step, keyed by its strategy
        (``"static-peak"``, …); the legend says in words what each does.
    step_s : float
        Seconds per step; the x axis is in minutes.
    title : str, optional
        Drawn above the axes (see :func:`supply_title`).

    Returns
    -------
    dict of str to matplotlib artist
        The ``StepPatch`` of ``"demand"`` and of each supply key.
    """
    d = np.asarray(demand, dtype=float)
    edges = np.arange(d.size + 1) * step_s / 60.0
    drawn: dict[str, Any] = {
        "demand": ax.stairs(
            d, edges, label="demand (requests per second)", color=DEMAND_COLOR, linewidth=2.0
        ),
    }
    for key, supply in supplies.items():
        drawn[key] = ax.stairs(
            np.asarray(supply, dtype=float),
            edges,
            label=STRATEGY_LABELS.get(key, key),
            color=STRATEGY_COLORS.get(key),
            linewidth=1.2,
        )
    _style_axes(ax)
    ax.set_xlabel("minutes from the start of the simulated sale")
    ax.set_ylabel("requests per second the replicas can serve")
    if title:
        ax.set_title(title, loc="left")
    # below the axes: the static peak runs along the top and would hide under it
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.15), fontsize=7, frameon=False)
    return drawn


def plot_waterfall(ax: Any, steps: Sequence[WaterfallStep], *, currency: str = "USD") -> list[Any]:
    """Draw savings levers as a waterfall: the start, each step's change, the end.

    The start and end bars rise from zero to their totals; each change spans
    the running total before it and after it, so the bars' tops read as the
    bill after each lever. Savings are green, costs red, totals blue.

    Returns
    -------
    list of matplotlib.patches.Rectangle
        One bar per step.
    """
    bars: list[Any] = []
    for i, step in enumerate(steps):
        if step.kind == "change":
            # a change hangs from the running total before it down (or up) to the one after
            bottom, height = min(step.total, step.total - step.amount), abs(step.amount)
            color = SAVING_COLOR if step.amount < 0 else COST_COLOR
        else:
            # the start and the end are totals: bars from zero
            bottom, height, color = 0.0, step.total, TOTAL_COLOR
        container = ax.bar(i, height, bottom=bottom, color=color)
        bars.extend(container.patches)
    _style_axes(ax)
    ax.set_xticks(range(len(steps)), [s.label for s in steps], rotation=30, ha="right")
    ax.set_ylabel(f"{currency} per month")
    ax.set_title("Savings: the monthly bill after each lever, from static peak down", loc="left")
    return bars
