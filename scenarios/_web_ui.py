"""Locust's web UI with Stampede: its custom parameters honoured, corrected latency shown.

- The form's (and REST ``POST /swarm``'s) traffic, scale and time scale land in
  Locust's parsed options; :func:`follow_form` rebuilds the traffic context from
  them when a test starts, so the run is the one asked for.
- The user-count and spawn-rate fields are disabled because the profile's load
  shape sets users; the ``--traffic`` help, shown under the field, says so.
- A "Corrected latency" tab (Locust's ``extended_tabs``/``extended_tables`` and
  the ``extended_stats`` of ``/stats/requests``) shows per request name the
  count and the p50/p95/p99 corrected for coordinated omission next to the
  uncorrected p95, from the same histograms as the run directory.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request

from stampede.core.errors import ConfigError
from stampede.traffic import TrafficContext, TrafficOptions

TAB = "stampede-corrected"
COLUMNS = [
    ("name", "Name"),
    ("count", "# requests"),
    ("corrected_p50_ms", "Corrected p50 (ms)"),
    ("corrected_p95_ms", "Corrected p95 (ms)"),
    ("corrected_p99_ms", "Corrected p99 (ms)"),
    ("uncorrected_p95_ms", "Uncorrected p95 (ms)"),
]
DISABLED_NOTE = (
    "users and spawn rate come from the profile's stages (its load shape), so Locust's "
    "user-count and spawn-rate fields are disabled"
)


def _number(name: str, value: object) -> float | None:
    """A factor from the form: '' or None leaves the profile's own; else a number."""
    if value is None or value == "":
        return None
    try:
        return float(str(value))
    except ValueError:
        raise ConfigError(f"{name} {value!r} is not a number; give one in (0, 1]") from None


def follow_form(environment: Any) -> None:
    """Rebuild the traffic context when the web UI asked for other traffic than it runs."""
    parsed = environment.parsed_options
    parsed.traffic = parsed.traffic or None
    parsed.scale = _number("scale", parsed.scale)
    parsed.time_scale = _number("time scale", parsed.time_scale)
    ctx: TrafficContext = environment.stampede
    options = TrafficOptions.from_parsed(parsed)
    if options == ctx.options:
        return
    fresh = TrafficContext.create(options)
    fresh.catalog, fresh.worker_tally = ctx.catalog, ctx.worker_tally
    environment.stampede = fresh


def corrected_rows(ctx: TrafficContext) -> list[dict[str, object]]:
    """One row per request name: count and corrected/uncorrected percentiles in ms."""
    totals = ctx.measurements.latency
    rows: list[dict[str, object]] = []
    for group in sorted(totals.groups()):
        corrected = totals.summary("corrected", group)
        uncorrected = totals.summary("uncorrected", group)
        rows.append(
            {
                "name": group,
                "count": corrected.count,
                "corrected_p50_ms": round(corrected.p50 * 1000, 1),
                "corrected_p95_ms": round(corrected.p95 * 1000, 1),
                "corrected_p99_ms": round(corrected.p99 * 1000, 1),
                "uncorrected_p95_ms": round(uncorrected.p95 * 1000, 1),
            }
        )
    return rows


def extend(environment: Any) -> None:
    """Add the corrected-latency tab to Locust's web UI (nothing when it runs headless)."""
    web_ui = getattr(environment, "web_ui", None)
    if web_ui is None:
        return
    web_ui.template_args["extended_tabs"] = [{"title": "Corrected latency", "key": TAB}]
    web_ui.template_args["extended_tables"] = [
        {"key": TAB, "structure": [{"key": k, "title": t} for k, t in COLUMNS]}
    ]

    @web_ui.app.after_request
    def add_corrected(response: Any) -> Any:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        rows = corrected_rows(environment.stampede)
        body = {**response.get_json(), "extended_stats": [{"key": TAB, "data": rows}]}
        response.set_data(json.dumps(body))
        return response
