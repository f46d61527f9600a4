"""Failures as a reader wants them: one row per request name and kind of error, timeouts counted.

Locust keys its failure table by the error's text, and a client error names the
URL it failed on (``RetriesExceeded('http://…/products/363', …)``), so one cause
becomes a row per product. Here the URL is taken out of the text (one sample is
kept) and the rows of one request name and one cause are added up.

A timed-out request has no latency, only "at least the client's timeout"; when
more of an endpoint's requests timed out than a percentile leaves above it, that
percentile is a timeout too and is shown as a bound (``≥ 10.0 s, 37 timed out``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stampede.reports._model import FailureRow

_URL = re.compile(r"https?://[^\s'\",)]+")
#: an object's address in a repr (``<Timeout at 0x7f3a… seconds=10>``): one per failure
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_TIMEOUT = re.compile(r"time[ds]? ?out|timeout", re.IGNORECASE)


def is_timeout(error: str) -> bool:
    """Whether a failure's text says the request got no answer in time."""
    return _TIMEOUT.search(error) is not None


def grouped(rows: Iterable[FailureRow]) -> tuple[FailureRow, ...]:
    """``rows`` with URLs taken out of their errors and the same (request, error) added up,
    most frequent first; each keeps the first URL it named as ``sample_url``."""
    found: dict[tuple[str, str, str], FailureRow] = {}
    for row in rows:
        urls = _URL.findall(row.error)
        error = _ADDRESS.sub("", _URL.sub("<url>", row.error))
        key = (row.method, row.name, error)
        before = found.get(key)
        if before is None:
            found[key] = FailureRow(
                row.method, row.name, error, row.occurrences, urls[0] if urls else ""
            )
        else:
            found[key] = FailureRow(
                row.method,
                row.name,
                error,
                before.occurrences + row.occurrences,
                before.sample_url or (urls[0] if urls else ""),
            )
    return tuple(sorted(found.values(), key=lambda r: (-r.occurrences, r.method, r.name)))


def timeouts_by_request(rows: Iterable[FailureRow]) -> dict[str, int]:
    """Timed-out requests per request name (``"GET /api/v1/products/[id]"``)."""
    counts: dict[str, int] = {}
    for row in rows:
        if is_timeout(row.error):
            name = f"{row.method} {row.name}".strip()
            counts[name] = counts.get(name, 0) + row.occurrences
    return counts
