"""Stampede's shared core: errors, run directories and measurement.

Nothing in this package imports ``locust`` (it monkey-patches the standard
library on import); only ``scenarios/`` and ``locustfile.py`` do.
"""

from stampede.errors import (
    ConfigError,
    InvalidRunError,
    ServiceUnavailableError,
    StampedeError,
    TargetError,
)

__all__ = [
    "ConfigError",
    "InvalidRunError",
    "ServiceUnavailableError",
    "StampedeError",
    "TargetError",
]
