"""The HTTP vocabulary shared by every service: errors, JSON in and out, routes.

Every error leaves the store as ``{"error": code, "message": sentence}``;
bad input is always a 4xx that names what was wrong, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

T = TypeVar("T")

_encoder = msgspec.json.Encoder()


class ApiError(Exception):
    """An error answered to the client with a status, a code and a sentence."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ErrorBody(msgspec.Struct, frozen=True):
    error: str
    message: str


class JSONResponse(Response):
    """A JSON response encoded by msgspec."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _encoder.encode(content)


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        ErrorBody(error.code, error.message), status_code=error.status, headers=error.headers
    )


async def read_json(request: Request, type_: type[T]) -> T:
    """Decode and validate the request body, or raise a 4xx naming the problem."""
    body = await request.body()
    if not body:
        raise ApiError(400, "invalid_json", "the request body is empty; send a JSON object")
    try:
        return msgspec.json.decode(body, type=type_, strict=True)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_request", _sentence(str(exc))) from exc
    except msgspec.DecodeError as exc:
        raise ApiError(400, "invalid_json", f"the request body is not valid JSON: {exc}") from exc


def _sentence(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], or a 422 naming it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ApiError(
            422,
            "invalid_request",
            f"query parameter `{name}` is {raw!r}; expected an integer from {low} to {high}",
        )
    return value


def path_id(request: Request, name: str) -> int:
    """A positive integer id from the path, or a 404 (an id that cannot exist)."""
    raw = request.path_params[name]
    if not raw.isdigit() or len(raw) > 18 or int(raw) <= 0:
        raise ApiError(404, "not_found", f"no {name.removesuffix('_id')} with id {raw!r}")
    return int(raw)


Auth = Literal["none", "user", "admin"]
Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class QueryParam:
    name: str
    schema: dict[str, Any]
    description: str = ""


@dataclass(frozen=True)
class Endpoint:
    """One route with what OpenAPI needs to know about it."""

    method: str
    path: str
    handler: Handler
    summary: str
    status: int = 200
    body: type | None = None
    response: Any = None
    auth: Auth = "none"
    errors: tuple[int, ...] = ()
    query: tuple[QueryParam, ...] = ()
    headers: tuple[QueryParam, ...] = ()
    error_body: type | None = None
    body_required: bool = True


def user_id(request: Request) -> int:
    """The signed-in user, set by the gateway's auth; 401 when there is none."""
    uid = request.scope.get("stampede.user_id")
    if uid is None:
        problem = request.scope.get("stampede.auth_error")
        raise ApiError(
            401,
            "unauthorized",
            f"{problem or 'this route needs a bearer token'}; log in with POST /api/v1/sessions",
            {"WWW-Authenticate": "Bearer"},
        )
    return int(uid)
