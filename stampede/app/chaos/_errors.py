"""The chaos package's one exception."""

from __future__ import annotations


class InjectionError(Exception):
    """A fault could not be injected; the run goes on and the record says why."""
