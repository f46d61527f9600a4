"""``stampede store``: run the reference store."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

import click

from stampede.store.config import (
    EmailSim,
    FlashSku,
    PaymentSim,
    RateLimits,
    SeedSpec,
    StoreConfig,
    new_secret,
)
from stampede.store.dialects import mask_url
from stampede.store.seeding import SeedRefused, check_seed
from stampede.store.server import prepare, prepare_data_dir, serve, token_secret


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port and the data.",
)
@click.option(
    "--data-dir",
    default="runs/store",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the services' SQLite files live.",
)
@click.option("--fresh", is_flag=True, help="Delete the data directory's contents and seed anew.")
@click.option(
    "--admin-token",
    envvar="STAMPEDE_ADMIN_TOKEN",
    default=None,
    help="Token for /admin routes (env STAMPEDE_ADMIN_TOKEN); generated when unset.",
)
@click.option(
    "--backend",
    type=click.Choice(["sqlite", "postgres"]),
    default="sqlite",
    show_default=True,
    help="sqlite: embedded files in --data-dir; postgres: --database-url.",
)
@click.option(
    "--database-url",
    envvar="STAMPEDE_DATABASE_URL",
    default=None,
    help="postgresql://user:password@host:port/db (env STAMPEDE_DATABASE_URL); "
    "the database and one schema per service are created if missing.",
)
@click.option(
    "--redis-url",
    envvar="STAMPEDE_REDIS_URL",
    default=None,
    help="redis://host:port/n (env STAMPEDE_REDIS_URL): shared cache, limits, stock feed.",
)
@click.option(
    "--redis-prefix",
    default=None,
    help="Prefix of this store's Redis keys [default: stampede:<database name>:].",
)
@click.option(
    "--queue",
    "queue_url",
    envvar="STAMPEDE_QUEUE_URL",
    default=None,
    help="amqp://user:password@host:port/ (env STAMPEDE_QUEUE_URL): order events go through a "
    "durable RabbitMQ queue to the notifications service [default: the in-database outbox].",
)
@click.option(
    "--queue-name",
    default=None,
    help="This store's queue [default: stampede.<database name, or data directory>.notifications].",
)
@click.option(
    "--architecture",
    type=click.Choice(["modern", "legacy"]),
    default="modern",
    show_default=True,
    help="legacy: the case study's monolith (shared DB, no cache, serialised checkout).",
)
@click.option(
    "--db-pool-size",
    default=4,
    show_default=True,
    type=click.IntRange(1, 200),
    help="Connections per service database and process (legacy: times six, shared).",
)
@click.option("--redis-pool-size", default=32, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--rate-limit-on-redis-failure",
    type=click.Choice(["open", "closed"]),
    default="open",
    show_default=True,
    help="When Redis is lost: admit everyone (open) or refuse with 503 (closed).",
)
@click.option(
    "--inventory-strategy",
    type=click.Choice(["atomic", "naive", "redis"]),
    default="atomic",
    show_default=True,
    help="naive oversells on purpose, to show the audit catch it; redis gates stock in Redis.",
)
@click.option("--categories", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--products",
    default=100,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Products per category.",
)
@click.option(
    "--users",
    default=10_000,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Seeded shoppers: shopperN@stampede.test / stampede-shopper.",
)
@click.option("--flash-sku", default="FLASH-001", show_default=True)
@click.option("--flash-stock", default=100, show_default=True, type=click.IntRange(0))
@click.option(
    "--flash-limit",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Units of the flash SKU one shopper may buy.",
)
@click.option(
    "--payment-latency-ms",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Median latency of the simulated payment provider.",
)
@click.option("--payment-p99-ms", default=400.0, show_default=True, type=click.FloatRange(0))
@click.option(
    "--email-latency-ms",
    default=40.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Median latency of the simulated e-mail provider.",
)
@click.option("--email-p99-ms", default=250.0, show_default=True, type=click.FloatRange(0))
@click.option("--decline-rate", default=0.02, show_default=True, type=click.FloatRange(0, 1))
@click.option("--failure-rate", default=0.005, show_default=True, type=click.FloatRange(0, 1))
@click.option(
    "--reservation-ttl",
    default=600.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Seconds a checkout may hold stock before the sweeper releases it.",
)
@click.option(
    "--user-rate",
    default=20.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Requests/s allowed per signed-in shopper (burst: twice this).",
)
@click.option(
    "--anonymous-rate",
    default=2000.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Requests/s allowed per anonymous client address.",
)
@click.option(
    "--global-rate",
    default=20_000.0,
    show_default=True,
    type=click.FloatRange(0.001),
    help="Requests/s the whole store accepts.",
)
@click.option(
    "--token-ttl",
    default=3600.0,
    show_default=True,
    type=click.FloatRange(1),
    help="Seconds a bearer token stays valid.",
)
@click.option(
    "--kdf-n",
    default=2**14,
    show_default=True,
    type=click.IntRange(2, 2**20),
    help="scrypt cost N for passwords (a power of two).",
)
def store(**opts: object) -> None:
    """Run the reference store: users, catalog, orders, inventory, payments, notifications.

    \b
    Example:
      stampede store --port 8000 --workers 2 --flash-stock 100
      stampede store --backend postgres --database-url postgresql://postgres@127.0.0.1/shop \\
          --redis-url redis://127.0.0.1:6379/0 --workers 2 --inventory-strategy redis
      curl http://127.0.0.1:8000/api/v1/products/1
    """
    kdf_n = int(str(opts["kdf_n"]))
    if kdf_n & (kdf_n - 1):
        raise click.BadParameter(f"{kdf_n} is not a power of two", param_hint="--kdf-n")
    data_dir = Path(str(opts["data_dir"]))
    if opts["fresh"] and data_dir.exists():
        shutil.rmtree(data_dir)
    prepare_data_dir(data_dir)
    _check_backend_options(opts)
    config = build_config(opts, data_dir)
    seeded = prepare(config, fresh=bool(opts["fresh"]))
    _banner(config, seeded)
    serve(config)


def _check_backend_options(opts: dict[str, object]) -> None:
    if opts["backend"] == "postgres" and not opts["database_url"]:
        raise click.BadParameter(
            "--backend postgres needs --database-url (or STAMPEDE_DATABASE_URL)",
            param_hint="--database-url",
        )
    url = str(opts["database_url"] or "")
    if opts["backend"] == "postgres" and urlsplit(url).scheme not in ("postgresql", "postgres"):
        raise click.BadParameter(
            "expected postgresql://user:password@host:port/database", param_hint="--database-url"
        )
    if opts["inventory_strategy"] == "redis" and (
        not opts["redis_url"] or opts["architecture"] == "legacy"
    ):
        raise click.BadParameter(
            "the redis strategy needs --redis-url and the modern architecture",
            param_hint="--inventory-strategy",
        )


def _queue_name(opts: dict[str, object], data_dir: Path) -> str:
    if opts["queue_name"]:
        return str(opts["queue_name"])
    name = urlsplit(str(opts["database_url"] or "")).path.strip("/")
    if opts["backend"] != "postgres" or not name:
        name = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return f"stampede.{name}.notifications"


def _redis_prefix(opts: dict[str, object]) -> str:
    if opts["redis_prefix"]:
        return str(opts["redis_prefix"])
    name = urlsplit(str(opts["database_url"] or "")).path.strip("/") or "embedded"
    return f"stampede:{name}:"


_FLASH_FLAGS = (
    ("`flash[0].sku`", "--flash-sku"),
    ("`flash[0].stock`", "--flash-stock"),
    ("`flash[0].limit_per_user`", "--flash-limit"),
)


def build_config(opts: dict[str, object], data_dir: Path) -> StoreConfig:
    def f(name: str) -> float:
        return float(str(opts[name]))

    def i(name: str) -> int:
        return int(str(opts[name]))

    flash = FlashSku(
        sku=str(opts["flash_sku"]), stock=i("flash_stock"), limit_per_user=i("flash_limit")
    )
    seed = SeedSpec(i("categories"), i("products"), i("users"), flash=(flash,))
    try:
        check_seed(seed)
    except SeedRefused as exc:
        message = exc.message
        for field, flag in _FLASH_FLAGS:
            message = message.replace(field, flag)
        raise click.UsageError(message) from None
    return StoreConfig(
        data_dir=str(data_dir),
        admin_token=str(opts["admin_token"] or new_secret()),
        token_secret=token_secret(data_dir),
        host=str(opts["host"]),
        port=i("port"),
        workers=i("workers"),
        backend="postgres" if opts["backend"] == "postgres" else "sqlite",
        architecture="legacy" if opts["architecture"] == "legacy" else "modern",
        database_url=str(opts["database_url"]) if opts["backend"] == "postgres" else None,
        redis_url=str(opts["redis_url"]) if opts["redis_url"] else None,
        redis_prefix=_redis_prefix(opts),
        queue_url=str(opts["queue_url"]) if opts["queue_url"] else None,
        queue_name=_queue_name(opts, data_dir),
        redis_pool_size=i("redis_pool_size"),
        db_pool_size=i("db_pool_size"),
        rate_limit_on_redis_failure="closed"
        if opts["rate_limit_on_redis_failure"] == "closed"
        else "open",
        inventory_strategy=cast(
            Literal["atomic", "naive", "redis"], str(opts["inventory_strategy"])
        ),
        reservation_ttl_s=f("reservation_ttl"),
        password_kdf_n=i("kdf_n"),
        token_ttl_s=f("token_ttl"),
        payment=PaymentSim(
            f("payment_latency_ms"), f("payment_p99_ms"), f("decline_rate"), f("failure_rate")
        ),
        email=EmailSim(f("email_latency_ms"), f("email_p99_ms")),
        rate_limits=RateLimits(
            f("user_rate"),
            2 * f("user_rate"),
            f("anonymous_rate"),
            2 * f("anonymous_rate"),
            f("global_rate"),
            2 * f("global_rate"),
        ),
        seed=seed,
    )


def _banner(config: StoreConfig, seeded: bool) -> None:
    url = f"http://{config.host}:{config.port}"
    state = "seeded afresh" if seeded else "kept from the last start (use --fresh to reseed)"
    where = (
        mask_url(config.database_url)
        if config.database_url is not None
        else f"data in {config.data_dir}"
    )
    redis = (
        f", Redis {mask_url(config.redis_url)}" if config.uses_redis and config.redis_url else ""
    )
    click.echo(
        f"Stampede store on {url} ({config.workers} worker(s), {config.architecture}, "
        f"{config.backend}: {where}{redis}, {state})\n"
        f"  API:      {url}/api/v1/products   docs: {url}/openapi.json\n"
        f"  admin:    Authorization: Bearer {config.admin_token}\n"
        f"  shoppers: shopper1@stampede.test … shopper{config.seed.users}@stampede.test, "
        "password stampede-shopper\n"
        f"  flash:    {config.seed.flash[0].sku}, {config.seed.flash[0].stock} units, "
        f"{config.seed.flash[0].limit_per_user} per shopper",
        err=True,
    )
