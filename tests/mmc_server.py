"""An M/M/c HTTP server: a target whose capacity is known by construction.

``c`` slots serve one FIFO queue; each request to ``/work`` holds a slot for an
exponential time of mean ``S`` by *sleeping*, so the generator's CPU on the
same machine does not change the service time. Any other path (``/health``)
answers at once without a slot; ``/stats`` says how many were served, the
most slots busy at once and the service time drawn. With Poisson arrivals the time a request
spends in the server is the M/M/c sojourn time, whose quantiles
``stampede.capacity.mmc_safe_rate`` computes exactly.

Run it as ``python -m tests.mmc_server --servers 2 --mean-ms 50``; it prints
``listening on http://127.0.0.1:PORT`` once it accepts connections and serves
until SIGTERM or SIGINT. :func:`start_mmc_server` does that for a test.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

_READY = "listening on "
_BODY_WORK = b'{"served": true}'
_BODY_HEALTH = b'{"ok": true}'


@dataclass
class MmcServer:
    """The queue: ``servers`` slots (FIFO), exponential service of mean ``mean_s``."""

    servers: int
    mean_s: float
    rng: random.Random

    def __post_init__(self) -> None:
        self.slots = asyncio.Semaphore(self.servers)  # wakes its waiters in FIFO order
        self.served = 0
        self.busy = 0
        self.most_busy = 0
        self.service_s = 0.0

    async def serve(self) -> None:
        async with self.slots:
            self.busy += 1
            self.most_busy = max(self.most_busy, self.busy)
            service = self.rng.expovariate(1.0 / self.mean_s)
            self.service_s += service
            await asyncio.sleep(service)
            self.busy -= 1
            self.served += 1

    def stats(self) -> bytes:
        return json.dumps(
            {"served": self.served, "most_busy": self.most_busy, "service_s": self.service_s}
        ).encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *headers = head.decode("latin-1").split("\r\n")
                parts = request_line.split(" ")
                path = parts[1] if len(parts) == 3 else ""
                length = _content_length(headers)
                if length:
                    await reader.readexactly(length)
                if path.split("?")[0] == "/work":
                    await self.serve()
                    body = _BODY_WORK
                elif path == "/stats":
                    body = self.stats()
                else:
                    body = _BODY_HEALTH
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
        writer.close()


def _content_length(headers: list[str]) -> int:
    for line in headers:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            return int(value.strip() or 0)
    return 0


async def _main(servers: int, mean_s: float, port: int, seed: int) -> None:
    queue = MmcServer(servers, mean_s, random.Random(seed))
    server = await asyncio.start_server(queue.handle, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bound = server.sockets[0].getsockname()[1]
    print(f"{_READY}http://127.0.0.1:{bound}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An M/M/c HTTP server on loopback.")
    parser.add_argument("--servers", type=int, required=True, help="c, the slots")
    parser.add_argument("--mean-ms", type=float, required=True, help="S, mean service time")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.servers, args.mean_ms / 1000.0, args.port, args.seed))


@contextlib.contextmanager
def start_mmc_server(servers: int, mean_ms: float, *, seed: int = 1) -> Iterator[str]:
    """Run the server in a child process; yield its base URL; stop it on exit."""
    child = subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.mmc_server"),
            *("--servers", str(servers), "--mean-ms", str(mean_ms), "--seed", str(seed)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the server listens, or it died
        if not line.startswith(_READY):
            raise RuntimeError(f"the M/M/c server did not start (exit {child.wait(10)})")
        yield line[len(_READY) :].strip()
    finally:
        child.terminate()
        child.wait(10)


if __name__ == "__main__":
    main()
