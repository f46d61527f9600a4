"""The notifications queue on RabbitMQ: the outbox relay publishes, every worker consumes.

With ``--queue amqp://…`` the outbox relay no longer calls the notifications service in
its own process: it publishes each ``order_paid`` event to a durable queue as a
persistent message and marks the outbox row sent only once the broker confirmed it
(publisher confirms), so a broker that is down, restarting or refusing keeps the event
in the outbox for the next drain. Each store worker consumes the queue with manual
acknowledgements: a message is acked only after its notification is recorded, so a
consumer that crashes leaves it to be redelivered, and delivery is idempotent per event
id (a redelivered or republished event sends nothing twice). Connections are aio-pika's
robust ones: they reconnect with a backoff and re-declare and re-consume by themselves.

Every second each worker samples the queue's depth (messages ready) for ``/metrics``;
the consumer lag is how old a message was when it was consumed (0 once the queue is
empty).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

import aio_pika
import msgspec
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection

from stampede.core.errors import ServiceUnavailableError
from stampede.store.dialects import mask_url
from stampede.store.notifications.service import Notification

log = logging.getLogger(__name__)

#: messages a consumer holds unacknowledged at once
PREFETCH = 32


def _nothing(*_: object) -> None:
    return None


class QueueStats:
    """What the queue reports to ``/metrics`` (set by the app; no-ops by default)."""

    def __init__(self) -> None:
        self.failed: Callable[[], None] = _nothing
        self.depth: Callable[[int], None] = _nothing
        self.lag: Callable[[float], None] = _nothing
        self.published: Callable[[], None] = _nothing
        self.consumed: Callable[[bool], None] = _nothing


class NotificationQueue:
    """One store worker's connection to the notifications queue."""

    def __init__(
        self,
        url: str,
        name: str,
        *,
        timeout_s: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.name = name
        self.stats = QueueStats()
        self._timeout_s = timeout_s
        self._clock = clock
        self._connection: AbstractRobustConnection | None = None
        self._publishing: AbstractRobustChannel | None = None
        self._opening = asyncio.Lock()

    async def _channel(self) -> AbstractRobustChannel:
        async with self._opening:
            if self._publishing is None:
                self._connection = await aio_pika.connect_robust(
                    self.url, timeout=self._timeout_s, reconnect_interval=0.5
                )
                channel = await self._connection.channel(publisher_confirms=True)
                await channel.declare_queue(self.name, durable=True)
                self._publishing = channel
            assert self._publishing is not None
            return self._publishing

    async def check(self) -> None:
        """Connect and declare the queue, or ServiceUnavailableError naming the (masked) URL."""
        try:
            await self._channel()
        except (TimeoutError, OSError, aio_pika.exceptions.AMQPError) as exc:
            raise ServiceUnavailableError(
                f"cannot reach RabbitMQ at {mask_url(self.url)}: {str(exc) or type(exc).__name__}"
                "; check --queue / STAMPEDE_QUEUE_URL and that the broker is running"
            ) from exc

    async def publish(self, note: Notification) -> None:
        """Publish one event, persistent; return once the broker confirmed it, else raise."""
        message = aio_pika.Message(
            msgspec.json.encode(note),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=note.event_id,
            timestamp=self._clock(),
            content_type="application/json",
        )
        try:
            channel = await self._channel()
            await channel.default_exchange.publish(
                message, routing_key=self.name, timeout=self._timeout_s, mandatory=True
            )
        except (TimeoutError, OSError, RuntimeError, aio_pika.exceptions.AMQPError) as exc:
            self.stats.failed()
            raise ServiceUnavailableError(
                f"RabbitMQ did not confirm {note.event_id}: {exc!r}"
            ) from exc
        self.stats.published()

    async def consume(self, deliver: Callable[[Notification], Awaitable[bool]]) -> None:
        """Deliver every message, acking each once recorded; runs until cancelled.

        The consumer is registered once on a robust channel, which re-declares the
        queue and re-consumes by itself after the connection came back.
        """

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._handle(message, deliver)

        while True:
            try:
                channel = await self._consumer_channel()
                queue = await channel.declare_queue(self.name, durable=True)
                await queue.consume(on_message, no_ack=False)
                break
            except (TimeoutError, OSError, RuntimeError, aio_pika.exceptions.AMQPError):
                self.stats.failed()
                await asyncio.sleep(0.5)
        await asyncio.Event().wait()  # consuming happens in on_message until cancelled

    async def _consumer_channel(self) -> AbstractRobustChannel:
        await self._channel()
        assert self._connection is not None
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        return channel

    async def _handle(
        self, message: AbstractIncomingMessage, deliver: Callable[[Notification], Awaitable[bool]]
    ) -> None:
        try:
            note = msgspec.json.decode(message.body, type=Notification)
        except msgspec.DecodeError:
            log.error("notifications queue: dropping a message that is not a notification")
            await message.reject(requeue=False)
            return
        try:
            await deliver(note)
        except Exception:
            log.exception("notifications queue: delivery of %s failed; requeued", note.event_id)
            with contextlib.suppress(Exception):
                await message.nack(requeue=True)
            return
        try:
            await message.ack()
        except Exception as exc:  # the channel died: the broker redelivers, delivery dedupes
            self.stats.failed()
            log.warning("notifications queue: ack of %s lost (%r)", note.event_id, exc)
            return
        if message.timestamp is not None:
            self.stats.lag(max(0.0, self._clock() - message.timestamp.timestamp()))
        self.stats.consumed(bool(message.redelivered))

    async def depth(self) -> int | None:
        """Messages ready in the queue (None when the broker cannot be asked)."""
        try:
            channel = await self._channel()
            declared = await channel.declare_queue(self.name, durable=True, passive=True)
        except (TimeoutError, OSError, RuntimeError, aio_pika.exceptions.AMQPError):
            self.stats.failed()
            return None
        count = declared.declaration_result.message_count or 0
        self.stats.depth(count)
        if count == 0:
            self.stats.lag(0.0)
        return count

    async def sample(self, interval_s: float = 1.0) -> None:
        """Sample the depth every ``interval_s`` until cancelled."""
        while True:
            await self.depth()
            await asyncio.sleep(interval_s)

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection, self._publishing = self._connection, None, None
            with contextlib.suppress(Exception):
                await connection.close()
