"""The installed distribution's name and version (the import package is ``stampede``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

#: the distribution on PyPI (``stampede`` there is someone else's); the command is ``stampede``
DISTRIBUTION = "stampede-flashsale"


def installed_version(distribution: str = DISTRIBUTION) -> str:
    """The installed version of ``distribution``, or ``"unknown"`` when it is not installed."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
