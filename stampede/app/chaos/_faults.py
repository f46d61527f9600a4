"""How each fault is injected into the embedded store, for real.

* ``kill-worker``: ask ``/healthz`` which worker answers, check that pid is a
  child of the store Stampede started, SIGKILL it; granian's supervisor
  (``respawn_failed_workers``) starts a new one. Ends when the store has as
  many workers as before and answers again.
* ``redis-restart``: SIGKILL the private redis-server, start it again on the
  same port, empty. Ends when it answers PING.
* ``db-restart``: ``pg_terminate_backend`` on every connection to the store's
  PostgreSQL database (:mod:`stampede.app.chaos._db`).
* ``broker-restart`` / ``broker-outage``: stop the run's private RabbitMQ (a
  service stop: SIGTERM) and start it again at once, or at the window's end; its
  durable queue and persistent messages survive, as a real broker's do.
* ``payment-outage`` / ``db-latency``: ``PUT /admin/chaos`` sets the shared
  switch file every store worker reads (:mod:`store.switches`); the switch is
  turned back off at the window's end.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import psutil

from stampede.app.chaos._errors import InjectionError
from stampede.app.chaos._rabbit import PrivateRabbit
from stampede.app.chaos._redis import PrivateRedis
from stampede.app.chaos._spec import FaultSpec


@dataclass
class ChaosTarget:
    """The store Stampede started, and what it may break in it."""

    url: str
    admin_token: str
    store_pid: int
    redis: PrivateRedis | None = None
    broker: PrivateRabbit | None = None
    database_url: str | None = None
    settle_timeout_s: float = 30.0
    poll_s: float = 0.05


def _workers(target: ChaosTarget) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(target.store_pid).children(recursive=True)}
    except psutil.Error:
        return set()


def _serving_pid(client: httpx.Client, target: ChaosTarget) -> int | None:
    try:
        body = client.get(f"{target.url}/healthz").json()
    except (httpx.HTTPError, ValueError):
        return None
    pid = body.get("pid") if isinstance(body, dict) else None
    return pid if isinstance(pid, int) else None


def _until(condition: Callable[[], bool], target: ChaosTarget) -> bool:
    deadline = time.monotonic() + target.settle_timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(target.poll_s)  # bounded poll for the supervisor to act
    return False


def kill_worker(client: httpx.Client, target: ChaosTarget) -> str:
    before = _workers(target)
    pid = _serving_pid(client, target)
    if pid is None or pid not in before:
        raise InjectionError(f"no store worker to kill (/healthz named pid {pid})")
    os.kill(pid, signal.SIGKILL)
    started = time.monotonic()

    def respawned() -> bool:
        now = _workers(target)
        return (
            pid not in now and len(now) >= len(before) and _serving_pid(client, target) is not None
        )

    if not _until(respawned, target):
        return (
            f"SIGKILL to store worker pid {pid}; not respawned within {target.settle_timeout_s:g} s"
        )
    new = sorted(_workers(target) - before)
    return (
        f"SIGKILL to store worker pid {pid}; respawned as pid "
        f"{', '.join(map(str, new)) or '?'} after {time.monotonic() - started:.2f} s"
    )


LAST_FAILURE = "stampede_store_dependency_last_failure_timestamp_seconds"


def last_dependency_failure(client: httpx.Client, target: ChaosTarget, dependency: str) -> float:
    """Unix time of the store's latest failed call to ``dependency`` (0: none), any worker."""
    try:
        text = client.get(f"{target.url}/metrics").text
    except httpx.HTTPError as exc:
        raise InjectionError(f"GET /metrics failed: {exc}") from exc
    wanted = f'{LAST_FAILURE}{{dependency="{dependency}"}} '
    for line in text.splitlines():
        if line.startswith(wanted):
            return float(line[len(wanted) :])
    return 0.0


def restart_redis(target: ChaosTarget) -> str:
    if target.redis is None:
        raise InjectionError("no private Redis to restart")
    started = time.monotonic()
    old = target.redis.kill()
    target.redis.start()
    return (
        f"SIGKILL to redis-server pid {old}; restarted empty as pid {target.redis.pid} on port "
        f"{target.redis.port} after {time.monotonic() - started:.2f} s"
    )


def stop_broker(target: ChaosTarget) -> str:
    if target.broker is None:
        raise InjectionError("no private RabbitMQ to stop")
    old = target.broker.pid
    started = time.monotonic()
    target.broker.stop()
    return f"rabbitmq-server pid {old} stopped after {time.monotonic() - started:.2f} s"


def start_broker(target: ChaosTarget) -> str:
    if target.broker is None:
        raise InjectionError("no private RabbitMQ to start")
    started = time.monotonic()
    try:
        target.broker.start()
    except Exception as exc:  # TargetError: it did not come back; the record says so
        raise InjectionError(f"rabbitmq-server did not start again: {exc}") from exc
    return (
        f"started again as pid {target.broker.pid} on port {target.broker.port}, answering "
        f"after {time.monotonic() - started:.2f} s"
    )


def set_switches(client: httpx.Client, target: ChaosTarget, active: list[FaultSpec]) -> None:
    """Make the store's switches say exactly what the active windowed faults say."""
    body = {
        "payment_outage": any(f.kind == "payment-outage" for f in active),
        "db_latency_ms": max(
            [(f.latency_s or 0.0) * 1000 for f in active if f.kind == "db-latency"], default=0.0
        ),
    }
    try:
        response = client.put(
            f"{target.url}/admin/chaos",
            json=body,
            headers={"Authorization": f"Bearer {target.admin_token}"},
        )
    except httpx.HTTPError as exc:
        raise InjectionError(f"PUT /admin/chaos failed: {exc}") from exc
    if response.status_code != 200:
        raise InjectionError(f"PUT /admin/chaos answered {response.status_code}")
