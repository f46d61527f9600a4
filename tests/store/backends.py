"""Throw-away PostgreSQL databases and Redis servers for the store's backend tests.

Each test store gets a database of its own (dropped afterwards) and Redis keys
under a prefix of its own (deleted afterwards), so tests never share state and
can run twice; nothing this module did not create is touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import redis

from stampede.core.ports import free_port
from tests.services import POSTGRES_URL, REDIS_URL, require_service


def require_backends() -> None:
    pg, rd = urlsplit(POSTGRES_URL), urlsplit(REDIS_URL)
    require_service("PostgreSQL", pg.hostname or "127.0.0.1", pg.port or 5432)
    require_service("Redis", rd.hostname or "127.0.0.1", rd.port or 6379)


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a database that does not exist yet (the store creates it); dropped after."""
    name = f"stampede_test_{uuid.uuid4().hex[:12]}"
    try:
        yield urlunsplit(urlsplit(POSTGRES_URL)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_drop(name))


@contextlib.contextmanager
def redis_prefix(url: str = REDIS_URL) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted after."""
    prefix = f"stampede-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        with contextlib.suppress(redis.RedisError), redis.Redis.from_url(url) as client:
            for key in client.scan_iter(match=prefix + "*", count=1000):
                client.delete(key)


def postgres_args(database_url: str, prefix: str, redis_url: str = REDIS_URL) -> list[str]:
    """The store's flags for PostgreSQL at ``database_url`` and Redis keys under ``prefix``."""
    return [
        "--backend",
        "postgres",
        "--database-url",
        database_url,
        "--redis-url",
        redis_url,
        "--redis-prefix",
        prefix,
    ]


@contextlib.contextmanager
def store_backend(backend: str) -> Iterator[list[str]]:
    """The store's flags for ``backend``: none for SQLite; for PostgreSQL, a database and Redis
    keys of this test's own (the services required), dropped after."""
    if backend == "sqlite":
        yield []
        return
    require_backends()
    with fresh_database() as url, redis_prefix() as prefix:
        yield postgres_args(url, prefix)


class RedisServer:
    """A private ``redis-server`` on a free loopback port, which tests may stop and restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.workdir.mkdir(parents=True, exist_ok=True)
        options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), *options, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        with redis.Redis(port=self.port) as client:
            while time.monotonic() < deadline:
                try:
                    client.ping()
                    return self
                except redis.ConnectionError:
                    time.sleep(0.02)  # polling a child process for readiness
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
