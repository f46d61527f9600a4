"""The store's configuration: one typed object, built from flags or the environment.

Worker processes receive it as JSON in ``STAMPEDE_STORE_CONFIG`` so that every
process of one store runs with exactly the same settings.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import msgspec

from stampede.core.errors import ConfigError

CONFIG_ENV = "STAMPEDE_STORE_CONFIG"
#: where served workers share their metrics (read by prometheus_client when it is imported,
#: so it is set before the workers start, and named here, without importing it)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

InventoryStrategy = Literal["atomic", "naive", "redis"]
Backend = Literal["sqlite", "postgres"]
Architecture = Literal["modern", "legacy"]
FailureMode = Literal["open", "closed"]


class FlashSku(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A flash-sale SKU: scarce stock, a per-customer limit."""

    sku: str
    stock: int
    limit_per_user: int | None = 1
    price_cents: int = 4999
    name: str = "Flash deal"


class SeedSpec(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What ``/admin/seed`` and a fresh store create."""

    categories: int = 10
    products: int = 100  # per category
    users: int = 10_000
    stock_per_product: int = 10_000
    flash: tuple[FlashSku, ...] = (FlashSku(sku="FLASH-001", stock=100),)


class PaymentSim(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The simulated payment provider: a log-normal latency, declines and failures."""

    latency_median_ms: float = 60.0
    latency_p99_ms: float = 400.0
    decline_rate: float = 0.02
    failure_rate: float = 0.005
    seed: int | None = None


class EmailSim(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The simulated e-mail provider: a log-normal latency, like the payment provider's."""

    latency_median_ms: float = 40.0
    latency_p99_ms: float = 250.0
    seed: int | None = None


class RateLimits(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Token buckets: per signed-in user, per anonymous client address, and global."""

    user_rate: float = 20.0
    user_burst: float = 40.0
    anonymous_rate: float = 2_000.0
    anonymous_burst: float = 4_000.0
    global_rate: float = 20_000.0
    global_burst: float = 40_000.0


class StoreConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Everything one store needs to start."""

    data_dir: str
    admin_token: str
    token_secret: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    backend: Backend = "sqlite"
    architecture: Architecture = "modern"
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "stampede:"
    redis_pool_size: int = 32
    #: amqp://… of a RabbitMQ broker: order events go through its durable queue
    queue_url: str | None = None
    queue_name: str = "stampede.notifications"
    rate_limit_on_redis_failure: FailureMode = "open"
    inventory_strategy: InventoryStrategy = "atomic"
    reservation_ttl_s: float = 600.0
    sweep_interval_s: float = 1.0
    outbox_interval_s: float = 0.2
    token_ttl_s: float = 3600.0
    cache_ttl_s: float = 5.0
    max_body_bytes: int = 64 * 1024
    db_pool_size: int = 4
    stock_feed_interval_s: float = 0.1
    password_kdf_n: int = 2**14
    payment: PaymentSim = PaymentSim()
    email: EmailSim = EmailSim()
    rate_limits: RateLimits = RateLimits()
    seed: SeedSpec = SeedSpec()

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def uses_redis(self) -> bool:
        """Redis carries caches, limits and stock only in the modern architecture."""
        return self.redis_url is not None and self.architecture == "modern"

    def to_env(self) -> str:
        return msgspec.json.encode(self).decode()


def new_secret() -> str:
    """A random secret for admin tokens and token signing."""
    return secrets.token_urlsafe(24)


def config_from_env() -> StoreConfig:
    """The configuration a worker process was started with."""
    raw = os.environ.get(CONFIG_ENV)
    if not raw:
        raise ConfigError(f"{CONFIG_ENV} is not set; start the store with `stampede store`")
    try:
        return msgspec.json.decode(raw, type=StoreConfig)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{CONFIG_ENV}: {exc}") from exc
