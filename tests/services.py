"""Access to the real PostgreSQL and Redis services for tests.

Without ``STAMPEDE_REQUIRE_SERVICES=1`` a test that needs a missing service is
skipped with the reason; with it (as in CI) a missing service fails the test.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get(
    "STAMPEDE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("STAMPEDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = os.environ.get("STAMPEDE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, when services are required, fail) unless host:port accepts connections."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("STAMPEDE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and STAMPEDE_REQUIRE_SERVICES=1 says it must be")
    pytest.skip(f"{message}; set STAMPEDE_REQUIRE_SERVICES=1 to make this a failure")


def require_rabbitmq() -> None:
    """Skip (or fail, when services are required) unless RabbitMQ accepts connections."""
    parts = urlsplit(RABBITMQ_URL)
    require_service("RabbitMQ", parts.hostname or "127.0.0.1", parts.port or 5672)
