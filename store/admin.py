"""The admin API: seed, reset, audit, summary, fault switches. Behind the store's admin token."""

from __future__ import annotations

import hmac

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from stampede.store.audit import AuditReport, audit
from stampede.store.config import FlashSku
from stampede.store.db import IntegrityError
from stampede.store.recovery import settle_stale_checkouts
from stampede.store.seeding import SeedRefused, SeedRequest, check_seed
from stampede.store.state import StoreState, store_state
from stampede.store.switches import Switches
from stampede.store.web import ApiError, ApiRoute, JSONResponse, read_json


class SeedResult(msgspec.Struct, frozen=True):
    categories: int
    products: int
    users: int
    flash: list[FlashSku]
    credentials: str


class FlashSummary(msgspec.Struct, frozen=True):
    sku: str
    initial: int
    sold: int
    held: int
    available: int
    sold_out_at: float | None


#: the audit runs after traffic stopped: a checkout pending this long died with its worker
AUDIT_SETTLE_S = 5.0


class Summary(msgspec.Struct, frozen=True):
    orders_by_status: dict[str, int]
    flash: list[FlashSummary]


def _check_switches(body: Switches) -> None:
    if not 0 <= body.db_latency_ms <= 60_000:
        raise ApiError(
            422,
            "invalid_request",
            f"`db_latency_ms` is {body.db_latency_ms}; expected 0 to 60000 milliseconds",
        )


def _admin_store(request: Request) -> StoreState:
    """The store, once the request proved it holds the admin token; 401 otherwise."""
    store = store_state(request)
    token = request.scope.get("stampede.token") or ""
    if not hmac.compare_digest(str(token).encode(), store.config.admin_token.encode()):
        raise ApiError(
            401,
            "unauthorized",
            "admin routes need `Authorization: Bearer <admin token>`; the store "
            "prints it at start (or set --admin-token / STAMPEDE_ADMIN_TOKEN)",
            {"WWW-Authenticate": "Bearer"},
        )
    return store


async def seed(request: Request) -> Response:
    services = _admin_store(request).services
    spec = (await read_json(request, SeedRequest)).spec()
    try:
        check_seed(spec)
    except SeedRefused as exc:
        code = "conflict" if exc.status == 409 else "invalid_request"
        raise ApiError(exc.status, code, exc.message) from None
    try:
        await services.seed(spec)
    except IntegrityError as exc:
        raise ApiError(
            503,
            "seed_failed",
            f"the database refused the seed ({str(exc).splitlines()[0][:200]}); it was rolled "
            "back and the store is as it was",
        ) from exc
    flash = spec.flash
    return JSONResponse(
        SeedResult(
            spec.categories,
            spec.categories * spec.products + len(flash),
            spec.users,
            list(flash),
            f"shopper1@stampede.test … shopper{spec.users}@stampede.test, password "
            "stampede-shopper",
        ),
        status_code=201,
    )


async def reset(request: Request) -> Response:
    await _admin_store(request).services.restock()
    return JSONResponse({"ok": True})


async def run_audit(request: Request) -> Response:
    services = _admin_store(request).services
    await settle_stale_checkouts(services, AUDIT_SETTLE_S)
    return JSONResponse(await audit(services))


async def get_chaos(request: Request) -> Response:
    return JSONResponse(_admin_store(request).switches.current())


async def put_chaos(request: Request) -> Response:
    switches = _admin_store(request).switches
    body = await read_json(request, Switches)
    _check_switches(body)
    switches.write(body)
    return JSONResponse(body)


async def summary(request: Request) -> Response:
    services = _admin_store(request).services
    rows = await services.orders.db.fetch_all(
        "SELECT status, COUNT(*) AS n FROM orders GROUP BY status"
    )
    flash = [FlashSummary(**s) for s in await services.inventory.flash_summary()]
    return JSONResponse(Summary({r["status"]: r["n"] for r in rows}, flash))


#: the admin routes, outside the API prefix
ROUTES = (
    ApiRoute(
        "POST",
        "/admin/seed",
        seed,
        "Replace all data with a fresh shop",
        status=201,
        body=SeedRequest,
        response=SeedResult,
        auth="admin",
        errors=(400, 401, 409, 422, 503),
    ),
    ApiRoute(
        "POST",
        "/admin/reset",
        reset,
        "Forget orders and payments; restock every SKU",
        auth="admin",
        errors=(401,),
    ),
    ApiRoute(
        "GET",
        "/admin/audit",
        run_audit,
        "Check the store lost and oversold nothing",
        response=AuditReport,
        auth="admin",
        errors=(401,),
    ),
    ApiRoute(
        "GET",
        "/admin/summary",
        summary,
        "Orders by status; flash SKUs' sell-through",
        response=Summary,
        auth="admin",
        errors=(401,),
    ),
    ApiRoute(
        "GET",
        "/admin/chaos",
        get_chaos,
        "The fault switches every worker sees (payment outage, database latency)",
        response=Switches,
        auth="admin",
        errors=(401,),
    ),
    ApiRoute(
        "PUT",
        "/admin/chaos",
        put_chaos,
        "Turn faults on or off in every worker (used by `stampede run --chaos`)",
        body=Switches,
        response=Switches,
        auth="admin",
        errors=(400, 401, 422),
    ),
)
