"""Which service answers which endpoint: the store's path prefixes.

The store has one package per service plus the gateway. Locust sees only the
public API, so a request is attributed to the service that owns its path;
payments and notifications are never called by users directly and are driven
by checkouts instead (see :mod:`capacity._demand`).
"""

from __future__ import annotations

from stampede.core.errors import ConfigError

SERVICES: tuple[str, ...] = (
    "users",
    "catalog",
    "orders",
    "inventory",
    "payments",
    "notifications",
    "gateway",
)

MEASURED_SERVICES: tuple[str, ...] = ("users", "catalog", "orders", "inventory")
"""Services whose endpoints Locust calls, so their latency is measured."""

DERIVED_SERVICES: tuple[str, ...] = ("payments", "notifications", "gateway")
"""Services sized from derived demand and a queueing model."""

PATH_PREFIXES: tuple[tuple[str, str], ...] = (
    ("/api/v1/users", "users"),
    ("/api/v1/sessions", "users"),
    ("/api/v1/categories", "catalog"),
    ("/api/v1/products", "catalog"),
    ("/api/v1/search", "catalog"),
    ("/api/v1/cart", "orders"),
    ("/api/v1/checkout", "orders"),
    ("/api/v1/orders", "orders"),
    ("/api/v1/stock", "inventory"),
)

CHECKOUT_PREFIX = "/api/v1/checkout"


def service_for_endpoint(name: str) -> str:
    """Name the service that owns an endpoint, by its path prefix.

    Parameters
    ----------
    name : str
        A Locust request name such as ``"/api/v1/products/[id]"``; a query
        string is ignored.

    Returns
    -------
    str
        One of :data:`MEASURED_SERVICES`.

    Raises
    ------
    ConfigError
        If no prefix matches.
    """
    path = name.split("?", 1)[0]
    for prefix, service in PATH_PREFIXES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    allowed = ", ".join(prefix for prefix, _ in PATH_PREFIXES)
    raise ConfigError(
        f"endpoint {name!r} belongs to no known service; name requests under one of {allowed}."
    )


def is_checkout(name: str) -> bool:
    """Whether an endpoint is the checkout that creates a paid order."""
    path = name.split("?", 1)[0]
    return path == CHECKOUT_PREFIX or path.startswith(CHECKOUT_PREFIX + "/")
