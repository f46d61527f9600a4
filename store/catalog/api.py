"""HTTP routes of the catalog service."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from stampede.store.catalog.service import CatalogService, Category, Product, ProductPage
from stampede.store.state import services
from stampede.store.web import (
    PATH_ID_SCHEMA,
    VISIBLE,
    ApiError,
    ApiRoute,
    JSONResponse,
    QueryParam,
    int_param,
    path_id,
)

_PAGING = (
    QueryParam("page", {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1}),
    QueryParam("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
)


#: search terms: something besides blanks, and no NUL (PostgreSQL's text cannot hold one)
SEARCH_PATTERN = rf"^[^\x00]*{VISIBLE}[^\x00]*$"
_SEARCH = re.compile(SEARCH_PATTERN)


def _paging(request: Request) -> tuple[int, int]:
    return (
        int_param(request, "page", 1, 1, 10_000),
        int_param(request, "per_page", 20, 1, 100),
    )


def _catalog(request: Request) -> CatalogService:
    return services(request).catalog


async def list_categories(request: Request) -> Response:
    return JSONResponse(await _catalog(request).categories())


async def list_products(request: Request) -> Response:
    page, per_page = _paging(request)
    category = request.query_params.get("category") or None
    return JSONResponse(await _catalog(request).list_products(category, page, per_page))


async def get_product(request: Request) -> Response:
    body = await _catalog(request).product_json(path_id(request, "product_id"))
    return Response(body, media_type="application/json")


async def search_products(request: Request) -> Response:
    raw = request.query_params.get("q", "")
    if len(raw) > 200 or not _SEARCH.fullmatch(raw):
        raise ApiError(
            422,
            "invalid_request",
            f"query parameter `q` is {raw[:200]!r}; expected 1 to 200 characters of search "
            "terms, not only blanks, without NUL",
        )
    page, per_page = _paging(request)
    return JSONResponse(await _catalog(request).search(raw, page, per_page))


#: the catalog's routes, under the API prefix
ROUTES = (
    ApiRoute(
        "GET",
        "/categories",
        list_categories,
        "All categories with product counts",
        response=list[Category],
    ),
    ApiRoute(
        "GET",
        "/products",
        list_products,
        "A page of products, optionally of one category",
        response=ProductPage,
        errors=(404, 422),
        query=(QueryParam("category", {"type": "string"}, "category id or slug"), *_PAGING),
    ),
    ApiRoute(
        "GET",
        "/products/{product_id}",
        get_product,
        "One product",
        response=Product,
        errors=(404,),
        path_params=(QueryParam("product_id", PATH_ID_SCHEMA),),
    ),
    ApiRoute(
        "GET",
        "/search",
        search_products,
        "Products matching every search term",
        response=ProductPage,
        errors=(422,),
        query=(
            QueryParam(
                "q",
                {"type": "string", "maxLength": 200, "pattern": SEARCH_PATTERN},
                "search terms, all of which a product must match",
                required=True,
            ),
            *_PAGING,
        ),
    ),
)
