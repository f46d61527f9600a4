"""A change from before to after in the case study's style: ``87% ↓``, ``14× ↑``.

The arrow is the direction of the change (up: the number grew), not a judgement;
whether that is better is the metric's business (``compare`` marks it apart).

* A number that grew to at least twice its size is a multiple: ``after / before``
  then ``×`` (``24× ↑`` for 5,000 → 120,000 users; ``2.5× ↑``), because ``+2,300%``
  reads worse than "24 times".
* Any other growth, and every fall, is a percentage of the before value: ``22% ↑``
  (conversion 2.1% → 2.56%), ``87% ↓`` (p95 2.4 s → 320 ms). A fall is never
  shown as a multiple: it is bounded by 100%, and "87% faster" is what a reader
  says of 7.5 times less time.
* Percentages of 10 or more are whole (``87%``), smaller ones keep a decimal
  (``4.5%``); a fall is never rounded up to ``100%`` unless it is one
  (``99.9% ↓``). Multiples of 10 or more are whole, smaller keep a decimal.
* No change is ``no change``; from zero to something is ``new``; a value that
  is missing, negative or not finite gives a dash.

Shares (availability, conversion, error rate) change by the same rule: a
relative change of the share, not percentage points.
"""

from __future__ import annotations

import math

DASH = "—"
UP, DOWN = "↑", "↓"
#: growth to at least this many times the before value is shown as a multiple
MULTIPLE_FROM = 2.0


def _trim(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def _multiple(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{_trim(f'{ratio:.1f}')}×"


def _percent(fraction: float) -> str:
    percent = fraction * 100
    if percent >= 10:
        whole = math.floor(percent + 0.5)
        if whole < 100 or percent >= 100:
            return f"{whole:,}%"
        return f"{math.floor(percent * 10) / 10:.1f}%"
    if percent < 0.1:
        return "<0.1%"
    return f"{_trim(f'{round(percent, 1):.1f}')}%"


def improvement(before: float | None, after: float | None) -> str:
    """The change from ``before`` to ``after`` as ``87% ↓`` or ``14× ↑`` (module rules)."""
    if before is None or after is None or not (math.isfinite(before) and math.isfinite(after)):
        return DASH
    if before < 0 or after < 0:
        return DASH
    if before == after:
        return "no change"
    if before == 0:
        return "new"
    ratio = after / before
    if ratio >= MULTIPLE_FROM:
        return f"{_multiple(ratio)} {UP}"
    if ratio > 1:
        return f"{_percent(ratio - 1)} {UP}"
    return f"{_percent(1 - ratio)} {DOWN}"
