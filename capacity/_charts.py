"""Charts of a plan: demand against supply, and the savings waterfall.

Each function draws on the ``ax`` it is given and returns what it drew; it
never creates a figure or shows one, so callers choose the backend and the
layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from stampede.capacity._cost import WaterfallStep


def plot_demand_supply(
    ax: Any,
    demand: Sequence[float] | npt.NDArray[np.float64],
    supplies: Mapping[str, Sequence[float] | npt.NDArray[np.float64]],
    *,
    step_s: float = 1.0,
) -> dict[str, Any]:
    """Draw demand and each strategy's supply as step curves (requests per second).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    demand : sequence of float
        Requests per second at each step.
    supplies : mapping of str to sequence of float
        Capacity of each strategy at each step, keyed by its label.
    step_s : float
        Seconds per step; the x axis is in minutes.

    Returns
    -------
    dict of str to matplotlib artist
        The ``StepPatch`` of ``"demand"`` and of each supply label.
    """
    d = np.asarray(demand, dtype=float)
    edges = np.arange(d.size + 1) * step_s / 60.0
    drawn: dict[str, Any] = {
        "demand": ax.stairs(d, edges, label="demand", color="black", linewidth=2.0),
    }
    for label, supply in supplies.items():
        drawn[label] = ax.stairs(np.asarray(supply, dtype=float), edges, label=label)
    ax.set_xlabel("minutes")
    ax.set_ylabel("requests per second")
    ax.legend()
    return drawn


def plot_waterfall(ax: Any, steps: Sequence[WaterfallStep], *, currency: str = "USD") -> list[Any]:
    """Draw savings levers as a waterfall: the start, each step's change, the end.

    The start and end bars rise from zero to their totals; each change spans
    the running total before it and after it, so the bars' tops read as the
    bill after each lever.

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
            color = "tab:green" if step.amount < 0 else "tab:red"
        else:
            # the start and the end are totals: bars from zero
            bottom, height, color = 0.0, step.total, "tab:blue"
        container = ax.bar(i, height, bottom=bottom, color=color)
        bars.extend(container.patches)
    ax.set_xticks(range(len(steps)), [s.label for s in steps], rotation=30, ha="right")
    ax.set_ylabel(f"{currency} per month")
    return bars
