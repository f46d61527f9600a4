"""HTTP routes of the inventory service."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from stampede.store.inventory.service import Stock
from stampede.store.state import services
from stampede.store.web import ApiError, ApiRoute, JSONResponse, QueryParam

_SKU = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


async def get_stock(request: Request) -> Response:
    sku = request.path_params["sku"]
    if not _SKU.match(sku):
        raise ApiError(404, "not_found", f"no stock record for SKU {sku[:64]!r}")
    return JSONResponse(await services(request).inventory.stock(sku))


#: the inventory service's routes, under the API prefix
ROUTES = (
    ApiRoute(
        "GET",
        "/stock/{sku}",
        get_stock,
        "Stock of one SKU",
        response=Stock,
        errors=(404,),
        path_params=(QueryParam("sku", {"type": "string", "pattern": _SKU.pattern}),),
    ),
)
