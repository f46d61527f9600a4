"""A loopback HTTP server that answers every ``late_every``-th item after a client's timeout.

``GET /items/<n>`` answers at once, unless ``n`` is a multiple of ``late_every``:
then it answers ``late_s`` seconds later, by which time a client with a shorter
timeout has given up. ``GET /ping`` is its health check. A standard-library
threading server started in the test's process; it counts what it was asked.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.threaded_server import serving_in_thread


class _Handler(BaseHTTPRequestHandler):
    server: LateServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        number = self.path.removeprefix("/items/")
        if self.path == "/ping":
            self._answer(b"pong")
        elif number.isdigit():
            if int(number) % self.server.late_every == 0:
                with self.server.lock:
                    self.server.late += 1
                # the answer comes after the client's timeout (or when the server stops)
                self.server.closing.wait(self.server.late_s)
            self._answer(b'{"item": ' + number.encode() + b"}")
        else:
            self.send_error(404)

    def _answer(self, body: bytes) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up on this one
            self.close_connection = True


class LateServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, late_every: int, late_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.late_every = late_every
        self.late_s = late_s
        self.late = 0  # requests answered late
        self.lock = threading.Lock()
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def shutdown(self) -> None:
        self.closing.set()  # the late answers still waiting go out now
        super().shutdown()


@contextmanager
def late_server(late_every: int = 4, late_s: float = 1.0) -> Iterator[LateServer]:
    """A :class:`LateServer` on a free loopback port for the ``with`` block."""
    with serving_in_thread(LateServer(late_every, late_s)) as server:
        yield server
