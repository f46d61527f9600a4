"""The queue chart: the notifications queue's depth and its consumers' lag, per second.

Only a run with a queue has one (``stampede run --queue``, or a broker fault, records
``queue.json``). A second the broker or the store did not answer is a gap in its line,
never the last value carried on: a broker outage shows as the gap it was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from stampede.core.numbers import rate
from stampede.core.queue_samples import QueueRecord
from stampede.reports._charts import mark_faults, mark_phases, seconds_axis
from stampede.reports._model import RunData

DEPTH_COLOR = "#7c3aed"
LAG_COLOR = "#d97706"


def queue_series(
    record: QueueRecord, origin: float
) -> tuple[list[float], list[float], list[float]]:
    """Seconds from ``origin``, depth and lag; NaN where the second had no answer."""
    t = [s.at - origin for s in record.samples]
    depth = [math.nan if s.depth is None else float(s.depth) for s in record.samples]
    lag = [math.nan if s.lag_s is None else s.lag_s for s in record.samples]
    return t, depth, lag


def plot_queue(ax: Axes, record: QueueRecord, origin: float) -> list[Any]:
    """Messages waiting (left axis) and the consumers' lag in seconds (right axis)."""
    t, depth, lag = queue_series(record, origin)
    drawn: list[Any] = []
    drawn += ax.step(
        t, depth, where="post", color=DEPTH_COLOR, linewidth=1.4, label="messages waiting"
    )
    ax.set_ylabel("messages waiting")
    ax.set_ylim(bottom=0)
    seconds_axis(ax)
    right = ax.twinx()
    drawn += right.plot(t, lag, color=LAG_COLOR, linewidth=1.0, label="consumer lag (s)")
    right.set_ylabel("consumer lag, seconds")
    right.set_ylim(bottom=0)
    right.spines["top"].set_visible(False)
    ax.legend(handles=drawn, loc="upper left", fontsize=7, frameon=False)
    return drawn


def unanswered_seconds(record: QueueRecord) -> int:
    """Samples in which the broker gave no depth."""
    return sum(s.depth is None for s in record.samples)


def draw_queue(data: RunData, recovered: Mapping[str, float]) -> Any:
    """A function drawing the run's queue chart on a figure (the run must have a queue)."""
    record = data.queue
    assert record is not None, "only for a run with a queue"

    def draw(fig: Figure) -> Sequence[Any]:
        ax = fig.add_subplot()
        drawn = plot_queue(ax, record, data.run.measured.origin)
        mark_phases(ax, data.phases, data.sale_opens_at_s)
        mark_faults(ax, data.faults, recovered)
        return drawn

    return draw


def queue_caption(data: RunData) -> str:
    """How to read the queue chart, with how many seconds the broker did not answer."""
    record = data.queue
    assert record is not None, "only for a run with a queue"
    words = [
        f"Queue {record.queue}: messages waiting in the broker (purple, left axis) and the "
        "consumer lag, how old a message was when it was consumed (orange, right axis), "
        f"sampled every {record.interval_s:g} s."
    ]
    gaps = unanswered_seconds(record)
    if gaps:
        words.append(
            f"The broker did not answer in {gaps} of {len(record.samples)} samples: "
            "the gaps in the line."
        )
    drained = record.drain_rate()
    if drained is not None:
        words.append(f"While messages waited, the consumers drained {rate(drained, 'messages/s')}.")
    return " ".join(words)
