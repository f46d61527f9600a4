"""HTTP routes of the inventory service."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from stampede.store.inventory.service import Stock
from stampede.store.seeding import SKU_PATTERN
from stampede.store.state import services
from stampede.store.web import ApiError, ApiRoute, JSONResponse, QueryParam


async def get_stock(request: Request) -> Response:
    sku = request.path_params["sku"]
    if not SKU_PATTERN.fullmatch(sku):
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
        path_params=(QueryParam("sku", {"type": "string", "pattern": f"^{SKU_PATTERN.pattern}$"}),),
    ),
)
