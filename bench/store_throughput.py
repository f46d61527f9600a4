"""Requests/s of product reads (cache hits) and checkouts, as ratios to a trivial endpoint.

    python bench/store_throughput.py [--seconds 5] [--connections 32]

One store process pinned to one core, the load from a raw asyncio HTTP/1.1
client pinned to the other; each endpoint is driven closed-loop (every
connection sends its next request when the last answer arrives) for the same
time. The trivial endpoint (``/healthz``, through the same gateway) is
measured before and after the others, and the ratios use their mean, so a
noisy shared machine shows up as a gap between the two baselines. Checkout
runs with the payment provider's latency set to 0 so what is measured is the
store's own work (idempotency, order, hold, payment rows, commit, outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._hardware import describe
from stampede.app.http1 import read_response
from stampede.store.launcher import StoreProcess

STORE_FLAGS = [
    "--users",
    "200",
    "--kdf-n",
    "1024",
    "--payment-latency-ms",
    "0",
    "--payment-p99-ms",
    "0",
    "--decline-rate",
    "0",
    "--failure-rate",
    "0",
    "--user-rate",
    "1000000",
    "--anonymous-rate",
    "1000000",
    "--global-rate",
    "10000000",
]


def _get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()


def _checkout(token: str, product: int) -> bytes:
    body = json.dumps({"items": [{"product_id": product}]}).encode()
    return (
        f"POST /api/v1/checkout HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {uuid.uuid4().hex}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def _connection(
    port: int,
    requests: itertools.cycle,
    deadline: float,  # type: ignore[type-arg]
    counts: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < deadline:
        writer.write(next(requests)())
        status, _ = await read_response(reader, head_only=False)
        counts[status] = counts.get(status, 0) + 1
    writer.close()


async def _drive(
    port: int, make: list, seconds: float, connections: int
) -> tuple[float, dict[int, int]]:  # type: ignore[type-arg]
    counts: dict[int, int] = {}
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *(_connection(port, itertools.cycle(make), deadline, counts) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    ok = sum(n for status, n in counts.items() if 200 <= status < 300)
    return ok / elapsed, counts


def _tokens(url: str, count: int) -> list[str]:
    with httpx.Client(base_url=url, timeout=30) as client:
        return [
            client.post(
                "/api/v1/sessions",
                json={"email": f"shopper{i}@stampede.test", "password": "stampede-shopper"},
            ).json()["token"]
            for i in range(1, count + 1)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    with (
        tempfile.TemporaryDirectory() as tmp,
        StoreProcess(Path(tmp) / "d", args=STORE_FLAGS) as store,
    ):
        if len(cores) > 1:
            for proc in [
                psutil.Process(store.process.pid),
                *psutil.Process(store.process.pid).children(recursive=True),
            ]:  # type: ignore[union-attr]
                proc.cpu_affinity([cores[1]])
            os.sched_setaffinity(0, {cores[0]})
        tokens = _tokens(store.url, 32)
        product_reads = [lambda i=i: _get(f"/api/v1/products/{i}") for i in range(1, 51)]
        for i in range(1, 51):  # warm the cache
            httpx.get(f"{store.url}/api/v1/products/{i}")
        checkouts = [lambda t=t, p=p: _checkout(t, p) for t in tokens for p in range(1, 11)]
        trivial = [lambda: _get("/healthz")]
        run = lambda make: asyncio.run(_drive(store.port, make, args.seconds, args.connections))  # noqa: E731
        base1, _ = run(trivial)
        product, product_counts = run(product_reads)
        checkout, checkout_counts = run(checkouts)
        base2, _ = run(trivial)
    base = (base1 + base2) / 2
    print(f"hardware: {describe()}")
    print(
        f"store: 1 worker pinned to core {cores[-1]}, client pinned to core {cores[0]}; "
        f"{args.connections} connections, {args.seconds:g} s per endpoint"
    )
    print(
        f"trivial GET /healthz           {base1:8.0f} req/s then {base2:8.0f} req/s"
        f" (mean {base:.0f})"
    )
    print(
        f"GET /api/v1/products/{{id}} hit  {product:8.0f} req/s  ratio {product / base:.2f}"
        f"  (goal >= 0.40)  statuses {product_counts}"
    )
    print(
        f"POST /api/v1/checkout          {checkout:8.0f} req/s  ratio {checkout / base:.3f}"
        f"  statuses {checkout_counts}"
    )


if __name__ == "__main__":
    main()
