"""The optional parts of the distribution, and the one-line error when one is missing.

A light install (``pip install stampede-flashsale``) has the core, the profiles,
the planner and the reports; the load generator and the reference store are
extras, so a planner on a laptop or in CI does not pull Locust, gevent or the
store's servers and drivers.
"""

from __future__ import annotations

import importlib.util

from stampede.core.errors import ConfigError
from stampede.core.version import DISTRIBUTION

#: extra -> the top-level modules it installs
EXTRAS: dict[str, tuple[str, ...]] = {
    "load": ("locust", "gevent", "geventhttpclient"),
    "store": (
        "starlette",
        "granian",
        "msgspec",
        "aiosqlite",
        "prometheus_client",
        "asyncpg",
        "redis",
        "aio_pika",
    ),
}


def extra_of(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name), or None for anything else."""
    top = (module or "").split(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)


def missing_extra_error(what: str, extra: str, module: str) -> ConfigError:
    return ConfigError(
        f"{what} needs the {extra!r} extra, which is not installed (no module {module!r}); "
        f"install it with: pip install '{DISTRIBUTION}[{extra}]' (or [all])"
    )


def require_extra(extra: str, what: str) -> None:
    """Raise a one-line ConfigError naming the install command when ``extra`` is missing."""
    for module in EXTRAS[extra]:
        if importlib.util.find_spec(module) is None:
            raise missing_extra_error(what, extra, module)
