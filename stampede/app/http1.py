"""A small keep-alive HTTP/1.1 client on asyncio streams, for ``stampede probe``.

A :class:`Connection` sends one fixed request over and over on a single
keep-alive connection and reads each whole response, returning only its status
code; :func:`describe_error` names the cause of a failed request so failures
can be counted by kind.

It exists instead of httpx because on one core httpx tops out near 1,100
requests/s with a single connection (and slows as connections are added),
while this client sustains tens of thousands, leaving the generator's CPU to
measure instead of to be measured.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from dataclasses import dataclass

NETWORK_ERRORS = (OSError, EOFError, ValueError, asyncio.LimitOverrunError)
"""What a failed request raises: the network's errors and a response that cannot be parsed."""

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class ProbeUrl:
    """Where a probe sends its requests."""

    url: str
    tls: bool
    host: str
    port: int
    path: str
    host_header: str


def describe_error(exc: BaseException) -> str:
    """A short name for a failed request's cause, used to count errors."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(exc, asyncio.IncompleteReadError):
        return "connection closed"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, ValueError | asyncio.LimitOverrunError):
        return "bad response"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


class Connection:
    """One keep-alive HTTP/1.1 connection that sends a fixed request."""

    def __init__(self, target: ProbeUrl, method: str, timeout: float) -> None:
        self._target = target
        self._timeout = timeout
        self._head_only = method == "HEAD"
        length = "Content-Length: 0\r\n" if method in _BODY_METHODS else ""
        self._request = (
            f"{method} {target.path} HTTP/1.1\r\nHost: {target.host_header}\r\n"
            f"User-Agent: stampede-probe\r\nAccept: */*\r\n{length}\r\n"
        ).encode("latin-1")
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        """Open the connection (TLS for https) within the timeout."""
        target = self._target
        context = ssl.create_default_context() if target.tls else None
        async with asyncio.timeout(self._timeout):
            self._reader, self._writer = await asyncio.open_connection(
                target.host, target.port, ssl=context
            )

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def request(self) -> int:
        """Send the request and read the whole response; return its status code."""
        async with asyncio.timeout(self._timeout):
            reused = self._writer is not None
            try:
                return await self._exchange()
            except asyncio.IncompleteReadError as exc:
                if not reused or exc.partial:
                    raise
                # the server closed an idle keep-alive connection: send once more on a new one
                self.close()
                return await self._exchange()

    async def _exchange(self) -> int:
        if self._writer is None:
            await self.connect()
        assert self._reader is not None and self._writer is not None
        self._writer.write(self._request)
        status, keep_alive = await read_response(self._reader, self._head_only)
        if not keep_alive:
            self.close()
        return status


async def read_response(reader: asyncio.StreamReader, head_only: bool) -> tuple[int, bool]:
    """Read one HTTP/1.x response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1.x response: {head[:40]!r}")
    status = int(head[9:12])
    keep_alive = head[5:8] == b"1.1"
    length: int | None = None
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            keep_alive = value.strip().lower() != b"close" and (
                keep_alive or b"keep-alive" in value.lower()
            )
    if head_only or status < 200 or status in (204, 304):
        return status, keep_alive
    if chunked:
        await _read_chunked(reader)
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        keep_alive = False
    return status, keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers
            return
        await reader.readexactly(size + 2)
