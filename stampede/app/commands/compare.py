"""``stampede compare``: runs side by side (Metric | Before | After | Change), HTML and Markdown."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory for compare.html and compare.md (created if needed).",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 10),
    default=0.10,
    show_default=True,
    help="A change for the worse beyond this fraction is highlighted as a regression.",
)
def compare(runs: tuple[Path, ...], out_dir: Path, tolerance: float) -> None:
    """Compare RUNS (two or more run directories, oldest first): latency percentiles,
    throughput, error rate, conversion, sold-out time and, when planned, replicas and
    cost, with overlaid charts. Writes compare.html and compare.md into --out
    (default: the current directory).

    \b
    Example:
      stampede compare runs/before runs/after
      stampede compare runs/a runs/b runs/c --out reports/ --tolerance 0.05
    """
    if len(runs) < 2:
        raise click.UsageError("compare needs at least two run directories, oldest first")
    from stampede.reports._compare import compare_runs

    found = compare_runs(list(runs), out_dir, tolerance)
    click.echo(found.verdict)
    click.echo(f"Comparison: {found.html}")
    click.echo(f"Markdown:   {found.markdown}")
