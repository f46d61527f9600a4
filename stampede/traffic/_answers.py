"""What a store's answer means to a shopper: a business outcome, a failure, or neither.

Expected business answers — 409 sold out, 402 declined, 429 rate limited —
are counted as outcomes, not failures; a 500 or no answer at all is a
failure. A 429's ``Retry-After`` is honoured up to a cap.
"""

from __future__ import annotations

from typing import Any

#: the longest Retry-After a user honours before it gives up on the request
MAX_RETRY_AFTER_S = 10.0

#: error codes of the store's 4xx answers that are business outcomes
BUSINESS_CODES = {
    "sold_out": "sold_out",
    "limit_exceeded": "limit_exceeded",
    "payment_declined": "payment_declined",
    "checkout_in_progress": "checkout_retried",
}


def json_object(response: Any) -> dict[str, Any]:
    """The answer's JSON body if it is an object, else an empty one."""
    try:
        body = response.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def json_list(response: Any) -> list[Any]:
    """The answer's JSON body if it is a list, else an empty one."""
    try:
        body = response.json()
    except Exception:
        return []
    return body if isinstance(body, list) else []


def classify(response: Any, ok: tuple[int, ...]) -> tuple[str | None, str | None]:
    """(business outcome, failure): a 409 sold out is an outcome, a 500 a failure.

    ``response`` has a ``status_code`` (0 for no answer, with the reason in
    ``error``) and a ``json()`` body.
    """
    status = response.status_code
    if status in ok:
        return None, None
    if status == 429:
        return "rate_limited", None
    if status == 0:
        return None, f"no answer: {response.error!r}"[:200]
    code = str(json_object(response).get("error", ""))
    if status == 402:
        return "payment_declined", None
    if status == 409 and code in BUSINESS_CODES:
        return BUSINESS_CODES[code], None
    if status == 503 and code == "payment_unavailable":
        return "payment_unavailable", "HTTP 503 payment_unavailable"
    return None, f"HTTP {status} {code}".strip()


def retry_after(response: Any) -> float:
    """Seconds a 429 asks to wait (``Retry-After``, 1 when unreadable), within [0, the cap]."""
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except (TypeError, ValueError):
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
