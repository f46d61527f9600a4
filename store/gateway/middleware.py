"""The gateway as one ASGI middleware: request id, body limit, auth, rate limit, metrics.

One layer rather than five keeps the per-request cost low: the store is
the thing under test, and its own overhead should be small and steady.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stampede.core.errors import ServiceUnavailableError
from stampede.store.gateway.metrics import StoreMetrics
from stampede.store.gateway.ratelimit import Limiter
from stampede.store.gateway.redis_ratelimit import UNAVAILABLE
from stampede.store.web import ApiError, error_response

log = logging.getLogger("stampede.store")

#: paths that are never rate limited (operations and the admin API)
UNLIMITED_PATHS = ("/healthz", "/metrics", "/admin/", "/openapi.json")


class GatewayMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str], Awaitable[int | None]],
        limiter: Limiter,
        metrics: StoreMetrics,
        max_body_bytes: int,
        service_of: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        #: route path → the service that answers it (the ``service`` label of its metrics)
        self._service_of = service_of or {}
        self.authenticate = authenticate
        self.limiter = limiter
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            refusal = await self._admit(scope)
            if refusal is not None:
                await error_response(refusal)(scope, receive, send_with_id)
            else:
                await self.app(scope, self._limited(scope, receive), send_with_id)
        except ServiceUnavailableError as exc:
            # a dependency dropped (a database restart, a lost connection): retryable, not a bug
            log.warning(
                "request %s %s: %s (request id %s)", scope["method"], scope["path"], exc, request_id
            )
            error = ApiError(
                503,
                "service_unavailable",
                f"a dependency of the store is unavailable; retry shortly (request id "
                f"{request_id})",
                {"Retry-After": "1"},
            )
            await error_response(error)(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "request %s %s failed (request id %s)", scope["method"], scope["path"], request_id
            )
            error = ApiError(
                500, "internal_error", f"the store failed to answer; quote request id {request_id}"
            )
            await error_response(error)(scope, receive, send_with_id)
        finally:
            self.metrics.in_flight.dec()
            route = scope.get("route")
            label = getattr(route, "path", "unmatched")
            service = self._service_of.get(label, "gateway")
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["method"], label, status, elapsed, service)
            if status >= 400:
                self.metrics.errors.labels(label, str(status)).inc()

    async def _admit(self, scope: Scope) -> ApiError | None:
        """Authenticate, then apply the body limit and the rate limits."""
        authorization = _header(scope, b"authorization")
        user_id = None
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer" and token:
                scope["stampede.token"] = token
                user_id = await self.authenticate(token)
                if user_id is None:
                    scope["stampede.auth_error"] = "the bearer token is expired or invalid"
            scope["stampede.user_id"] = user_id
        length = _header(scope, b"content-length")
        if length and (not length.isdigit() or int(length) > self.max_body_bytes):
            return _too_large(self.max_body_bytes)
        if scope["path"].startswith(UNLIMITED_PATHS):
            return None
        client = f"user:{user_id}" if user_id is not None else f"addr:{_client_host(scope)}"
        refused = await self.limiter.admit(client, signed_in=user_id is not None)
        if refused is None:
            return None
        which, wait = refused
        self.metrics.rate_limited.labels(which).inc()
        if which == UNAVAILABLE:
            return ApiError(
                503,
                "rate_limiter_unavailable",
                "the rate limiter cannot reach Redis and is set to fail closed; retry shortly",
                {"Retry-After": "1"},
            )
        retry_after = str(max(1, math.ceil(wait)))
        return ApiError(
            429,
            "rate_limited",
            f"too many requests ({which} limit); retry after {retry_after} s",
            {"Retry-After": retry_after},
        )

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """Count body bytes as they arrive: a chunked body has no Content-Length."""
        received = 0
        limit = self.max_body_bytes

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        return counting_receive


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"the request body is over the {limit}-byte limit")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _client_host(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
