"""The one exception tree of Stampede.

::

    StampedeError                 anything Stampede raises on purpose
    ├── ConfigError               a user's input is wrong: a profile key, a flag, a file
    ├── TargetError               the system under test cannot be reached or misbehaves
    ├── ServiceUnavailableError   a backend (PostgreSQL, Redis) cannot be reached
    └── InvalidRunError           a run's measurements cannot be trusted

Every message is one sentence that names the thing, the bad value and what
would be right. The CLI turns these into a one-line error and an exit code of
the one scheme (:mod:`stampede.core.exits`); no user mistake ever ends in a
traceback.
"""

from __future__ import annotations

from stampede.core.exits import Exit


class StampedeError(Exception):
    """Base class of every error Stampede raises on purpose."""

    # 1 means "an objective was breached"; an error is never that
    exit_code: int = Exit.UNTRUSTED


class ConfigError(StampedeError):
    """A user's input (profile, flag, file, environment variable) is wrong."""

    exit_code: int = Exit.USAGE


class TargetError(StampedeError):
    """The system under test cannot be reached or answers in a way we cannot use."""

    exit_code: int = Exit.UNREACHABLE


class ServiceUnavailableError(StampedeError):
    """A backend service (PostgreSQL, Redis) cannot be reached."""

    exit_code: int = Exit.UNREACHABLE


class InvalidRunError(StampedeError):
    """A run's measurements cannot be trusted (saturated generator, missed arrivals)."""

    exit_code: int = Exit.UNTRUSTED
