"""What a route handler finds on the app: the services and what the operations routes serve.

Handlers are plain module-level functions (``async def list_products(request)``);
:func:`stampede.store.app.create_app` puts one :class:`StoreState` on the app's
state and each handler asks :func:`store_state` for it, instead of closing over
the services when the routes are built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from stampede.store.config import StoreConfig
from stampede.store.gateway.metrics import StoreMetrics
from stampede.store.services import Services
from stampede.store.switches import SharedSwitches


@dataclass(frozen=True, eq=False)
class StoreState:
    """The one store an app serves: its services, configuration, switches and documents."""

    services: Services
    config: StoreConfig
    switches: SharedSwitches
    metrics: StoreMetrics
    #: the installed version, as the health check and the OpenAPI document report it
    version: str
    #: the OpenAPI document of every route, computed once when the app is built
    openapi: Mapping[str, Any]


def store_state(connection: HTTPConnection) -> StoreState:
    """The store of the app that received ``connection`` (a request or a websocket)."""
    state = getattr(connection.app.state, "store", None)
    if not isinstance(state, StoreState):
        raise RuntimeError(
            "the app has no store state (app.state.store); build it with "
            "stampede.store.app.create_app"
        )
    return state


def services(connection: HTTPConnection) -> Services:
    """The services of the app that received ``connection``."""
    return store_state(connection).services
