"""``/metrics`` of a store with two workers is the sum of both, whichever worker answers."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.store.conftest import start_server

pytestmark = pytest.mark.slow

REQUESTS = 120


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def _healthz_count(text: str) -> float:
    return _sample(
        text, "stampede_store_requests_total", method="GET", route="/healthz", status="200"
    )


def _spread(url: str, count: int) -> set[int]:
    """``count`` requests, each on a new connection so that both workers take some."""
    pids = set()
    for _ in range(count):
        with httpx.Client(timeout=10) as client:
            pids.add(int(client.get(f"{url}/healthz").json()["pid"]))
    return pids


def _scrapes(url: str, times: int) -> list[float]:
    out = []
    for _ in range(times):
        with httpx.Client(timeout=10) as client:
            out.append(_healthz_count(client.get(f"{url}/metrics").text))
    return out


def test_two_workers_counters_sum_and_survive_a_killed_worker(tmp_path: Path) -> None:
    with start_server(tmp_path, "--workers", "2", "--users", "10") as store:
        baseline = _scrapes(store.url, 1)[0]  # the readiness probes of the launcher
        pids = _spread(store.url, REQUESTS)
        scraped = _scrapes(store.url, 8)
        # a killed worker's counts stay in the sum: counters never go back
        os.kill(sorted(pids)[0], signal.SIGKILL)
        after_kill = []
        with httpx.Client(timeout=10) as client:
            for _ in range(200):
                try:
                    after_kill.append(_healthz_count(client.get(f"{store.url}/metrics").text))
                except httpx.TransportError:
                    continue  # the killed worker's connection; the next one lands elsewhere
                if len(after_kill) == 4:
                    break
    assert len(pids) == 2, f"both workers should have answered, got pids {pids}"
    assert scraped == [baseline + REQUESTS] * 8, scraped
    assert after_kill and min(after_kill) >= baseline + REQUESTS, after_kill
