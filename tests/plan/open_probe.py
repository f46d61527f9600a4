"""An open-model probe for the known-answer tests: Poisson plateaus against one endpoint.

Arrivals come from the project's own :class:`~stampede.profiles.Schedule` of
an open-model profile with ``arrivals: poisson``; each request starts at its
intended time on a keep-alive connection of a small asyncio client (no
Locust: ``stampede run --locustfile`` is not on main yet), and its latency
is measured from that intended time, so a queue shows in full. Per plateau
the result is what the planner takes from a run: throughput, mean, p95 and
the request count of the steady part.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import numpy as np

from stampede.capacity._latency_curve import ServicePoints
from stampede.profiles import Schedule


class _Pool:
    """Keep-alive HTTP/1.1 connections to one host, opened as needed."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> None:
        if self.idle:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write(f"GET {path} HTTP/1.1\r\nhost: {self.host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise AssertionError(f"the server answered {head[:40]!r}")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        self.idle.append((reader, writer))

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def plateau_stages(rates: list[float], hold_s: float) -> list[dict[str, object]]:
    """Open-model stages: a step to each rate (0.1 s), then a hold."""
    stages: list[dict[str, object]] = []
    for i, rate in enumerate(rates):
        phase = f"step-{i + 1:02d}"
        stages.append({"duration": "100ms", "arrivals_per_s": rate, "phase": phase})
        stages.append({"duration": f"{hold_s:g}s", "arrivals_per_s": rate, "phase": phase})
    return stages


async def _drive(url: str, path: str, times: list[float]) -> list[float]:
    parts = urlsplit(url)
    pool = _Pool(parts.hostname or "127.0.0.1", parts.port or 80)
    latencies = [float("nan")] * len(times)
    origin = time.perf_counter() + 0.2

    async def one(i: int) -> None:
        intended = origin + times[i]
        await pool.get(path)
        latencies[i] = time.perf_counter() - intended

    tasks = []
    for i, t in enumerate(times):
        delay = origin + t - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    pool.close()
    return latencies


def probe(url: str, path: str, schedule: Schedule, *, seed: int, trim_s: float) -> ServicePoints:
    """Drive ``schedule``'s Poisson arrivals at ``url`` + ``path``; one point per plateau."""
    assert schedule.arrivals == "poisson", "a known-answer probe needs Poisson arrivals"
    times = list(schedule.arrival_times(seed=seed))
    latencies = np.asarray(asyncio.run(_drive(url, path, times)))
    sent = np.asarray(times)
    xs, means, p95s, counts = [], [], [], []
    for plateau in schedule.plateaus:
        start, end = plateau.start_s + trim_s, plateau.end_s
        inside = (sent >= start) & (sent < end)
        ms = latencies[inside] * 1000.0
        xs.append(float(inside.sum()) / (end - start))
        means.append(float(ms.mean()))
        p95s.append(float(np.quantile(ms, 0.95)))
        counts.append(int(inside.sum()))
    return ServicePoints(tuple(xs), tuple(means), tuple(p95s), tuple(counts))
