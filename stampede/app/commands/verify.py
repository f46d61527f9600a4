"""``stampede verify``: confirm a capacity plan on one replica (also ``stampede plan --verify``)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from stampede.core.errors import ConfigError
from stampede.core.exits import Exit

HOLD_HELP = (
    "How long each confirmation plateau is held, e.g. 8s (2 s to 10 min; a fifth of it, "
    "at least 1 s, is warm-up)."
)


def parse_hold(text: str) -> float:
    """Seconds in a plateau length written ``8s`` or ``1m``; one line naming it otherwise."""
    from stampede.profiles import parse_duration

    try:
        return parse_duration(text)
    except ValueError:
        raise ConfigError(
            f"--verify-hold {text!r} is not a length of time; write it with a unit, "
            "e.g. --verify-hold 8s (2 s to 10 min)"
        ) from None


def run_verify(run_dir: Path, hold: str, host: str | None, seed: int | None) -> None:
    """Confirm the plan in RUN_DIR/capacity, print the verdict first, exit by the scheme."""
    from stampede.app.commands.run import terminate_as_interrupt
    from stampede.app.verify import VerifyRequest, verify_plan

    request = VerifyRequest(
        run_dir=run_dir,
        hold_s=parse_hold(hold),
        host=host,
        seed=seed,
        command=shlex.join(["stampede", *sys.argv[1:]]),
    )
    with terminate_as_interrupt() as terminated:
        outcome = verify_plan(request, lambda line: click.echo(line, err=True))
    for line in outcome.lines():
        click.echo(line)
    if outcome.target_lost:
        sys.exit(Exit.UNREACHABLE)
    if outcome.interrupted:
        sys.exit(Exit.TERMINATED if terminated else Exit.INTERRUPTED)
    sys.exit(outcome.exit)


@click.command()
@click.argument("capacity_dir", type=click.Path(path_type=Path))
@click.option("--verify-hold", "hold", default="8s", show_default=True, help=HOLD_HELP)
@click.option(
    "--host",
    default=None,
    metavar="URL",
    help="One replica to confirm on (default: the probe's host, or the embedded store).",
)
@click.option("--seed", type=int, default=None, help="Seed of the arrivals, for a repeatable run.")
def verify(capacity_dir: Path, hold: str, host: str | None, seed: int | None) -> None:
    """Confirm the plan in CAPACITY_DIR (RUN/capacity, or the RUN directory itself) on one
    replica: open-model Poisson plateaus at each service's operating point (safe rate ×
    target utilisation) and at 1.25 × its safe rate, predicted p95 against measured p95.

    \b
    Example:
      stampede verify runs/probe/capacity
      stampede verify runs/probe --verify-hold 15s

    Exits 0 when the plan held, 1 when it did not, 2 when the confirmation run cannot be
    trusted, 3 on a bad option or a run without a plan, 4 when the target is unreachable.
    """
    run_dir = capacity_dir.parent if capacity_dir.name == "capacity" else capacity_dir
    run_verify(run_dir, hold, host, seed)
