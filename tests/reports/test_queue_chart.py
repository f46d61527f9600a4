"""The report's queue chart: depth and consumer lag per second, only for a run with a queue."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from pathlib import Path

from stampede.core.queue_samples import QueueRecord, QueueSample, write_queue
from stampede.reports import load_run, write_report
from stampede.reports._queue_chart import queue_caption, queue_series
from tests.synthetic import ORIGIN

QUEUE = "stampede.run.notifications"


def _record() -> QueueRecord:
    """Six seconds from 10 s into the run; the broker was down for the fourth."""
    at = ORIGIN + 10.0
    samples = (
        QueueSample(at, 0, 0.0, 0.0, 0.0),
        QueueSample(at + 1, 30, 30.0, 0.0, 0.0),
        QueueSample(at + 2, 20, 30.0, 10.0, 1.5),
        QueueSample(at + 3, None, None, None, None),
        QueueSample(at + 4, 4, 30.0, 26.0, 0.4),
        QueueSample(at + 5, 0, 30.0, 30.0, 0.0),
    )
    return QueueRecord(QUEUE, 1.0, samples)


def test_the_series_are_run_seconds_with_gaps_where_nobody_answered() -> None:
    t, depth, lag = queue_series(_record(), ORIGIN)
    assert t == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    assert depth[:3] == [0.0, 30.0, 20.0] and depth[4:] == [4.0, 0.0]
    assert lag[:3] == [0.0, 0.0, 1.5] and lag[4:] == [0.4, 0.0]
    assert math.isnan(depth[3]) and math.isnan(lag[3])  # a gap, not the last value again


def _chart_svg(html: str) -> str:
    found = re.search(
        r'<figure id="chart-queue">.*?src="data:image/svg\+xml;base64,([^"]+)"', html, re.S
    )
    assert found, "no queue chart"
    return base64.b64decode(found[1]).decode()


def test_a_run_with_a_queue_has_the_chart_and_one_without_has_none(
    copy_run: Callable[..., Path],
) -> None:
    without = copy_run("plain")
    assert 'id="chart-queue"' not in write_report(without).read_text()

    run_dir = copy_run("queued")
    write_queue(run_dir, _record())
    data = load_run(run_dir)
    assert data.queue == _record()
    caption = queue_caption(data)
    assert f"Queue {QUEUE}" in caption
    assert "did not answer in 1 of 6 samples" in caption
    assert "drained 7.00 messages/s" in caption  # (10 + 4) messages in the 2 backed-up seconds
    html = write_report(run_dir).read_text()
    assert caption in html
    svg = _chart_svg(html)
    assert "messages waiting" in svg and "consumer lag, seconds" in svg
