"""HTTP routes of the users service."""

from __future__ import annotations

from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from stampede.store.state import services
from stampede.store.users.service import (
    EMAIL_PATTERN,
    NAME_LENGTH,
    NAME_PATTERN,
    PASSWORD_LENGTH,
    Profile,
    Session,
    UsersService,
)
from stampede.store.web import ApiRoute, JSONResponse, read_json, user_id

# The bounds below are checked by UsersService.register, with messages that name the field;
# here they only document themselves in the OpenAPI schema.
Email = Annotated[str, msgspec.Meta(extra_json_schema={"pattern": EMAIL_PATTERN})]
Password = Annotated[
    str,
    msgspec.Meta(
        extra_json_schema={"minLength": PASSWORD_LENGTH[0], "maxLength": PASSWORD_LENGTH[1]}
    ),
]
Name = Annotated[
    str,
    msgspec.Meta(extra_json_schema={"maxLength": NAME_LENGTH, "pattern": NAME_PATTERN}),
]


class Registration(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    password: Password
    name: Name


class Credentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: str
    password: str


def _users(request: Request) -> UsersService:
    return services(request).users


async def register(request: Request) -> Response:
    body = await read_json(request, Registration)
    profile = await _users(request).register(body.email, body.password, body.name)
    return JSONResponse(profile, status_code=201)


async def log_in(request: Request) -> Response:
    body = await read_json(request, Credentials)
    return JSONResponse(await _users(request).log_in(body.email, body.password), status_code=201)


async def get_me(request: Request) -> Response:
    return JSONResponse(await _users(request).profile(user_id(request)))


async def log_out(request: Request) -> Response:
    user_id(request)
    await _users(request).log_out(str(request.scope["stampede.token"]))
    return Response(status_code=204)


#: the users service's routes, under the API prefix
ROUTES = (
    ApiRoute(
        "POST",
        "/users",
        register,
        "Register a shopper",
        status=201,
        body=Registration,
        response=Profile,
        errors=(400, 409, 422),
    ),
    ApiRoute(
        "POST",
        "/sessions",
        log_in,
        "Log in; returns a bearer token",
        status=201,
        body=Credentials,
        response=Session,
        errors=(400, 401, 422),
    ),
    ApiRoute(
        "DELETE",
        "/sessions",
        log_out,
        "Log out: end this token's session in every worker (Redis or legacy sessions)",
        status=204,
        auth="user",
        errors=(401, 409, 503),
    ),
    ApiRoute(
        "GET",
        "/users/me",
        get_me,
        "The signed-in shopper's profile",
        response=Profile,
        auth="user",
        errors=(401,),
    ),
)
