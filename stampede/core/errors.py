"""The one exception tree of Stampede.

::

    StampedeError                 anything Stampede raises on purpose
    ├── ConfigError               a user's input is wrong: a profile key, a flag, a file
    ├── TargetError               the system under test cannot be reached or misbehaves
    ├── ServiceUnavailableError   a backend (PostgreSQL, Redis) cannot be reached
    └── InvalidRunError           a run's measurements cannot be trusted

Every message is one sentence that names the thing, the bad value and what
would be right. The CLI turns these into a one-line error and an exit code;
no user mistake ever ends in a traceback.
"""

from __future__ import annotations


class StampedeError(Exception):
    """Base class of every error Stampede raises on purpose."""

    exit_code = 1


class ConfigError(StampedeError):
    """A user's input (profile, flag, file, environment variable) is wrong."""

    exit_code = 3


class TargetError(StampedeError):
    """The system under test cannot be reached or answers in a way we cannot use."""

    exit_code = 4


class ServiceUnavailableError(StampedeError):
    """A backend service (PostgreSQL, Redis) cannot be reached."""

    exit_code = 4


class InvalidRunError(StampedeError):
    """A run's measurements cannot be trusted (saturated generator, missed arrivals)."""

    exit_code = 2
