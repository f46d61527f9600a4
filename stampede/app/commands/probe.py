"""``stampede probe``: a constant-rate, open-model probe of one endpoint."""

from __future__ import annotations

import asyncio
import json
import signal
import sys

import click

from stampede.app.probe import ProbeConfig, ProbeResult, run_probe
from stampede.core.cpu import saturation
from stampede.core.errors import InvalidRunError
from stampede.core.exits import Exit
from stampede.core.latency import KINDS

_ROWS = (
    ("50", "50.000%"),
    ("75", "75.000%"),
    ("90", "90.000%"),
    ("99", "99.000%"),
    ("99.9", "99.900%"),
    ("99.99", "99.990%"),
    ("max", "max"),
)


def format_ms(ms: float) -> str:
    """A latency in the unit that reads best: µs below 1 ms, s from 1 s."""
    if ms < 1.0:
        return f"{ms * 1000:.0f}us"
    if ms < 1000.0:
        return f"{ms:.2f}ms"
    return f"{ms / 1000:.2f}s"


def render_table(result: ProbeResult) -> str:
    """wrk2-style text: percentiles side by side, load delivered, errors and the verdict."""
    config, arrivals = result.config, result.arrivals
    header = (
        f"Probe of {config.method} {config.url}: {config.rate:g} req/s intended for "
        f"{config.duration:g} s over {config.connections} connection(s)"
        + (f" (interrupted after {result.elapsed:.1f} s)" if result.interrupted else "")
    )
    columns = {kind: result.percentiles_ms(kind) for kind in KINDS}
    lines = [header, "", f"  {'Latency':<10}{'corrected':>13}{'uncorrected':>13}"]
    for key, label in _ROWS:
        lines.append(
            f"  {label:>10}{format_ms(columns['corrected'][key]):>13}"
            f"{format_ms(columns['uncorrected'][key]):>13}"
        )
    sent_share = arrivals.sent_fraction * 100
    statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(result.statuses.items()))
    errors = ", ".join(f"{kind}: {n:,}" for kind, n in sorted(result.errors.items()))
    busiest = max((s.busiest_percent for s in result.cpu), default=0.0)
    lines += [
        "",
        f"  Arrivals  {arrivals.intended:,} intended, {arrivals.sent:,} sent ({sent_share:.1f}%), "
        f"{arrivals.missed:,} missed (sent over {arrivals.tolerance * 1000:g} ms late, or never)",
        f"  Generator {result.late_wakeups:,} of those missed while a connection was free "
        "(the generator's own delay)",
        f"  Rate      {result.achieved_rate:,.1f} req/s achieved of {config.rate:g} intended; "
        f"{result.completed:,} responses in {result.elapsed:.2f} s",
        f"  Status    {statuses or 'no responses'}",
        f"  Errors    {errors or 'none'}",
        f"  CPU       busiest generator process peaked at {busiest:.0f}% of a core; "
        f"at or above 90% in {saturation(result.cpu) * 100:.0f}% of {len(result.cpu)} samples",
        f"  Verdict   {'valid' if result.validity.valid else 'INVALID'}",
    ]
    lines += [f"            - {reason}" for reason in result.validity.reasons]
    return "\n".join(lines)


async def _probe_until_interrupted(config: ProbeConfig) -> ProbeResult:
    """Run the probe; Ctrl-C stops the load and still returns what was measured."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, stop.set)
    except (NotImplementedError, RuntimeError, ValueError):
        return await run_probe(config, stop=stop)  # not the main thread: no Ctrl-C handling
    try:
        return await run_probe(config, stop=stop)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


@click.command(name="probe")
@click.argument("url")
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    help="Intended requests per second, sent on schedule whatever the target does.",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    required=True,
    help="Seconds over which arrivals are scheduled.",
)
@click.option(
    "--connections",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Most requests in flight at once (keep-alive connections).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds before a request counts as an error.",
)
@click.option("--method", default="GET", show_default=True, help="HTTP method of every request.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (with the histograms) instead of a table."
)
def probe(
    url: str,
    rate: float,
    duration: float,
    connections: int,
    timeout: float,
    method: str,
    as_json: bool,
) -> None:
    """Probe one endpoint at a constant rate, with latency corrected for stalls.

    Requests are scheduled 1/RATE apart like wrk2's; latency is measured both
    from each request's intended time (corrected: a stall shows) and from its
    actual send (uncorrected). Ctrl-C stops early, prints what was measured and
    exits 130. Exits 2 when the run is invalid (too few arrivals sent, generator CPU
    saturated, too few requests).

    \b
    Example:
      stampede probe http://127.0.0.1:8000/healthz --rate 200 --duration 10
      stampede probe http://127.0.0.1:8000/healthz --rate 1000 --duration 30 --json
    """
    config = ProbeConfig(
        url=url,
        rate=rate,
        duration=duration,
        connections=connections,
        timeout=timeout,
        method=method.upper(),
    )
    result = asyncio.run(_probe_until_interrupted(config))
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render_table(result))
    if result.interrupted:
        sys.exit(Exit.INTERRUPTED)
    if not result.validity.valid:
        raise InvalidRunError(
            "the probe's measurements cannot be trusted: " + "; ".join(result.validity.reasons)
        )
