"""The report's charts: each function draws on a given ``ax`` and returns what it drew.

Nothing here creates a figure, saves a file or shows a window; the caller
owns the figure (see :mod:`reports._figures`). Long series are thinned to at
most ``max_points`` bins first, keeping each bin's maximum for latency (so a
spike is never averaged away) and its mean for rates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from stampede.profiles import LatencySlo, Phase
from stampede.reports._hist import Distribution
from stampede.reports._model import ArrivalSeries, Fault, GroupTimeline, Series, UsersSeries

COLORS = {
    "all": "#1f2937",
    "browse": "#2563eb",
    "cart": "#0d9488",
    "checkout": "#d97706",
    "auth": "#7c3aed",
    "stock": "#db2777",
    "other": "#6b7280",
}
PERCENTILE_STYLES = {"p50": ("#93c5fd", 1.0), "p95": ("#2563eb", 1.4), "p99": ("#1e3a8a", 1.0)}
RUN_COLORS = ("#6b7280", "#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777")
Reduce = Literal["max", "mean"]


def thin(
    t: Sequence[float], values: Sequence[float], max_points: int, how: Reduce = "mean"
) -> tuple[list[float], list[float]]:
    """At most ``max_points`` points: bins of consecutive samples reduced by ``how``."""
    if len(t) <= max_points:
        return list(t), list(values)
    width = math.ceil(len(t) / max_points)
    edges = np.arange(0, len(t), width)
    array = np.asarray(values, dtype=float)
    if how == "max":
        reduced = np.maximum.reduceat(array, edges)
    else:
        reduced = np.add.reduceat(array, edges) / np.diff(np.append(edges, len(t)))
    times = np.asarray(t, dtype=float)[edges]
    return times.tolist(), reduced.tolist()


def seconds_axis(ax: Axes, label: str = "seconds from the start of the run") -> None:
    ax.set_xlabel(label)
    ax.grid(True, axis="y", color="#e5e7eb", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def mark_phases(
    ax: Axes, phases: Sequence[Phase], sale_opens_at_s: float | None, *, names: bool = True
) -> list[Any]:
    """Shade every other phase, name each at the top, and draw the doors opening."""
    drawn: list[Any] = []
    for i, phase in enumerate(phases):
        if i % 2:
            drawn.append(ax.axvspan(phase.start_s, phase.end_s, color="#f3f4f6", zorder=0))
        if not names:
            continue
        drawn.append(
            ax.text(
                (phase.start_s + phase.end_s) / 2,
                1.0,
                phase.name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=7,
                color="#6b7280",
                clip_on=False,
            )
        )
    if sale_opens_at_s is not None:
        drawn.append(ax.axvline(sale_opens_at_s, color="#dc2626", linewidth=1, linestyle="--"))
    return drawn


FAULT_COLOR = "#b45309"


def mark_faults(
    ax: Axes, faults: Sequence[Fault], recovered: Mapping[str, float] | None = None
) -> list[Any]:
    """Each injected fault: a band over its window (a line if instantaneous), labelled with
    its kind; a green tick where the store was back within its objectives."""
    drawn: list[Any] = []
    for fault in faults:
        if fault.start_s is None:
            continue
        if fault.windowed and fault.end_s is not None:
            drawn.append(
                ax.axvspan(fault.start_s, fault.end_s, color=FAULT_COLOR, alpha=0.15, zorder=0)
            )
        else:
            drawn.append(ax.axvline(fault.start_s, color=FAULT_COLOR, linewidth=1.4))
        drawn.append(
            ax.text(
                fault.start_s,
                0.98,
                f" {fault.kind}",
                transform=ax.get_xaxis_transform(),
                ha="left",
                va="top",
                fontsize=6,
                color=FAULT_COLOR,
                rotation=90,
            )
        )
        at = (recovered or {}).get(fault.spec)
        if at is not None:
            drawn.append(ax.axvline(at, color="#16a34a", linewidth=1, linestyle=":"))
    return drawn


def plot_load(
    ax: Axes, users: UsersSeries, arrivals: ArrivalSeries, max_points: int = 900
) -> list[Any]:
    """Running and intended users (left axis) and arrivals sent per second (right axis)."""
    drawn: list[Any] = []
    t, running = thin(users.t, users.running, max_points)
    drawn += ax.plot(t, running, color="#2563eb", linewidth=1.6, label="users running")
    t, intended = thin(users.t, users.intended, max_points)
    drawn += ax.plot(
        t, intended, color="#93c5fd", linestyle="--", linewidth=1.0, label="users intended"
    )
    ax.set_ylabel("users")
    ax.set_ylim(bottom=0)
    seconds_axis(ax)
    if arrivals.t:
        right = ax.twinx()
        t, sent = thin(arrivals.t, arrivals.sent, max_points)
        drawn += right.plot(t, sent, color="#d97706", linewidth=1.0, label="arrivals sent /s")
        if any(arrivals.missed):
            t, missed = thin(arrivals.t, arrivals.missed, max_points)
            drawn += right.plot(t, missed, color="#dc2626", linewidth=1.0, label="missed /s")
        right.set_ylabel("arrivals per second")
        right.set_ylim(bottom=0)
        right.spines["top"].set_visible(False)
    ax.legend(
        handles=[d for d in drawn if hasattr(d, "get_label")],
        loc="upper left",
        fontsize=7,
        frameon=False,
    )
    return drawn


def plot_latency_over_time(
    ax: Axes,
    timeline: GroupTimeline,
    slo: LatencySlo | None = None,
    max_points: int = 900,
    kind: str = "corrected",
) -> list[Any]:
    """p50, p95 and p99 of one group per interval (log scale), with its objectives as lines."""
    drawn: list[Any] = []
    for key in ("p50", "p95", "p99"):
        color, width = PERCENTILE_STYLES[key]
        values = [max(v * 1000, 1e-3) for v in getattr(timeline, key)]
        t, thinned = thin(timeline.t, values, max_points, how="max")
        drawn += ax.plot(t, thinned, color=color, linewidth=width, label=key)
    if slo is not None:
        for key, target in (("p95", slo.p95_s), ("p99", slo.p99_s)):
            if target is not None:
                color, _ = PERCENTILE_STYLES[key]
                drawn.append(ax.axhline(target * 1000, color=color, linestyle=":", linewidth=1.2))
                drawn.append(
                    ax.annotate(
                        f"{key} SLO",
                        (1.0, target * 1000),
                        xycoords=("axes fraction", "data"),
                        fontsize=6,
                        color=color,
                        ha="right",
                        va="bottom",
                    )
                )
    ax.set_yscale("log")
    ax.set_ylabel(f"ms ({kind})")
    drawn.append(
        ax.text(
            0.01,
            0.97,
            timeline.group,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9,
            fontweight="bold",
            color=COLORS.get(timeline.group, "#374151"),
        )
    )
    seconds_axis(ax)
    return drawn


def plot_errors(
    ax: Axes, failures: Series, outcomes: Mapping[str, Series], max_points: int = 900
) -> list[Any]:
    """Failed requests, and business outcomes (by label, ``409 sold out``) per second."""
    drawn: list[Any] = []
    lines = [("failed requests", failures, "#dc2626")]
    lines += [(label, s, RUN_COLORS[1 + i % 5]) for i, (label, s) in enumerate(outcomes.items())]
    for label, series, color in lines:
        t, values = thin(series.t, series.values, max_points)
        drawn += ax.plot(t, values, color=color, linewidth=1.2, label=label, drawstyle="steps-post")
    ax.set_ylabel("per second")
    ax.set_ylim(bottom=0)
    seconds_axis(ax)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return drawn


_NINES = (0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999)


def plot_distribution(
    ax: Axes,
    distributions: Mapping[str, Distribution],
    colors: Mapping[str, str] | None = None,
    kind: str = "corrected",
) -> list[Any]:
    """Latency by percentile per group (or run), on HdrHistogram's 'nines' axis (1/(1-q))."""
    palette = COLORS if colors is None else colors
    drawn: list[Any] = []
    for group, dist in distributions.items():
        total = dist.total
        if not total:
            continue
        cumulative = np.cumsum(dist.counts) / total
        below = np.concatenate(([0.0], cumulative[:-1]))
        x = 1 / np.clip(1 - below, 1e-6, None)
        y = np.asarray(dist.values_s) * 1000
        drawn += ax.step(
            x,
            y,
            where="post",
            color=palette.get(group, "#6b7280"),
            label=group,
            linewidth=1.8 if group == "all" else 1.1,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(FixedLocator([1 / (1 - q) for q in _NINES]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{(1 - 1 / x) * 100:g}%"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(1, 1e5)
    ax.set_xlabel("percentile")
    ax.set_ylabel(f"ms ({kind})")
    ax.grid(True, which="major", color="#e5e7eb", linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return drawn


def plot_funnel(ax: Axes, steps: Sequence[tuple[str, int]]) -> list[Any]:
    """Horizontal bars, widest first, each labelled with its count and share of the first."""
    labels = [label for label, _ in steps]
    counts = [count for _, count in steps]
    first = counts[0] if counts and counts[0] else 1
    positions = list(range(len(steps)))[::-1]
    bars = ax.barh(
        positions,
        counts,
        color=["#bfdbfe", "#93c5fd", "#60a5fa", "#2563eb"][: len(steps)],
        height=0.6,
    )
    drawn: list[Any] = [bars]
    for y, count in zip(positions, counts, strict=True):
        drawn.append(
            ax.text(count, y, f"  {count:,}  ({count / first:.1%})", va="center", fontsize=8)
        )
    ax.set_yticks(positions, labels)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlim(0, max(counts, default=1) * 1.35 or 1)
    ax.set_xlabel("shoppers' steps reached")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return drawn


def plot_overlay(
    ax: Axes,
    series: Mapping[str, Series],
    ylabel: str,
    *,
    log: bool = False,
    how: Reduce = "mean",
    max_points: int = 900,
) -> list[Any]:
    """One line per run (compare): ``series`` maps a run's label to its values over time."""
    drawn: list[Any] = []
    for i, (label, values) in enumerate(series.items()):
        t, thinned = thin(values.t, values.values, max_points, how)
        drawn += ax.plot(
            t, thinned, color=RUN_COLORS[i % len(RUN_COLORS)], linewidth=1.3, label=label
        )
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    seconds_axis(ax)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return drawn
