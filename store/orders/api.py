"""HTTP routes of the orders service: cart, checkout, order history."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from stampede.store.orders.checkout import CheckoutFailed, CheckoutRequest, OrderPlaced
from stampede.store.orders.idempotency import KEY_PATTERN, MAX_KEY_LENGTH, check_key
from stampede.store.orders.service import Cart, Order, OrdersService, OrderSummary, Quantity
from stampede.store.state import services
from stampede.store.web import (
    PATH_ID_SCHEMA,
    ApiRoute,
    JSONResponse,
    QueryParam,
    RowId,
    int_param,
    path_id,
    read_json,
    user_id,
)


class CartItemRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    product_id: RowId
    quantity: Quantity = 1


def _orders(request: Request) -> OrdersService:
    return services(request).orders


async def get_cart(request: Request) -> Response:
    return JSONResponse(await _orders(request).cart(user_id(request)))


async def add_cart_item(request: Request) -> Response:
    uid = user_id(request)
    body = await read_json(request, CartItemRequest)
    cart = await _orders(request).add_to_cart(uid, body.product_id, body.quantity)
    return JSONResponse(cart, status_code=201)


async def remove_cart_item(request: Request) -> Response:
    uid = user_id(request)
    cart = await _orders(request).remove_from_cart(uid, path_id(request, "product_id"))
    return JSONResponse(cart)


async def check_out(request: Request) -> Response:
    uid = user_id(request)
    key = check_key(request.headers.get("idempotency-key"))
    raw = await request.body()
    body = await read_json(request, CheckoutRequest) if raw.strip() else CheckoutRequest()
    outcome = await services(request).checkout.run(uid, key, raw, body)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    if outcome.status_code == 503:
        headers["Retry-After"] = "1"
    return Response(outcome.body, outcome.status_code, headers, "application/json")


async def list_orders(request: Request) -> Response:
    uid = user_id(request)
    page = int_param(request, "page", 1, 1, 10_000)
    per_page = int_param(request, "per_page", 20, 1, 100)
    return JSONResponse(await _orders(request).orders(uid, page, per_page))


async def get_order(request: Request) -> Response:
    uid = user_id(request)
    return JSONResponse(await _orders(request).order(uid, path_id(request, "order_id")))


_KEY_HEADER = QueryParam(
    "Idempotency-Key",
    {"type": "string", "maxLength": MAX_KEY_LENGTH, "pattern": KEY_PATTERN},
    "one key per purchase attempt; a retry reuses it",
)

#: the orders service's routes, under the API prefix
ROUTES = (
    ApiRoute(
        "GET",
        "/cart",
        get_cart,
        "The shopper's cart",
        response=Cart,
        auth="user",
        errors=(401,),
    ),
    ApiRoute(
        "POST",
        "/cart/items",
        add_cart_item,
        "Add a product to the cart",
        status=201,
        body=CartItemRequest,
        response=Cart,
        auth="user",
        errors=(400, 401, 404, 422),
    ),
    ApiRoute(
        "DELETE",
        "/cart/items/{product_id}",
        remove_cart_item,
        "Remove a product from the cart",
        response=Cart,
        auth="user",
        errors=(401, 404),
        path_params=(QueryParam("product_id", PATH_ID_SCHEMA),),
    ),
    ApiRoute(
        "POST",
        "/checkout",
        check_out,
        "Buy the cart (or `items`) once per key",
        status=201,
        body=CheckoutRequest,
        response=OrderPlaced,
        auth="user",
        errors=(400, 401, 402, 404, 409, 422, 503),
        headers=(_KEY_HEADER,),
        error_body=CheckoutFailed,
        error_body_codes=(402, 409, 503),
        body_required=False,
    ),
    ApiRoute(
        "GET",
        "/orders",
        list_orders,
        "The shopper's orders, newest first",
        response=list[OrderSummary],
        auth="user",
        errors=(401, 422),
        query=(
            QueryParam("page", {"type": "integer", "minimum": 1, "maximum": 10_000}),
            QueryParam("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
        ),
    ),
    ApiRoute(
        "GET",
        "/orders/{order_id}",
        get_order,
        "One of the shopper's orders",
        response=Order,
        auth="user",
        errors=(401, 404),
        path_params=(QueryParam("order_id", PATH_ID_SCHEMA),),
    ),
)
