"""The notifications queue on RabbitMQ: every paid order's event published with a confirm,
consumed with a manual ack, exactly one notification each; depth and lag on ``/metrics``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stampede.app.chaos._rabbit import PrivateRabbit
from stampede.store.notifications import Notification
from stampede.store.notifications.queue import NotificationQueue
from tests.services import RABBITMQ_URL, require_rabbitmq
from tests.store.conftest import start_store
from tests.store.inprocess import InProcessStore
from tests.store.shoppers import audit, bounded, buy, flash_product_id, tokens

pytestmark = pytest.mark.services


async def _delete_queue(name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own on the shared broker, deleted after."""
    require_rabbitmq()
    name = f"stampede-test.{uuid.uuid4().hex[:12]}.notifications"
    try:
        yield name
    finally:
        asyncio.run(_delete_queue(name))


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def _shop(store: InProcessStore, customers: int) -> list[httpx.Response]:
    async with store.async_client(timeout=60) as client:
        shoppers = await tokens(client, customers)
        product = await flash_product_id(client)
        return await bounded((buy(client, t, product) for t in shoppers), concurrency=20)


def test_each_paid_order_is_one_notification_through_the_queue(
    tmp_path: Path, queue_name: str
) -> None:
    args = ["--queue", RABBITMQ_URL, "--queue-name", queue_name, "--flash-stock", "30"]
    with start_store(tmp_path, *args) as store:
        responses = asyncio.run(_shop(store, 40))
        headers = {"Authorization": f"Bearer {store.admin_token}"}
        with store.client(timeout=60, headers=headers) as admin:
            report = audit(admin)
            text = admin.get("/metrics").text
    paid = [r for r in responses if r.status_code == 201]
    assert len(paid) == 30
    assert report["ok"], report
    check = next(c for c in report["checks"] if c["name"] == "one_notification_per_paid_order")
    assert check["detail"] == "each of 30 paid orders has exactly one notification"
    assert _metric(text, "stampede_store_queue_published_total", queue=queue_name) >= 30
    assert _metric(text, "stampede_store_queue_consumed_total", queue=queue_name) >= 30
    assert _metric(text, "stampede_store_dependency_failures_total", dependency="broker") == 0


async def _publish_twice_and_consume(name: str) -> tuple[list[bool], int | None]:
    """The same event published twice (a relay that died before marking it sent)."""
    queue = NotificationQueue(RABBITMQ_URL, name)
    delivered: list[bool] = []
    seen: set[str] = set()

    async def deliver(note: Notification) -> bool:
        first = note.event_id not in seen
        seen.add(note.event_id)
        delivered.append(first)
        return first

    note = Notification("outbox-1", "1", "email", "a@b.cc", "Order #1")
    try:
        await queue.publish(note)
        await queue.publish(note)
        consumer = asyncio.create_task(queue.consume(deliver))
        for _ in range(200):
            if len(delivered) == 2:
                break
            await asyncio.sleep(0.02)  # the consumer is another task
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        depth = await queue.depth()
    finally:
        await queue.close()
    return delivered, depth


def test_a_republished_event_is_consumed_and_acked_once_each(queue_name: str) -> None:
    delivered, depth = asyncio.run(_publish_twice_and_consume(queue_name))
    assert delivered == [True, False]
    assert depth == 0  # both acked: nothing left for a redelivery


async def _shop_through_a_restart(
    store: InProcessStore, broker: PrivateRabbit, customers: int
) -> list[httpx.Response]:
    """Checkouts while the broker is stopped after a third of the answers, back after two."""
    answered = 0
    stopped = asyncio.Event()

    async def one(client: httpx.AsyncClient, token: str, product: int) -> httpx.Response:
        nonlocal answered
        response = await buy(client, token, product)
        answered += 1
        if answered == customers // 3:
            await asyncio.to_thread(broker.stop)
            stopped.set()
        elif answered == 2 * customers // 3:
            await stopped.wait()
            await asyncio.to_thread(broker.start)
        return response

    async with store.async_client(timeout=120) as client:
        shoppers = await tokens(client, customers)
        product = await flash_product_id(client)
        return await bounded((one(client, t, product) for t in shoppers), concurrency=10)


@pytest.mark.slow
def test_a_broker_restart_mid_sale_loses_no_notification(tmp_path: Path) -> None:
    broker = PrivateRabbit(tmp_path / "rabbitmq").start()
    try:
        args = ["--queue", broker.url, "--queue-name", "orders", "--flash-stock", "60"]
        with start_store(tmp_path, *args) as store:
            responses = asyncio.run(_shop_through_a_restart(store, broker, 90))
            headers = {"Authorization": f"Bearer {store.admin_token}"}
            with store.client(timeout=60, headers=headers) as admin:
                report = audit(admin)
                text = admin.get("/metrics").text
    finally:
        broker.stop()
    assert sum(r.status_code == 201 for r in responses) == 60
    assert report["ok"], [c for c in report["checks"] if not c["ok"]]
    assert _metric(text, "stampede_store_dependency_failures_total", dependency="broker") > 0
    assert _metric(text, "stampede_store_queue_consumed_total", queue="orders") >= 60
