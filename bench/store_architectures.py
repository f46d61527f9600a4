"""Legacy vs modern store on PostgreSQL: the same checkout burst and browse mix, one run.

Usage: python bench/store_architectures.py [--customers 500] [--browse 2000]
Needs PostgreSQL and Redis (STAMPEDE_TEST_POSTGRES_URL / STAMPEDE_TEST_REDIS_URL or the
defaults on 127.0.0.1). Each architecture runs on a database created for it and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stampede.store.launcher import StoreProcess
from tests.services import REDIS_URL
from tests.store.backends import fresh_database, redis_prefix
from tests.store.shoppers import bounded, buy, flash_product_id, tokens


def hardware() -> str:
    model = platform.processor() or "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = psutil.virtual_memory().total / 2**30
    return f"{model}, {os.cpu_count()} logical cores, {memory:.1f} GiB RAM, {platform.system()}"


async def timed(call: asyncio.Future[httpx.Response] | object) -> tuple[float, int]:
    started = time.perf_counter()
    response = await call  # type: ignore[misc]
    return time.perf_counter() - started, response.status_code


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[94]


async def browse(client: httpx.AsyncClient, count: int, rng: random.Random) -> list[object]:
    def one() -> object:
        kind = rng.random()
        if kind < 0.4:
            return client.get("/api/v1/products", params={"category": rng.randint(1, 10)})
        if kind < 0.7:
            return client.get("/api/v1/search", params={"q": rng.choice(["lamp", "pro kettle"])})
        return client.get(f"/api/v1/products/{rng.randint(1, 1000)}")

    return await bounded((timed(one()) for _ in range(count)), concurrency=50)


async def measure(url: str, customers: int, browse_count: int) -> dict[str, float]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        shoppers = await tokens(client, customers)
        product = await flash_product_id(client)
        started = time.perf_counter()
        checkout = await bounded((timed(buy(client, t, product)) for t in shoppers), 100)
        checkout_s = time.perf_counter() - started
        started = time.perf_counter()
        browsing = await browse(client, browse_count, random.Random(7))
        browse_s = time.perf_counter() - started
    c_lat = [float(lat) for lat, _ in checkout]  # type: ignore[misc]
    b_lat = [float(lat) for lat, _ in browsing]  # type: ignore[misc]
    return {
        "checkout_p50": statistics.median(c_lat),
        "checkout_p95": p95(c_lat),
        "checkout_rps": len(c_lat) / checkout_s,
        "browse_p50": statistics.median(b_lat),
        "browse_p95": p95(b_lat),
        "browse_rps": len(b_lat) / browse_s,
    }


def run(architecture: str, customers: int, browse_count: int) -> dict[str, float]:
    with TemporaryDirectory() as tmp, fresh_database() as db, redis_prefix() as prefix:
        args = ["--backend", "postgres", "--database-url", db, "--architecture", architecture]
        args += ["--redis-url", REDIS_URL, "--redis-prefix", prefix, "--workers", "2"]
        args += ["--users", str(customers), "--kdf-n", "1024", "--decline-rate", "0"]
        args += ["--failure-rate", "0", "--user-rate", "1000", "--anonymous-rate", "100000"]
        with StoreProcess(Path(tmp) / "data", args=args) as store:
            return asyncio.run(measure(store.url, customers, browse_count))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--browse", type=int, default=2000)
    opts = parser.parse_args()
    print(f"hardware: {hardware()}")
    print(
        f"run {uuid.uuid4().hex[:8]}: {opts.customers} checkouts (100 units), "
        f"{opts.browse} browse requests, 2 workers, payment 60 ms / e-mail 40 ms median"
    )
    results = {arch: run(arch, opts.customers, opts.browse) for arch in ("legacy", "modern")}
    for arch, r in results.items():
        print(
            f"{arch:7s} checkout p50 {r['checkout_p50'] * 1000:8.0f} ms  p95 "
            f"{r['checkout_p95'] * 1000:8.0f} ms  {r['checkout_rps']:7.1f} req/s | browse p50 "
            f"{r['browse_p50'] * 1000:6.1f} ms  p95 {r['browse_p95'] * 1000:6.1f} ms  "
            f"{r['browse_rps']:7.1f} req/s"
        )
    legacy, modern = results["legacy"], results["modern"]
    print(
        f"ratio legacy/modern: checkout p95 {legacy['checkout_p95'] / modern['checkout_p95']:.1f}x,"
        f" browse p95 {legacy['browse_p95'] / modern['browse_p95']:.1f}x; throughput modern/legacy:"
        f" checkout {modern['checkout_rps'] / legacy['checkout_rps']:.1f}x, browse "
        f"{modern['browse_rps'] / legacy['browse_rps']:.1f}x"
    )


if __name__ == "__main__":
    main()
