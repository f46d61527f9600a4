"""Sample the run's notifications queue each second into ``queue.json``.

The depth is asked of the broker itself, with a timeout: the store's depth gauge is what
a worker last sampled, and after a broker restart it kept showing 10 while the queue had
drained. Published and consumed totals and the consumer lag come from the store's
``/metrics`` (summed over its workers). A second the broker or the store did not answer
is recorded as ``None``, and so is the lag of a second the broker did not answer: the
store's gauge then still shows the lag of the last message consumed before it went away.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import httpx

from stampede.core.queue_samples import QueueRecord, QueueSample


async def _broker_depth(url: str, queue: str, timeout_s: float) -> int | None:
    import aio_pika

    try:
        connection = await aio_pika.connect(url, timeout=timeout_s)
    except Exception:  # refused, timed out, closed: the broker is down for this second
        return None
    try:
        async with connection:
            channel = await connection.channel()
            declared = await asyncio.wait_for(channel.declare_queue(queue, passive=True), timeout_s)
            return int(declared.declaration_result.message_count or 0)
    except Exception:  # not declared yet, or the broker went away mid-question
        return None


def _store_counters(client: httpx.Client, metrics_url: str, queue: str) -> dict[str, float]:
    from prometheus_client.parser import text_string_to_metric_families

    try:
        text = client.get(metrics_url).text
    except httpx.HTTPError:
        return {}
    found: dict[str, float] = {}
    wanted = {
        "stampede_store_queue_published_total": "published",
        "stampede_store_queue_consumed_total": "consumed",
        "stampede_store_queue_lag_seconds": "lag_s",
    }
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = wanted.get(sample.name)
            if key is not None and sample.labels.get("queue") == queue:
                found[key] = (
                    max(found.get(key, 0.0), sample.value)
                    if key == "lag_s"
                    else found.get(key, 0.0) + sample.value
                )
    return found


class QueueWatch:
    """A thread that samples one queue every ``interval_s`` until stopped."""

    def __init__(
        self,
        broker_url: str,
        queue: str,
        store_url: str,
        *,
        interval_s: float = 1.0,
        timeout_s: float = 0.8,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.broker_url = broker_url
        self.queue = queue
        self.metrics_url = f"{store_url}/metrics"
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.clock = clock
        self.samples: list[QueueSample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stampede-queue", daemon=True)

    def start(self) -> QueueWatch:
        self._thread.start()
        return self

    def sample(self, client: httpx.Client) -> QueueSample:
        at = self.clock()
        depth = asyncio.run(_broker_depth(self.broker_url, self.queue, self.timeout_s))
        counters = _store_counters(client, self.metrics_url, self.queue)
        # the store's lag gauge is set when a message is consumed: with the broker down
        # nothing is, and the gauge would repeat the last lag seen as if it were this second's
        lag = counters.get("lag_s") if depth is not None else None
        return QueueSample(
            round(at, 3), depth, counters.get("published"), counters.get("consumed"), lag
        )

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while True:
                started = time.monotonic()
                self.samples.append(self.sample(client))
                if self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - started))):
                    return

    def stop(self) -> QueueRecord:
        self._stop.set()
        self._thread.join(timeout=10)
        return QueueRecord(self.queue, self.interval_s, tuple(self.samples))
