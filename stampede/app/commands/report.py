"""``stampede report``: (re)write a run directory's self-contained ``report.html``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the page (default: RUN_DIR/report.html).",
)
def report(run_dir: Path, out: Path | None) -> None:
    """Write the HTML report of RUN_DIR: the verdict (Ready, Not ready, Inconclusive), key
    numbers, the SLO scorecard, charts and an engineer's drill-down, in one file that opens
    offline. A capacity plan in RUN_DIR/capacity/ adds a capacity and cost section.

    \b
    Example:
      stampede report runs/20251128T090000Z-flash-sale
      stampede report runs/latest --out /tmp/flash-sale.html
    """
    from stampede.reports._report import report_run

    path, verdict = report_run(run_dir, out)
    click.echo(verdict.sentence)
    click.echo(f"Report: {path}")
