"""Reading a store's answers: JSON bodies, the text of a body, a 429's ``Retry-After``,
whether a request's error was a timeout.

Which answers are business outcomes is the target description's to say
(:meth:`stampede.core.target_description.TargetDescription.outcome_of`).
"""

from __future__ import annotations

import re
from typing import Any

#: the longest Retry-After a user honours before it gives up on the request
MAX_RETRY_AFTER_S = 10.0

#: the key of Locust's request ``context`` that carries a request's intended start
INTENDED_KEY = "stampede_intended"

# as the report reads failures.csv (stampede.reports' is_timeout): gevent's Timeout,
# socket.timeout, requests' ReadTimeout and ConnectTimeout, TimeoutError
_TIMEOUT = re.compile(r"time[ds]? ?out|timeout", re.IGNORECASE)


def timed_out(exception: object) -> bool:
    """Whether a request's error (Locust's ``exception``) says no answer came in time."""
    if exception is None:
        return False
    return isinstance(exception, TimeoutError) or _TIMEOUT.search(repr(exception)) is not None


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


def response_text(response: Any) -> str:
    """The answer's body as text; empty when there is none or it cannot be read."""
    try:
        text = response.text
    except Exception:
        return ""
    return text if isinstance(text, str) else ""


def retry_after(response: Any) -> float:
    """Seconds a 429 asks to wait (``Retry-After``, 1 when unreadable), within [0, the cap]."""
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except (TypeError, ValueError):
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
