"""Starting the store: check the port and data directory, seed once, serve with granian.

Seeding happens here, in the parent process, before any worker starts, so
``--workers N`` never races N seeders over the same files. With PostgreSQL and
Redis the parent also checks both are reachable (a one-line error naming the
masked URL otherwise), creates the database and the schemas, and reconciles
Redis's view of stock from the database.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from pathlib import Path

from stampede.core.errors import ConfigError
from stampede.store.config import CONFIG_ENV, MULTIPROC_ENV, StoreConfig, new_secret
from stampede.store.postgres import ensure_database
from stampede.store.redis_conn import RedisBackplane
from stampede.store.services import Services


def check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
                "pick another port with --port or stop what is using it"
            ) from exc


def prepare_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"data directory {path} is not writable ({exc.strerror or exc}); "
            "choose another with --data-dir"
        ) from exc


def token_secret(path: Path) -> str:
    """The signing secret kept in the data directory, so tokens survive a restart."""
    secret_file = path / "token-secret"
    if secret_file.exists():
        return secret_file.read_text().strip()
    secret = new_secret()
    secret_file.write_text(secret)
    secret_file.chmod(0o600)
    return secret


async def check_backends(config: StoreConfig) -> None:
    """Reach PostgreSQL (creating the database) and Redis, or raise a one-line error."""
    if config.backend == "postgres":
        assert config.database_url is not None
        await ensure_database(config.database_url)
    if config.redis_url is not None:
        redis = RedisBackplane(config.redis_url, config.redis_prefix)
        try:
            await redis.check()
        finally:
            await redis.close()
    if config.queue_url is not None:
        from stampede.store.notifications.queue import NotificationQueue

        queue = NotificationQueue(config.queue_url, config.queue_name)
        try:
            await queue.check()
        finally:
            await queue.close()


async def seed_if_needed(config: StoreConfig, fresh: bool) -> bool:
    """Create the schemas; seed when empty or asked to. True when it seeded."""
    await check_backends(config)
    services = Services.open(config)
    try:
        await services.setup()
        if fresh or not await services.is_seeded():
            await services.seed(config.seed)
            return True
        await services.inventory.reconcile()
        return False
    finally:
        await services.close()


def serve(config: StoreConfig) -> None:
    """Run the store until interrupted (blocks)."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ[CONFIG_ENV] = config.to_env()
    # before the workers import prometheus_client: /metrics sums every worker's values
    metrics = config.data_path / "prometheus"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(metrics)
    Granian(
        "stampede.store.app:app_from_env",
        factory=True,
        address=config.host,
        port=config.port,
        interface=Interfaces.ASGI,
        workers=config.workers,
        respawn_failed_workers=True,
        log_access=False,
    ).serve()


def prepare(config: StoreConfig, fresh: bool) -> bool:
    check_port(config.host, config.port)
    return asyncio.run(seed_if_needed(config, fresh))
