"""The store as an ASGI application: services behind the gateway.

``create_app(config)`` builds it; ``app_from_env()`` is the factory the
server's worker processes call. Each worker runs the sweeper and the outbox
relay too; both are safe to run in several processes at once. The sweeper
also settles checkouts a dead worker left half-done (:mod:`store.recovery`),
and every worker reads the shared fault switches (:mod:`store.switches`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from stampede.core.version import installed_version
from stampede.store import admin, ops, storefront
from stampede.store.catalog import api as catalog_api
from stampede.store.config import StoreConfig, config_from_env
from stampede.store.db import SqliteDatabase
from stampede.store.gateway.metrics import StoreMetrics, multiprocess_dir_from_env
from stampede.store.gateway.middleware import GatewayMiddleware
from stampede.store.gateway.openapi import openapi_document
from stampede.store.gateway.ratelimit import Limiter, RateLimiter
from stampede.store.gateway.redis_ratelimit import RedisRateLimiter
from stampede.store.inventory import api as inventory_api
from stampede.store.orders import api as orders_api
from stampede.store.postgres import PostgresDatabase
from stampede.store.recovery import STALE_CHECKOUT_S, settle_stale_checkouts
from stampede.store.services import Services
from stampede.store.shared import SharedDatabase
from stampede.store.state import StoreState
from stampede.store.switches import SharedSwitches
from stampede.store.users import api as users_api
from stampede.store.web import ApiError, ApiRoute, Handler, error_response

log = logging.getLogger("stampede.store")
API_PREFIX = "/api/v1"


def store_version() -> str:
    return installed_version()


def _guard(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error)

    return guarded


def api_routes() -> list[ApiRoute]:
    """Every HTTP route of the store, by its full path: each service's, the admin's, ops'."""
    public = [
        ("users", users_api.ROUTES),
        ("catalog", catalog_api.ROUTES),
        ("inventory", inventory_api.ROUTES),
        ("orders", orders_api.ROUTES),
    ]
    prefixed = [
        dataclasses.replace(ep, path=API_PREFIX + ep.path, service=service)
        for service, routes in public
        for ep in routes
    ]
    return [*prefixed, *storefront.ROUTES, *admin.ROUTES, *ops.ROUTES]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = ApiError(404, "not_found", f"no route {request.url.path}; see /openapi.json")
    elif exc.status_code == 405:
        error = ApiError(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}",
            dict(exc.headers or {}),
        )
    else:
        error = ApiError(exc.status_code, "http_error", str(exc.detail))
    return error_response(error)


async def _every(interval_s: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        try:
            await job()
        except Exception:
            log.exception("background job %s failed; it will run again", name)
        await asyncio.sleep(interval_s)


def _limiter(config: StoreConfig, services: Services) -> Limiter:
    if services.redis is not None:
        return RedisRateLimiter(
            services.redis, config.rate_limits, config.rate_limit_on_redis_failure
        )
    return RateLimiter(config.rate_limits)


def _obey_switches(services: Services, switches: SharedSwitches) -> None:
    """Point the payment provider and every database at the shared fault switches."""
    services.payments.provider.outage_switch = switches.payment_outage
    for db in services.databases.values():
        inner = db.inner if isinstance(db, SharedDatabase) else db
        if isinstance(inner, SqliteDatabase | PostgresDatabase):
            inner.delay = switches.db_latency_s


def _sweep(services: Services, stale_checkout_s: float) -> Callable[[], Awaitable[object]]:
    async def sweep() -> None:
        await services.inventory.sweep()
        await settle_stale_checkouts(services, stale_checkout_s)

    return sweep


def _lifespan(
    services: Services, config: StoreConfig, stale_checkout_s: float
) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.setup()
        tasks = [
            asyncio.create_task(
                _every(config.sweep_interval_s, _sweep(services, stale_checkout_s), "sweep")
            ),
            asyncio.create_task(_every(config.outbox_interval_s, services.relay.drain, "outbox")),
            asyncio.create_task(services.feed.run()),
        ]
        if services.queue is not None:
            tasks.append(
                asyncio.create_task(services.queue.consume(services.notifications.deliver))
            )
            tasks.append(asyncio.create_task(services.queue.sample(1.0)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.close()

    return lifespan


def create_app(
    config: StoreConfig,
    stale_checkout_s: float = STALE_CHECKOUT_S,
    metrics_dir: Path | None = None,
) -> Starlette:
    """The store's app; ``metrics_dir`` shares ``/metrics`` between worker processes."""
    services = Services.open(config)
    switches = SharedSwitches(config.data_path)
    _obey_switches(services, switches)
    metrics = StoreMetrics(metrics_dir)
    if services.redis is not None:
        services.redis.on_failure = metrics.failure_counter("redis")
    if services.queue is not None:
        metrics.watch_queue(services.queue.name, services.queue.stats)
    api = api_routes()
    routes: list[BaseRoute] = [
        Route(ep.path, _guard(ep.handler), methods=[ep.method]) for ep in api
    ]
    routes.append(WebSocketRoute(API_PREFIX + "/ws/stock", services.feed.serve))
    app = Starlette(
        routes=routes,
        lifespan=_lifespan(services, config, stale_checkout_s),
        exception_handlers={HTTPException: _http_error},
        middleware=[
            Middleware(
                GatewayMiddleware,
                authenticate=services.users.authenticate,
                limiter=_limiter(config, services),
                metrics=metrics,
                service_of={ep.path: ep.service for ep in api},
                max_body_bytes=config.max_body_bytes,
            )
        ],
    )
    version = store_version()
    openapi = openapi_document(api, version)
    app.state.store = StoreState(services, config, switches, metrics, version, openapi)
    app.state.services = services
    return app


def app_from_env() -> Starlette:
    """The factory granian's worker processes call."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(config_from_env(), metrics_dir=multiprocess_dir_from_env())
