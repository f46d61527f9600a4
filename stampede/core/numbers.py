"""How Stampede writes numbers for people: one formatter per kind of quantity.

The report, the gate, the comparison, the plan's summary and the console all
write latencies, percentages, counts, rates, money, durations and plain
quantities with these, so one run reads the same everywhere (never "7,700 ms"
beside "10.0 s", nor "0.04%" beside "0.036%", nor ``4.318e+04``, ``nan`` or
``True``). Missing and non-finite values are a dash unless the caller names
the word a reader should see (``not known``, ``never``, ``unbounded``).
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


def number(x: float | None, *, digits: int = 3, missing: str = DASH) -> str:
    """``x`` to ``digits`` significant digits in fixed notation, with thousands separators.

    Integers of four digits or more keep every digit (``43,180``, not
    ``4.318e+04``); small values stay fixed (``0.0000098``, not ``9.8e-06``);
    an infinity is ``unbounded``; NaN and None are ``missing``.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    if math.isinf(x):
        return "unbounded" if x > 0 else "-unbounded"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def count(n: float | None, *, missing: str = DASH) -> str:
    """A whole number with thousands separators: ``103,471``."""
    if n is None or _missing(n):
        return missing if n is None or math.isnan(n) else number(n, missing=missing)
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


def money(amount: float | None, currency: str = "", *, missing: str = DASH) -> str:
    """An amount to the cent with separators: ``2,308,445.03`` (``USD 12.00``)."""
    if amount is None or _missing(amount):
        return missing
    text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text


def signed_money(amount: float) -> str:
    """A change to the cent with its sign: ``-5,598.36``, ``+12.00``."""
    return f"{amount:+,.2f}" if math.isfinite(amount) else number(amount)


def flag(value: bool | None, *, missing: str = DASH) -> str:
    """``yes``, ``no`` or ``missing`` (never ``True``/``False``)."""
    return missing if value is None else ("yes" if value else "no")


def duration(seconds: float | None, *, missing: str = DASH) -> str:
    """A length of time in the unit a person would say: ``45 s``, ``12 min``, ``3.5 h``;
    an infinite one is ``never`` (a backlog that never drains)."""
    if seconds is None or not math.isfinite(seconds):
        return "never" if seconds is not None and seconds > 0 else number(seconds, missing=missing)
    if seconds < 120:
        return f"{number(seconds)} s"
    if seconds < 7200:
        return f"{number(seconds / 60)} min"
    return f"{number(seconds / 3600)} h"
