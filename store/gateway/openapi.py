"""The OpenAPI 3.1 document, generated from the endpoints' declared types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from stampede.store.gateway.middleware import UNLIMITED_PATHS
from stampede.store.web import ApiRoute, ErrorBody, QueryParam

_AUTH_ERRORS = {
    400: "Malformed request",
    401: "Missing, expired or invalid bearer token",
    402: "Payment declined",
    404: "Not found",
    409: "Conflict (sold out, limit reached, duplicate in progress)",
    413: "Request body too large",
    422: "Invalid request",
    429: "Rate limited; see Retry-After",
    503: "A dependency is unavailable; retry",
}


def openapi_document(endpoints: Sequence[ApiRoute], version: str) -> dict[str, Any]:
    types: list[Any] = [ErrorBody]
    for ep in endpoints:
        types += [t for t in (ep.body, ep.response, ep.error_body) if t is not None]
    schemas, components = msgspec.json.schema_components(
        types, ref_template="#/components/schemas/{name}"
    )
    refs = dict(zip(map(id, types), schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stampede reference store", "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "admin": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the store's admin token",
                },
            },
        },
    }


def _operation(ep: ApiRoute, refs: dict[int, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": ep.summary, "operationId": _operation_id(ep)}
    params = _parameters(ep)
    if params:
        op["parameters"] = params
    if ep.body is not None:
        op["requestBody"] = {
            "required": ep.body_required,
            "content": {"application/json": {"schema": refs[id(ep.body)]}},
        }
    ok: dict[str, Any] = {"description": "Success"}
    if ep.response is not None:
        ok["content"] = {"application/json": {"schema": refs[id(ep.response)]}}
    responses: dict[str, Any] = {str(ep.status): ok}
    limited = not ep.path.startswith(UNLIMITED_PATHS)
    codes = {*ep.errors, 429} if limited else set(ep.errors)
    for code in sorted(codes):
        responses[str(code)] = {
            "description": _AUTH_ERRORS.get(code, "Error"),
            "content": {"application/json": {"schema": _error_schema(ep, code, refs)}},
        }
    op["responses"] = responses
    if ep.auth != "none":
        op["security"] = [{"bearer" if ep.auth == "user" else "admin": []}]
    return op


def _parameters(ep: ApiRoute) -> list[dict[str, Any]]:
    declared = {p.name: p for p in ep.path_params}
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": declared[name].schema if name in declared else {"type": "string"},
        }
        for name in _path_params(ep.path)
    ]
    params += [_parameter(q, "query", q.required) for q in ep.query]
    params += [_parameter(h, "header", True) for h in ep.headers]
    return params


def _parameter(param: QueryParam, where: str, required: bool) -> dict[str, Any]:
    described = {"name": param.name, "in": where, "required": required, "schema": param.schema}
    if param.description:
        described["description"] = param.description
    return described


def _error_schema(ep: ApiRoute, code: int, refs: dict[int, Any]) -> Any:
    """An endpoint's own error body where it declares one; the gateway's refusals are ErrorBody."""
    if ep.error_body is None or (ep.error_body_codes and code not in ep.error_body_codes):
        return refs[id(ErrorBody)]
    if not ep.error_body_codes:
        return refs[id(ep.error_body)]
    return {"anyOf": [refs[id(ep.error_body)], refs[id(ErrorBody)]]}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _operation_id(ep: ApiRoute) -> str:
    words = [p.strip("{}") for p in ep.path.split("/") if p and p not in ("api", "v1")]
    return "_".join([ep.method.lower(), *words]).replace("-", "_")
