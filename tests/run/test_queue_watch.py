"""QueueWatch's one sample: the broker's depth, the store's counters, nothing carried over."""

from __future__ import annotations

import httpx

from stampede.app.queue_watch import QueueWatch
from stampede.core.ports import free_port

QUEUE = "stampede.run.notifications"
METRICS = f"""\
# TYPE stampede_store_queue_published_total counter
stampede_store_queue_published_total{{queue="{QUEUE}",worker="1"}} 30.0
stampede_store_queue_published_total{{queue="{QUEUE}",worker="2"}} 12.0
stampede_store_queue_published_total{{queue="other",worker="1"}} 99.0
# TYPE stampede_store_queue_consumed_total counter
stampede_store_queue_consumed_total{{queue="{QUEUE}",worker="1"}} 25.0
stampede_store_queue_consumed_total{{queue="{QUEUE}",worker="2"}} 10.0
# TYPE stampede_store_queue_lag_seconds gauge
stampede_store_queue_lag_seconds{{queue="{QUEUE}",worker="1"}} 0.25
stampede_store_queue_lag_seconds{{queue="{QUEUE}",worker="2"}} 1.5
"""


def _store(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/metrics"
    return httpx.Response(200, text=METRICS)


def test_a_second_the_broker_did_not_answer_has_no_depth_and_no_lag() -> None:
    # nothing listens on the port: the broker is down for this second
    watch = QueueWatch(
        f"amqp://guest:guest@127.0.0.1:{free_port()}/",
        QUEUE,
        "http://store.test",
        timeout_s=0.5,
        clock=lambda: 1000.0004,
    )
    with httpx.Client(transport=httpx.MockTransport(_store)) as client:
        sample = watch.sample(client)
    assert sample.at == 1000.0
    assert sample.depth is None
    # the store answered: its totals are summed over the workers of this queue only
    assert (sample.published, sample.consumed) == (42.0, 35.0)
    # its lag gauge is the last message consumed before the broker went away, not this second's
    assert sample.lag_s is None


def test_a_second_the_store_did_not_answer_has_no_counters() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    watch = QueueWatch(f"amqp://127.0.0.1:{free_port()}/", QUEUE, "http://store.test")
    with httpx.Client(transport=httpx.MockTransport(down)) as client:
        sample = watch.sample(client)
    assert (sample.depth, sample.published, sample.consumed, sample.lag_s) == (None,) * 4
