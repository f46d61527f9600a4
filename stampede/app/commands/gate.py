"""``stampede gate``: judge a run for CI by its SLOs (and a baseline); exit 0, 1, 2 or 3."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command()
@click.argument("run_dir", type=_DIR)
@click.option(
    "--slo",
    "slo_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML file of objectives in the profiles' slos: format (default: the run's profile).",
)
@click.option("--baseline", type=_DIR, default=None, help="A run to test for a p95 regression.")
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 10),
    default=0.10,
    show_default=True,
    help="Allowed p95 slowdown against the baseline, as a fraction.",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
    help="Significance level of the regression test (one-sided Mann-Whitney U).",
)
@click.option(
    "--min-intervals",
    type=click.IntRange(3, None),
    default=10,
    show_default=True,
    help="Fewest per-interval p95s each run needs for the regression test.",
)
@click.option(
    "--max-recovery",
    default=None,
    metavar="DURATION",
    help="Fail (exit 1) when a --chaos fault took longer than this to recover from, e.g. 30s "
    "(the objectives' recovery, or the store's own calls to a restarted dependency).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse (exit 3) a --baseline run with another profile, scale or time scale "
    "(without it, a warning).",
)
@click.option(
    "--junit",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JUnit XML output (default: RUN_DIR/gate-junit.xml).",
)
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Markdown summary (default: RUN_DIR/gate-summary.md); also appended to "
    "$GITHUB_STEP_SUMMARY when set.",
)
def gate(
    run_dir: Path,
    slo_file: Path | None,
    baseline: Path | None,
    tolerance: float,
    alpha: float,
    min_intervals: int,
    max_recovery: str | None,
    strict: bool,
    junit: Path | None,
    markdown: Path | None,
) -> None:
    """Judge RUN_DIR by its objectives for CI: exit 0 when every SLO is met, 1 when one is
    breached (or p95 regressed against --baseline), 2 when the run cannot be trusted
    (invalid, interrupted, audit failed, too few samples), 3 on a usage error.

    \b
    Example:
      stampede gate runs/20251128T090000Z-smoke
      stampede gate runs/new --slo slos.yaml --baseline runs/main --tolerance 0.10
      stampede gate runs/new --baseline runs/main --strict   # refuse another scale
    """
    from stampede.core.rundir import write_text
    from stampede.reports import junit_xml, load_run, load_slos, run_gate, summary_markdown

    max_recovery_s = _duration(max_recovery, "--max-recovery")
    data = load_run(run_dir)
    slos = load_slos(slo_file) if slo_file is not None else data.slos
    before = load_run(baseline) if baseline is not None else None
    if before is not None:
        _check_baseline(data, before, strict)
    result = run_gate(
        data,
        slos,
        before,
        tolerance=tolerance,
        alpha=alpha,
        min_intervals=min_intervals,
        max_recovery_s=max_recovery_s,
    )
    text = summary_markdown(result)
    write_text(junit or data.path / "gate-junit.xml", junit_xml(result))
    write_text(markdown or data.path / "gate-summary.md", text)
    _append_step_summary(os.environ, text)
    click.echo(result.headline)
    for case in result.cases:
        click.echo(f"{case.status.upper():8} {case.name}: {case.message}")
    sys.exit(result.exit_code)


def _duration(text: str | None, flag: str) -> float | None:
    from stampede.profiles import parse_duration

    if text is None:
        return None
    try:
        seconds = parse_duration(text)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise click.UsageError(f"{flag} is {text!r}; expected a duration such as 30s, 2m or 500ms")
    return seconds


def _check_baseline(data: Any, baseline: Any, strict: bool) -> None:
    from stampede.core.errors import ConfigError
    from stampede.reports import baseline_differences

    differences = baseline_differences(data, baseline)
    if not differences:
        return
    what = "; ".join(differences)
    if strict:
        raise ConfigError(
            f"--baseline {baseline.path} was run differently ({what}); with --strict the "
            "baseline must be the same profile at the same scale and time scale"
        )
    click.echo(
        f"warning: --baseline {baseline.path} was run differently ({what}); its p95s may not "
        "be comparable (--strict refuses such a baseline)",
        err=True,
    )


def _append_step_summary(environ: Any, text: str) -> None:
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        click.echo(f"warning: cannot append to $GITHUB_STEP_SUMMARY ({target}): {exc}", err=True)
