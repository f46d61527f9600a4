"""The store's Starlette app in the test process, called through ``httpx.ASGITransport``.

A test of what the store answers (status codes, bodies, limits, ownership, idempotency)
learns nothing more from a granian process on a port than from the app itself, the way
Starlette tests its own apps. :class:`InProcessStore` builds the app from the same
``stampede store`` flags a :class:`~stampede.store.launcher.StoreProcess` takes, seeds it as
``stampede store`` does, and runs its lifespan (services, sweeper, outbox relay, stock feed)
on an event loop of its own in a thread. Clients forward every request to that loop, so a
synchronous ``httpx.Client`` and an ``httpx.AsyncClient`` inside a test's ``asyncio.run``
both reach the services on the loop that opened them, concurrently as a worker serves them.

What needs a real server stays on one (tests/store/conftest.py ``start_server``): two
workers racing, the raw request line, WebSockets, a store killed or restarted.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from starlette.applications import Starlette

from stampede.app.commands.store import build_config
from stampede.app.commands.store import store as store_command
from stampede.store.app import create_app
from stampede.store.config import StoreConfig
from stampede.store.server import prepare_data_dir, seed_if_needed

#: what clients put in the Host header; nothing listens there
BASE_URL = "http://store.test"
#: the connecting address the gateway sees unless a client says otherwise
CLIENT = ("127.0.0.1", 50000)


def config_from_flags(data_dir: Path, admin_token: str, args: Sequence[str]) -> StoreConfig:
    """The configuration ``stampede store --data-dir DATA --admin-token T ARGS`` would run."""
    flags = ["--data-dir", str(data_dir), "--admin-token", admin_token, *args]
    context = store_command.make_context("store", flags)
    prepare_data_dir(data_dir)
    return build_config(context.params, data_dir)


class _AsyncChunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


class _Forward:
    """Send a request through ``ASGITransport`` on the app's loop; return a read response."""

    def __init__(self, app: Starlette, loop: asyncio.AbstractEventLoop, client: tuple[str, int]):
        # like a server, answer 500 when the app raises, so tests see what a client would
        self._asgi = httpx.ASGITransport(app, raise_app_exceptions=False, client=client)
        self._loop = loop

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        body = await response.aread()
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(body)
        )

    def submit(self, request: httpx.Request) -> Future[httpx.Response]:
        if not isinstance(request.stream, httpx.AsyncByteStream):
            # a generator body (chunked framing) is read here, chunk by chunk, and replayed
            assert isinstance(request.stream, httpx.SyncByteStream)
            request.stream = _AsyncChunks(list(request.stream))
        return asyncio.run_coroutine_threadsafe(self._send(request), self._loop)


class _SyncTransport(httpx.BaseTransport):
    def __init__(self, forward: _Forward) -> None:
        self._forward = forward

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._forward.submit(request).result()


class _AsyncTransport(httpx.AsyncBaseTransport):
    def __init__(self, forward: _Forward) -> None:
        self._forward = forward

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await asyncio.wrap_future(self._forward.submit(request))


async def _task_stacks() -> str:
    """Where every task of the running loop is waiting (what a shutdown that hangs waits on)."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task():
            task.print_stack(file=out)
    return out.getvalue()


class InProcessStore:
    """A seeded store app with its lifespan running, and clients that call it (a context
    manager). It answers as a one-worker ``stampede store`` with the same flags would."""

    url = BASE_URL

    def __init__(
        self, data_dir: Path, *, admin_token: str = "stampede-admin", args: Sequence[str] = ()
    ) -> None:
        self.data_dir = data_dir
        self.admin_token = admin_token
        self.config = config_from_flags(data_dir, admin_token, args)
        self.app: Starlette | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stop: asyncio.Event | None = None
        self._serving: Future[None] | None = None

    def start(self) -> InProcessStore:
        self._thread.start()
        started: Future[None] = Future()
        self._serving = asyncio.run_coroutine_threadsafe(self._serve(started), self._loop)
        try:
            started.result(timeout=120)
        except BaseException:
            self.stop()
            raise
        return self

    async def _serve(self, started: Future[None]) -> None:
        try:
            await seed_if_needed(self.config, fresh=False)
            app = create_app(self.config)
            self._stop = asyncio.Event()
            async with app.router.lifespan_context(app):
                self.app = app
                started.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not started.done():
                started.set_exception(exc)
            raise

    def stop(self) -> None:
        if self._serving is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            try:
                self._serving.result(timeout=60)
            except TimeoutError:
                stacks = asyncio.run_coroutine_threadsafe(_task_stacks(), self._loop)
                raise TimeoutError(
                    f"the store did not shut down in 60 s; its tasks:\n{stacks.result(10)}"
                ) from None
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=60)
        # The loop is stopped, not closed: a SQLite connection that a background job was
        # opening when the lifespan cancelled it is never closed by the pool, and its
        # thread answers later; on a closed loop that answer would raise in the thread.

    def _forward(self, client: tuple[str, int]) -> _Forward:
        assert self.app is not None, "the store is not started"
        return _Forward(self.app, self._loop, client)

    def client(self, *, source: str = CLIENT[0], **kwargs: Any) -> httpx.Client:
        """A client calling the app, as if connecting from address ``source``."""
        transport = _SyncTransport(self._forward((source, CLIENT[1])))
        return httpx.Client(base_url=BASE_URL, transport=transport, **kwargs)

    def async_client(self, *, source: str = CLIENT[0], **kwargs: Any) -> httpx.AsyncClient:
        """An async client calling the app from any event loop, e.g. a test's ``asyncio.run``."""
        transport = _AsyncTransport(self._forward((source, CLIENT[1])))
        return httpx.AsyncClient(base_url=BASE_URL, transport=transport, **kwargs)

    def __enter__(self) -> InProcessStore:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
