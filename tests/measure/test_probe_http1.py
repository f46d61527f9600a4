"""The probe's HTTP/1.1 client (``stampede.app.http1``) against the stub server on loopback."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from dataclasses import dataclass

import pytest

from stampede.app import http1, probe
from stampede.app.http1 import Connection, describe_error
from tests.measure.stub_server import StubServer, serving


@dataclass
class CountingServer(StubServer):
    """The stub server, counting the connections it accepts."""

    accepted: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        await super().handle(reader, writer)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_share_one_keep_alive_connection(method: str) -> None:
    async def three_requests(url: str) -> list[int]:
        connection = Connection(probe.parse_target(url), method, timeout=5.0)
        try:
            return [await connection.request() for _ in range(3)]
        finally:
            connection.close()

    with serving(CountingServer()) as server:
        statuses = asyncio.run(three_requests(server.url))
    assert statuses == [200, 200, 200]
    assert server.requests == 3
    assert server.accepted == 1


def test_a_request_that_outlasts_the_timeout_is_a_timeout() -> None:
    async def one_request(url: str) -> str:
        connection = Connection(probe.parse_target(url), "GET", timeout=0.1)
        try:
            await connection.request()
        except http1.NETWORK_ERRORS as exc:
            return describe_error(exc)
        finally:
            connection.close()
        return "answered"

    # the freeze is short so that teardown never outlasts it, even where closing the
    # server waits for its open connections (Python 3.12+)
    with serving(StubServer(freeze_at=1, freeze_seconds=1.0)) as server:
        assert asyncio.run(one_request(server.url)) == "timeout"
        assert server.froze.is_set()


@pytest.mark.parametrize(
    ("exc", "name"),
    [
        (TimeoutError(), "timeout"),
        (ConnectionRefusedError(), "connection refused"),
        (ConnectionResetError(), "connection reset"),
        (BrokenPipeError(), "connection reset"),
        (asyncio.IncompleteReadError(b"", 10), "connection closed"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "unknown host"),
        (ssl.SSLError(1, "wrong version number"), "TLS error"),
        (ValueError("not an HTTP/1.x response"), "bad response"),
        (asyncio.LimitOverrunError("too long", 0), "bad response"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "no route to host"),
        (RuntimeError("a bug"), "RuntimeError"),
    ],
)
def test_describe_error(exc: BaseException, name: str) -> None:
    assert describe_error(exc) == name


def test_the_probe_still_exports_the_client_names() -> None:
    for name in ("Connection", "ProbeUrl", "describe_error", "read_response"):
        assert getattr(probe, name) is getattr(http1, name)
    assert all(hasattr(probe, name) for name in probe.__all__)
