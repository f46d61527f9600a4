"""Stampede: load testing and capacity planning for flash sales.

One import package, in layers that import only downwards (see docs/architecture.md)::

    stampede.app        commands, runner, planning, probe, chaos   (imports anything below)
    stampede.reports    report, gate, compare                       (core, profiles, capacity)
    stampede.scenarios  Locust users and hooks                      (core, profiles; Locust)
    stampede.capacity   fitting, sizing, policies, cost             (core)
    stampede.profiles   traffic profiles                            (core)
    stampede.store      the reference store                         (core)
    stampede.core       errors, run directory, measurement          (nothing of ours)

Importing ``stampede`` imports neither Locust nor the store: Locust
monkey-patches the standard library, so only ``stampede.scenarios`` and the
locustfile load it. ``from stampede import StampedeUser`` (the base class of
your own users, in a locustfile; ``StampedeHttpUser`` for a ``requests``
client) imports ``stampede.scenarios`` on first use.
"""

from typing import TYPE_CHECKING, Any

from stampede.core.errors import (
    ConfigError,
    InvalidRunError,
    ServiceUnavailableError,
    StampedeError,
    TargetError,
)

if TYPE_CHECKING:
    from stampede.scenarios import StampedeHttpUser, StampedeUser

#: names of ``stampede.scenarios`` re-exported here, imported on first use
_USERS = ("StampedeHttpUser", "StampedeUser")


def __getattr__(name: str) -> Any:
    if name in _USERS:  # loads Locust: only when a locustfile asks for it
        from stampede.scenarios import StampedeHttpUser, StampedeUser

        return StampedeUser if name == "StampedeUser" else StampedeHttpUser
    raise AttributeError(f"module 'stampede' has no attribute {name!r}")


__all__ = [
    "ConfigError",
    "InvalidRunError",
    "ServiceUnavailableError",
    "StampedeError",
    "StampedeHttpUser",
    "StampedeUser",
    "TargetError",
]
