"""Strict JSON for the plan: a number that is not finite is ``null`` with the reason beside it.

``json.dumps(..., allow_nan=False)`` refuses NaN and infinities; :func:`strict_json`
turns them into ``null`` and writes ``<key>_null_because`` beside the key, in
words, so a reader of ``plan.json`` learns why there is no number.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from stampede.core.fields import Json

#: why a number of the plan is not finite, by its key; others get the generic reason
NULL_REASONS: Mapping[str, str] = {
    "mmc_p95_ms": "the M/M/c queue saturates: the demand reaches the planned replicas' "
    "service rate, so the wait grows without bound",
    "drain_time_s": "the outbox relay drains no faster than ordinary traffic adds after "
    "the sale, so the backlog never clears",
    "n_star": "kappa is 0: the USL has no peak, throughput rises with concurrency "
    "within what was measured",
    "cost_per_1000_orders": "the sale takes no orders",
}
NULL_SUFFIX = "_null_because"


def _not_finite(value: object) -> str | None:
    """Why ``value`` cannot be a JSON number, or None when it can (or is not a number)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    if math.isnan(number):
        return "not a number: the quantity is undefined for this plan"
    if math.isinf(number):
        return "infinite" if number > 0 else "minus infinity"
    return None


def strict_json(value: object) -> Json:
    """``value`` as strict JSON data; a number that is not finite becomes null with a reason.

    In a mapping, ``key: inf`` is written ``key: null`` and
    ``key_null_because: "<why>"`` (from :data:`NULL_REASONS`, or what the
    value was); a bare non-finite number outside a mapping becomes null.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Integral):  # numpy's integers too
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        out: dict[str, Json] = {}
        for k, v in value.items():
            out[str(k)] = strict_json(v)
            why = _not_finite(v)
            if why is not None and f"{k}{NULL_SUFFIX}" not in value:
                out[f"{k}{NULL_SUFFIX}"] = NULL_REASONS.get(str(k), why)
        return out
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    return str(value)


def finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (the document's "not a number")."""
    return value if value is not None and math.isfinite(value) else None


def why_null(fields: Mapping[str, object], key: str) -> dict[str, object]:
    """``fields`` with the reason beside ``key`` when the typed value is None (not a number)."""
    if fields[key] is not None:
        return dict(fields)
    return {**fields, f"{key}{NULL_SUFFIX}": NULL_REASONS[key]}
