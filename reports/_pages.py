"""Page-load time by page type: a page view is a document and its API calls, timed as one.

The scenarios record each page view from its intended start (the end of the
shopper's think time) to its last call's answer (``pages.json``); here each page
type's corrected distribution becomes a row of the report, ``all`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stampede.core.numbers import latency
from stampede.profiles import ALL_GROUP
from stampede.reports._hist import Distribution


@dataclass(frozen=True)
class PageRow:
    """One page type: its views and their page-load percentiles, in seconds."""

    page: str
    views: int
    p50_s: float
    p95_s: float
    p99_s: float
    max_s: float


def page_rows(page_loads: Mapping[str, Distribution]) -> list[PageRow]:
    """Every page type with a view, ``all`` first, then the most viewed first."""
    found = [(page, dist) for page, dist in page_loads.items() if dist.total]
    found.sort(key=lambda item: (item[0] != ALL_GROUP, -item[1].total, item[0]))
    return [
        PageRow(
            page,
            dist.total,
            dist.percentile(50),
            dist.percentile(95),
            dist.percentile(99),
            dist.percentile(100),
        )
        for page, dist in found
    ]


def page_load_note(page_loads: Mapping[str, Distribution]) -> tuple[str, str]:
    """The key number (every page view's p50 / p95) and its note, or a dash and why not."""
    every = page_loads.get(ALL_GROUP)
    if every is None or not every.total:
        return "—", "no page views: this run's users make API calls only"
    value = f"{latency(every.percentile(50))} / {latency(every.percentile(95))}"
    return value, f"p50 / p95 of {every.total:,} page views (document and API calls, corrected)"
