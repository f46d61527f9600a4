"""Durations and latencies as people write them: ``30s``, ``5m``, ``1h30m``, ``500ms``.

Parsing returns seconds as a float; formatting writes the shortest form that
parses back to exactly the same float, so a profile survives a round trip.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(
    rf"(?:{_NUMBER}h)?(?:{_NUMBER}m(?!s))?(?:{_NUMBER}s)?(?:{_NUMBER}ms)?",
)


def parse_duration(value: object) -> float:
    """Seconds in ``value``: a number of seconds or a string such as ``1h30m`` or ``500ms``.

    Raise ``ValueError`` when ``value`` is neither.
    """
    if isinstance(value, bool):
        raise ValueError("a boolean is not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value.strip())
    else:
        raise ValueError(f"{type(value).__name__} is not a duration")
    if not math.isfinite(seconds):
        raise ValueError("a duration must be finite")
    return seconds


def parse_latency(value: object) -> float:
    """Seconds in a latency written with its unit, such as ``500ms`` or ``1.2s``.

    A bare number is refused: ``500`` could mean milliseconds or seconds.
    """
    if not isinstance(value, str):
        raise ValueError("a latency needs a unit")
    return _parse_text(value.strip())


def _parse_text(text: str) -> float:
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise ValueError(f"{text!r} is not a duration")
    hours, minutes, seconds, millis = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def format_duration(seconds: float) -> str:
    """``seconds`` as ``1h30m``, ``45s`` or ``7.5s``; parses back to the same float."""
    if seconds.is_integer() and seconds >= 1:
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
        return "".join(parts)
    return format_latency(seconds)


def format_latency(seconds: float) -> str:
    """``seconds`` as ``500ms``, ``2s`` or ``1.2s``; parses back to the same float."""
    millis = seconds * 1000
    if 0 < seconds < 1 and millis.is_integer() and int(millis) / 1000 == seconds:
        return f"{int(millis)}ms"
    if seconds.is_integer():
        return f"{int(seconds)}s"
    return f"{Decimal(repr(seconds)):f}s"
