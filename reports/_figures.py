"""Figures for the HTML pages: draw with :mod:`reports._charts`, embed as data URIs.

Figures are :class:`matplotlib.figure.Figure` objects rendered by the Agg and
SVG canvases directly; pyplot (and so any GUI backend) is never touched.
Charts are SVG with text kept as text: crisp in print and a few tens of
kilobytes each.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from stampede.core.chart_style import CHART_RC
from stampede.profiles import LatencySlo
from stampede.reports._charts import (
    mark_faults,
    mark_phases,
    plot_distribution,
    plot_errors,
    plot_funnel,
    plot_latency_over_time,
    plot_load,
)
from stampede.reports._model import RunData, Series
from stampede.reports._queue_chart import draw_queue, queue_caption

FUNNEL_LABELS = {
    "viewed_product": "browse (product views)",
    "added_to_cart": "cart (items added)",
    "checkout_attempted": "checkout (attempts)",
    "order_paid": "paid (orders)",
}


@dataclass(frozen=True)
class Chart:
    """One embedded chart: its title, data URI and a caption saying how to read it."""

    key: str
    title: str
    uri: str
    caption: str


def svg_uri(fig: Figure) -> str:
    """The figure as an ``image/svg+xml`` data URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_file_uri(path: Path) -> str:
    """A PNG file as an ``image/png`` data URI."""
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render(draw: Callable[[Figure], object], size: tuple[float, float]) -> str:
    """Draw on a fresh figure of ``size`` inches under the report style; its SVG data URI."""
    with matplotlib.rc_context(
        {
            **CHART_RC,
            "svg.fonttype": "none",
            "svg.hashsalt": "stampede",
        }
    ):
        fig = Figure(figsize=size, layout="constrained")
        draw(fig)
        return svg_uri(fig)


def _kind_words(data: RunData) -> str:
    if data.corrected:
        return (
            "corrected for coordinated omission (measured from when each request was meant "
            "to be sent)"
        )
    return (
        "uncorrected (measured from each request's send: plain Locust users have no intended start)"
    )


def _latency_groups(data: RunData) -> list[str]:
    return [g for g in data.group_order if g in data.timelines]


def _slo_for(data: RunData, group: str) -> LatencySlo | None:
    try:
        return data.slos.latency_for(group)
    except ValueError:
        return None


def _draw_latency(
    data: RunData, groups: list[str], max_points: int, recovered: Mapping[str, float]
) -> Callable[[Figure], object]:
    def draw(fig: Figure) -> object:
        columns = 2 if len(groups) > 1 else 1
        rows = -(-len(groups) // columns)
        axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel()
        for ax, group in zip(axes, groups, strict=False):
            plot_latency_over_time(
                ax, data.timelines[group], _slo_for(data, group), max_points, data.latency_kind
            )
            mark_phases(ax, data.phases, data.sale_opens_at_s, names=False)
            mark_faults(ax, data.faults, recovered)
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        fig.legend(
            *axes[0].get_legend_handles_labels(),
            loc="outside upper right",
            fontsize=7,
            frameon=False,
            ncols=3,
        )
        return axes

    return draw


def _load_chart(data: RunData, max_points: int, recovered: Mapping[str, float]) -> Chart:
    return Chart(
        "load",
        "Users and arrivals over time",
        render(
            lambda fig: (
                plot_load(fig.add_subplot(), data.users, data.arrivals, max_points),
                mark_phases(fig.axes[0], data.phases, data.sale_opens_at_s),
                mark_faults(fig.axes[0], data.faults, recovered),
            ),
            (9, 3.0),
        ),
        _load_caption(data, recovered),
    )


def _load_caption(data: RunData, recovered: Mapping[str, float]) -> str:
    """What the load chart shows, and only that: its fault bands when it has faults."""
    words = [
        "Users running (blue) against the schedule (dashed); arrivals (shopper visits "
        "started, each sending several requests) per second on the right axis."
    ]
    if data.sale_opens_at_s is not None:
        words.append("The red dashed line is the moment the sale opened.")
    if any(f.injected for f in data.faults):
        words.append("Brown bands and lines are injected faults.")
    if recovered:
        words.append("Green dotted lines are where the store had recovered.")
    return " ".join(words)


def _latency_chart(data: RunData, max_points: int, recovered: Mapping[str, float]) -> Chart:
    groups = _latency_groups(data)
    return Chart(
        "latency",
        "Latency over time per endpoint group",
        render(
            _draw_latency(data, groups, max_points, recovered),
            (9, 1.9 * -(-len(groups) // 2) + 0.4),
        ),
        f"p50, p95 and p99 per second, {_kind_words(data)}, log scale; dotted lines are the "
        "objectives.",
    )


def _errors_chart(data: RunData, max_points: int, recovered: Mapping[str, float]) -> Chart:
    return Chart(
        "errors",
        "Errors and business refusals over time",
        render(
            lambda fig: (
                plot_errors(fig.add_subplot(), data.failures_per_s, _refusals(data), max_points),
                mark_phases(fig.axes[0], data.phases, data.sale_opens_at_s),
                mark_faults(fig.axes[0], data.faults, recovered),
            ),
            (9, 2.6),
        ),
        "Failed requests are errors; the answers the target description calls business "
        f"outcomes ({_outcome_list(data)}) are the store protecting itself and its stock, "
        "and are not counted as errors.",
    )


def _refusals(data: RunData) -> dict[str, Series]:
    """The described outcomes per second, labelled with their status (``409 sold out``)."""
    out: dict[str, Series] = {}
    for rule in data.target.outcomes:
        label = f"{rule.status} {rule.name.replace('_', ' ')}"
        if rule.name in data.outcomes and label not in out:
            out[label] = data.outcomes[rule.name]
    return out


def _outcome_list(data: RunData) -> str:
    names = dict.fromkeys(f"{r.status} {r.name.replace('_', ' ')}" for r in data.target.outcomes)
    return ", ".join(names) or "none described"


def _distribution_chart(data: RunData) -> Chart:
    return Chart(
        "distribution",
        "Latency distribution per endpoint group",
        render(
            lambda fig: plot_distribution(
                fig.add_subplot(),
                {g: data.distributions[g] for g in data.group_order if g in data.distributions},
                kind=data.latency_kind,
            ),
            (9, 3.2),
        ),
        "Latency at each percentile over the whole run; the further right, the rarer. A "
        "line that rises steeply at the right has a long tail.",
    )


def _funnel_chart(data: RunData) -> Chart:
    steps = [
        (FUNNEL_LABELS.get(s, s.replace("_", " ")), int(data.outcome_totals.get(s, 0)))
        for s in data.target.funnel
    ]
    return Chart(
        "funnel",
        "The business funnel",
        render(lambda fig: plot_funnel(fig.add_subplot(), steps), (9, 2.2)),
        "How many times shoppers reached each step, and the share of the first step.",
    )


def run_charts(
    data: RunData, max_points: int = 900, recovered: Mapping[str, float] | None = None
) -> list[Chart]:
    """Every chart of the report, in reading order.

    ``recovered`` maps a chaos spec to the run second the store was back within
    its objectives; faults are drawn on the time charts when the run had any.
    """
    recovered = recovered or {}
    charts = [
        _load_chart(data, max_points, recovered),
        _latency_chart(data, max_points, recovered),
        _errors_chart(data, max_points, recovered),
        _distribution_chart(data),
    ]
    if data.queue is not None and data.queue.samples:
        charts.insert(3, _queue_chart(data, recovered))
    if data.outcome_totals and data.target.funnel:
        charts.append(_funnel_chart(data))
    return charts


def _queue_chart(data: RunData, recovered: Mapping[str, float]) -> Chart:
    title = "Notifications queue: depth and consumer lag"
    return Chart("queue", title, render(draw_queue(data, recovered), (9, 2.6)), queue_caption(data))


#: what the plan's simulated scaling strategies do, for the supply charts' captions
STRATEGIES = (
    "static-peak keeps the peak's replicas all along; reactive-only lets the autoscaler "
    "follow demand; scheduled-plus-reactive pre-warms on the sale's schedule and lets the "
    "autoscaler do the rest"
)
_CONTROLLERS = {"hpa": "a Kubernetes HPA", "ecs": "AWS ECS (Application Auto Scaling)"}


def capacity_caption(stem: str) -> str:
    """A sentence for a chart of the capacity plan (``supply-catalog-ecs``, ``savings``)."""
    if stem == "savings":
        return "Savings: the cost of the sale by scaling strategy, from static peak down"
    if stem.startswith("supply-"):
        service, _, controller = stem.removeprefix("supply-").rpartition("-")
        by = _CONTROLLERS.get(controller, controller)
        return (
            f"Supply of {service or controller} under {by}: requests per second the replicas "
            f"can serve against the demand, per strategy ({STRATEGIES})"
        )
    return stem.replace("-", " ")
