"""A tiny HTTP/1.1 server on a loopback port for the probe's tests.

It answers ``200 ok`` to every request. When ``freeze_at`` is set, the
request with that number starts a freeze of ``freeze_seconds``: it and every
request that arrives during it are answered only when the freeze ends. The
freeze is driven by the request count, not by the test's timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


@dataclass
class StubServer:
    freeze_at: int | None = None
    freeze_seconds: float = 0.0
    signal_at: int | None = None
    port: int = 0
    requests: int = 0
    froze: threading.Event = field(default_factory=threading.Event)
    signalled: threading.Event = field(default_factory=threading.Event)
    _thaw_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                if self.requests == self.freeze_at:
                    self._thaw_at = loop.time() + self.freeze_seconds
                    self.froze.set()
                if self.requests == self.signal_at:
                    self.signalled.set()
                if loop.time() < self._thaw_at:
                    await asyncio.sleep(self._thaw_at - loop.time())  # the stall being measured
                writer.write(RESPONSE)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # the server is closing with this client still connected (an idle user); ending
            # the handler here keeps Python 3.11's stream callback from logging the cancel
            return
        finally:
            writer.close()


S = TypeVar("S", bound=StubServer)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """Run ``server`` on 127.0.0.1 (a free port) in a thread of its own."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    done: asyncio.Future[None] = loop.create_future()

    async def main() -> None:
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        server.port = listener.sockets[0].getsockname()[1]
        ready.set()
        async with listener:
            await done
        handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(5), "the stub server did not start"
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(done.set_result, None)
        thread.join(5)
        loop.close()
