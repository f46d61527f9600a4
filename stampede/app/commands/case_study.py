"""``stampede case-study``: legacy and modern side by side, the case study's dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stampede.app.commands.run import terminate_as_interrupt
from stampede.core.exits import Exit


@click.command("case-study")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("case-study"),
    show_default=True,
    help="Directory for case-study.html, .md and .json and the runs (created if needed).",
)
@click.option(
    "--scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.002,
    show_default=True,
    help="Users times this: 0.002 is 240 shoppers at the sale's peak.",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.1,
    show_default=True,
    help="Durations of the flash sale times this: 0.1 is a 96 s sale.",
)
@click.option(
    "--probe-time-scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Durations of the capacity probe times this [default: --time-scale].",
)
@click.option(
    "--backend",
    type=click.Choice(["sqlite", "postgres"]),
    default="sqlite",
    show_default=True,
    help="The embedded store's databases: SQLite files, or PostgreSQL and Redis.",
)
@click.option(
    "--database-url",
    envvar="STAMPEDE_DATABASE_URL",
    default=None,
    help="PostgreSQL for --backend postgres (env STAMPEDE_DATABASE_URL).",
)
@click.option(
    "--redis-url",
    envvar="STAMPEDE_REDIS_URL",
    default=None,
    help="Redis for --backend postgres (env STAMPEDE_REDIS_URL).",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the traffic.")
def case_study(
    out_dir: Path,
    scale: float,
    time_scale: float,
    probe_time_scale: float | None,
    backend: str,
    database_url: str | None,
    redis_url: str | None,
    seed: int,
) -> None:
    """Reproduce the case study's before/after dashboard on this machine: the same flash
    sale against the legacy monolith and the modern services (each with one injected
    payment outage), a short capacity probe and plan of each, then case-study.html,
    case-study.md and case-study.json in --out. About 8 minutes at the defaults.

    \b
    Example:
      stampede case-study
      stampede case-study --out study --scale 0.005 --time-scale 0.25
      stampede case-study --backend postgres --database-url postgresql://postgres@127.0.0.1/shop \\
          --redis-url redis://127.0.0.1:6379/0
    """  # fmt: skip
    from stampede.app.case_study import CaseStudyRequest, Interrupted, run_case_study

    request = CaseStudyRequest(
        out_dir=out_dir,
        scale=scale,
        time_scale=time_scale,
        probe_time_scale=probe_time_scale or time_scale,
        backend=backend,
        database_url=database_url,
        redis_url=redis_url,
        seed=seed,
    )
    with terminate_as_interrupt() as terminated:
        try:
            paths, invalid = run_case_study(request, lambda line: click.echo(line, err=True))
        except Interrupted as stopped:
            click.echo(f"Case study stopped; what was measured is in {stopped.run_dir}", err=True)
            sys.exit(Exit.TERMINATED if terminated else Exit.INTERRUPTED)
    for label, path in zip(("Dashboard", "Markdown", "JSON"), paths[::-1], strict=True):
        click.echo(f"{label + ':':<10} {path}")
    if invalid:
        click.echo("INVALID runs, not to be trusted: " + " | ".join(invalid))
        sys.exit(Exit.UNTRUSTED)
