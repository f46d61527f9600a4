"""The operations routes: liveness, Prometheus metrics and the OpenAPI document."""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response

from stampede.store.state import store_state
from stampede.store.web import ApiRoute, JSONResponse

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


async def healthz(request: Request) -> Response:
    store = store_state(request)
    config = store.config
    return JSONResponse(
        {
            "status": "ok",
            "version": store.version,
            "backend": config.backend,
            "architecture": config.architecture,
            "redis": config.uses_redis,
            "inventory_strategy": config.inventory_strategy,
            "pid": os.getpid(),
        }
    )


async def prometheus(request: Request) -> Response:
    return Response(store_state(request).metrics.render(), media_type=PROMETHEUS_TYPE)


async def openapi(request: Request) -> Response:
    return JSONResponse(store_state(request).openapi)


#: the operations routes, outside the API prefix
ROUTES = (
    ApiRoute("GET", "/healthz", healthz, "Liveness"),
    ApiRoute("GET", "/metrics", prometheus, "Prometheus metrics"),
    ApiRoute("GET", "/openapi.json", openapi, "This document"),
)
