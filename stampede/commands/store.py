"""``stampede store``: run the reference store."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from store.config import FlashSku, PaymentSim, RateLimits, SeedSpec, StoreConfig, new_secret
from store.server import prepare, prepare_data_dir, serve, token_secret


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
    "--inventory-strategy",
    type=click.Choice(["atomic", "naive"]),
    default="atomic",
    show_default=True,
    help="naive oversells on purpose, to show the audit catch it.",
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
      curl http://127.0.0.1:8000/api/v1/products/1
    """
    kdf_n = int(str(opts["kdf_n"]))
    if kdf_n & (kdf_n - 1):
        raise click.BadParameter(f"{kdf_n} is not a power of two", param_hint="--kdf-n")
    data_dir = Path(str(opts["data_dir"]))
    if opts["fresh"] and data_dir.exists():
        shutil.rmtree(data_dir)
    prepare_data_dir(data_dir)
    config = build_config(opts, data_dir)
    seeded = prepare(config, fresh=bool(opts["fresh"]))
    _banner(config, seeded)
    serve(config)


def build_config(opts: dict[str, object], data_dir: Path) -> StoreConfig:
    def f(name: str) -> float:
        return float(str(opts[name]))

    def i(name: str) -> int:
        return int(str(opts[name]))

    flash = FlashSku(
        sku=str(opts["flash_sku"]), stock=i("flash_stock"), limit_per_user=i("flash_limit")
    )
    return StoreConfig(
        data_dir=str(data_dir),
        admin_token=str(opts["admin_token"] or new_secret()),
        token_secret=token_secret(data_dir),
        host=str(opts["host"]),
        port=i("port"),
        workers=i("workers"),
        inventory_strategy="naive" if opts["inventory_strategy"] == "naive" else "atomic",
        reservation_ttl_s=f("reservation_ttl"),
        password_kdf_n=i("kdf_n"),
        token_ttl_s=f("token_ttl"),
        payment=PaymentSim(
            f("payment_latency_ms"), f("payment_p99_ms"), f("decline_rate"), f("failure_rate")
        ),
        rate_limits=RateLimits(
            f("user_rate"),
            2 * f("user_rate"),
            f("anonymous_rate"),
            2 * f("anonymous_rate"),
            f("global_rate"),
            2 * f("global_rate"),
        ),
        seed=SeedSpec(i("categories"), i("products"), i("users"), flash=(flash,)),
    )


def _banner(config: StoreConfig, seeded: bool) -> None:
    url = f"http://{config.host}:{config.port}"
    state = "seeded afresh" if seeded else "kept from the last start (use --fresh to reseed)"
    click.echo(
        f"Stampede store on {url} ({config.workers} worker(s), "
        f"data in {config.data_dir}, {state})\n"
        f"  API:      {url}/api/v1/products   docs: {url}/openapi.json\n"
        f"  admin:    Authorization: Bearer {config.admin_token}\n"
        f"  shoppers: shopper1@stampede.test … shopper{config.seed.users}@stampede.test, "
        "password stampede-shopper\n"
        f"  flash:    {config.seed.flash[0].sku}, {config.seed.flash[0].stock} units, "
        f"{config.seed.flash[0].limit_per_user} per shopper",
        err=True,
    )
