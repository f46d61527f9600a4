"""How numbers read in reports: the one formatter (:mod:`stampede.core.numbers`) and the
report's own (durations, times), also as Jinja filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from stampede.core.numbers import DASH, latency, percent, rate


def ms(seconds: float | None) -> str:
    """Latency: ``3.2 ms``, ``512 ms``, ``1.25 s`` (:func:`stampede.core.numbers.latency`)."""
    return latency(seconds)


def pct(fraction: float | None, digits: int | None = None) -> str:
    """A fraction as a percentage: ``0.042%``, ``12.5%`` (:func:`stampede.core.numbers.percent`);
    with ``digits``, that many decimals (a share of a budget: ``75%``)."""
    if digits is None or fraction is None or not math.isfinite(fraction):
        return percent(fraction)
    return f"{fraction * 100:.{digits}f}%"


def signed_pct(fraction: float | None) -> str:
    if fraction is None or not math.isfinite(fraction):
        return DASH
    return f"{fraction * 100:+.1f}%"


def num(value: float | None, digits: int = 0) -> str:
    """A count or rate with thousands separators."""
    if value is None or not math.isfinite(value):
        return DASH
    return f"{value:,.{digits}f}"


def duration(seconds: float | None) -> str:
    """``45 s``, ``3 min 20 s``, ``1 h 2 min``."""
    if seconds is None or not math.isfinite(seconds):
        return DASH
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def when(epoch: float | None) -> str:
    """An epoch time as ``2025-11-28 09:00:00 UTC``."""
    if epoch is None:
        return DASH
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def value(measured: float | None, unit: str) -> str:
    """A measured SLO value in its unit (``s``, ``fraction`` or ``rps``)."""
    if unit == "s":
        return ms(measured)
    if unit == "fraction":
        return pct(measured)
    return rate(measured)


FILTERS = {
    "ms": ms,
    "pct": pct,
    "signed_pct": signed_pct,
    "num": num,
    "duration": duration,
    "when": when,
    "value": value,
}
