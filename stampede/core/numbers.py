"""How Stampede writes numbers for people: one formatter per kind of quantity.

The report, the gate, the comparison, the plan's summary and the console all
write latencies, percentages, counts, rates and money with these, so one run
reads the same everywhere (never "7,700 ms" beside "10.0 s", nor "0.04%"
beside "0.036%"). Missing and non-finite values are a dash.
"""

from __future__ import annotations

import math

DASH = "—"


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def latency(seconds: float | None) -> str:
    """``0.4 ms``, ``3.2 ms``, ``604 ms``, ``1.66 s``, ``10.0 s``, ``125 s``: three
    significant digits at most, in ms below a second and in seconds from one."""
    if seconds is None or _missing(seconds):
        return DASH
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 100:
        return f"{seconds:.1f} s"
    return f"{seconds:,.0f} s"


def percent(fraction: float | None) -> str:
    """A fraction as a percentage to two significant digits (at most three decimals, at
    least one): ``0.036%``, ``0.040%``, ``0.50%``, ``1.5%``, ``12.5%``, ``100%``, ``0%``."""
    if fraction is None or _missing(fraction):
        return DASH
    value = fraction * 100
    if value == 0:
        return "0%"
    if abs(value) >= 100:
        return f"{value:.0f}%"
    digits = min(3, max(1, 1 - math.floor(math.log10(abs(value)))))
    return f"{value:.{digits}f}%"


def count(n: float | None) -> str:
    """A whole number with thousands separators: ``103,471``."""
    if n is None or _missing(n):
        return DASH
    return f"{round(n):,d}"


def rate(per_second: float | None, unit: str = "req/s") -> str:
    """A rate: ``625 req/s``, ``24.5 req/s``, ``0.50 req/s`` (three significant digits
    below 100, whole numbers with separators above)."""
    if per_second is None or _missing(per_second):
        return DASH
    if abs(per_second) >= 100:
        return f"{per_second:,.0f} {unit}"
    if abs(per_second) >= 10:
        return f"{per_second:.1f} {unit}"
    return f"{per_second:.2f} {unit}"


def money(amount: float | None, currency: str = "") -> str:
    """An amount to the cent with separators: ``2,308,445.03`` (``USD 12.00``)."""
    if amount is None or _missing(amount):
        return DASH
    text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text
