"""How the plan writes its numbers for people: no ``nan``, ``inf``, ``e+04`` or reprs.

A reader of ``summary.md`` or of ``stampede plan``'s output sees digits with
thousands separators and a sensible precision, words for what is not a
number (``unbounded``, ``not measured``), and ``yes``/``no`` for flags.
"""

from __future__ import annotations

import math


def number(x: float | None, *, digits: int = 3, missing: str = "not known") -> str:
    """``x`` to ``digits`` significant digits in fixed notation, with thousands separators.

    Integers of four digits or more keep every digit (``43,180``, not
    ``4.318e+04``); an infinity is ``unbounded``; NaN and None are ``missing``.
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


def count(n: float | None, *, missing: str = "not known") -> str:
    """A whole number with thousands separators (``130,300,747``)."""
    if n is None or not math.isfinite(n):
        return number(n, missing=missing)
    return f"{round(n):,d}"


def money(x: float | None, *, missing: str = "not known") -> str:
    """An amount to the cent with thousands separators (``24,402.17``)."""
    if x is None or not math.isfinite(x):
        return number(x, missing=missing)
    return f"{x:,.2f}"


def signed_money(x: float) -> str:
    """A change to the cent with its sign (``-5,598.36``, ``+12.00``)."""
    return f"{x:+,.2f}" if math.isfinite(x) else number(x)


def flag(value: bool | None, *, missing: str = "not known") -> str:
    """``yes``, ``no`` or ``missing``."""
    return missing if value is None else ("yes" if value else "no")


def seconds(x: float | None, *, missing: str = "not known") -> str:
    """A duration in the unit a person would say: ``45 s``, ``12 min``, ``3.5 h``."""
    if x is None or not math.isfinite(x):
        return "never" if x is not None and x > 0 else number(x, missing=missing)
    if x < 120:
        return f"{number(x)} s"
    if x < 7200:
        return f"{number(x / 60)} min"
    return f"{number(x / 3600)} h"


def cell(value: object) -> str:
    """A table cell: numbers by :func:`number`, flags as yes/no, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return flag(value)
    if isinstance(value, int):
        return count(value)
    if isinstance(value, float):
        return number(value, digits=4)
    return str(value)
