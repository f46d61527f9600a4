"""Endpoint groups: the unit of SLOs, charts and capacity per service.

Request names are grouped like ``/api/v1/products/[id]``; each maps to one of
the groups the profiles' SLOs speak of (browse, cart, checkout, auth, stock).
"""

from __future__ import annotations

GROUPS = ("browse", "cart", "checkout", "auth", "stock", "other")

_PREFIXES = (
    ("/api/v1/checkout", "checkout"),
    ("/api/v1/orders", "checkout"),
    ("/api/v1/cart", "cart"),
    ("/api/v1/sessions", "auth"),
    ("/api/v1/users", "auth"),
    ("/api/v1/stock", "stock"),
    ("/api/v1/ws/stock", "stock"),
    ("/api/v1/products", "browse"),
    ("/api/v1/categories", "browse"),
    ("/api/v1/search", "browse"),
    ("/", "browse"),
)


def endpoint_group(name: str) -> str:
    """The group of a request name such as ``GET /api/v1/products/[id]`` or a bare path."""
    path = name.split(" ", 1)[-1]
    for prefix, group in _PREFIXES:
        if prefix == "/" and path in ("/", "/healthz"):
            return group
        if prefix != "/" and path.startswith(prefix):
            return group
    return "other"
