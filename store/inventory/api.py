"""HTTP routes of the inventory service."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from stampede.store.inventory.service import InventoryService, Stock
from stampede.store.web import ApiError, Endpoint, JSONResponse, QueryParam

_SKU = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def endpoints(inventory: InventoryService) -> list[Endpoint]:
    async def stock(request: Request) -> Response:
        sku = request.path_params["sku"]
        if not _SKU.match(sku):
            raise ApiError(404, "not_found", f"no stock record for SKU {sku[:64]!r}")
        return JSONResponse(await inventory.stock(sku))

    return [
        Endpoint(
            "GET",
            "/stock/{sku}",
            stock,
            "Stock of one SKU",
            response=Stock,
            errors=(404,),
            path_params=(QueryParam("sku", {"type": "string", "pattern": _SKU.pattern}),),
        ),
    ]
