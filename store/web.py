"""The HTTP vocabulary shared by every service: errors, JSON in and out, routes.

Every error leaves the store as ``{"error": code, "message": sentence}``;
bad input is always a 4xx that names what was wrong, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

T = TypeVar("T")

_encoder = msgspec.json.Encoder()

#: one character that is neither a control character nor a blank. Patterns in the OpenAPI
#: document spell characters out, because JSON Schema's ``\s`` is not Python's
VISIBLE = r"[^\x00-\x20\x7f]"

#: a row id in a request body: msgspec decodes integers of any size, but PostgreSQL and SQLite
#: bind only 64-bit ones (an id that cannot exist answers 404)
RowId = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


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
    except msgspec.ValidationError:
        pass
    except msgspec.DecodeError as exc:
        raise _not_json(exc) from exc
    # JSON has one number type: ``2.0`` is the integer 2 to JSON Schema, and so to the
    # OpenAPI document, though msgspec's strict ints refuse it. Only a refused body pays this.
    try:
        loose = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:  # the typed decoder stopped before the bad bytes
        raise _not_json(exc) from exc
    try:
        return msgspec.convert(_whole_floats_as_ints(loose), type_, strict=True)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_request", _sentence(str(exc))) from exc


def _not_json(exc: msgspec.DecodeError) -> ApiError:
    return ApiError(400, "invalid_json", f"the request body is not valid JSON: {exc}")


def _whole_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_floats_as_ints(v) for k, v in value.items()}
    return value


def _sentence(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high], or a 422 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
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


#: an id in a path as :func:`path_id` accepts it: a whole number from 1, of at most 18 digits
PATH_ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}


def path_id(request: Request, name: str) -> int:
    """A positive integer id from the path, or a 404 (an id that cannot exist)."""
    raw = request.path_params[name]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) <= 0:
        raise ApiError(404, "not_found", f"no {name.removesuffix('_id')} with id {raw!r}")
    return int(raw)


Auth = Literal["none", "user", "admin"]
Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class QueryParam:
    """A query, header or path parameter as OpenAPI describes it."""

    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class ApiRoute:
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
    #: the body of the statuses in ``error_body_codes`` (all errors when that is empty)
    error_body: type | None = None
    error_body_codes: tuple[int, ...] = ()
    body_required: bool = True
    #: schemas of path parameters; one not listed here is any string
    path_params: tuple[QueryParam, ...] = ()
    #: the service that answers it: the ``service`` label of its metrics
    service: str = "gateway"


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
