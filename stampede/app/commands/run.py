"""``stampede run``: a flash-sale load test, from profile to report."""

from __future__ import annotations

import contextlib
import shlex
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import click

from stampede.app.run_finish import RunResult
from stampede.app.run_summary import RunVerdict, judge_result, summary_lines
from stampede.app.runner import RunRequest, execute
from stampede.core.exits import Exit
from stampede.store.dialects import mask_url

#: options whose value is a secret, recorded as ``***``
SECRET_OPTIONS = frozenset({"--admin-token"})


@click.command()
@click.argument("profile")
@click.option(
    "--host",
    default=None,
    metavar="URL",
    help="Target to load (your staging host). Default: start the embedded store.",
)
@click.option(
    "--scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Users and arrival rates times this (default: the profile's own).",
)
@click.option(
    "--time-scale",
    type=click.FloatRange(0, 1, min_open=True),
    default=None,
    help="Durations times this (default: the profile's own).",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Locust worker processes on this machine.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run directory (default: runs/<time>-<profile>).",
)
@click.option(
    "--admin-token",
    envvar="STAMPEDE_ADMIN_TOKEN",
    default=None,
    help="The target store's admin token, to fetch its audit (env STAMPEDE_ADMIN_TOKEN).",
)
@click.option(
    "--store-workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes of the embedded store.",
)
@click.option(
    "--isolation/--no-isolation",
    default=None,
    help="Pin the embedded store and the generator to separate CPU cores (when there are "
    "2 or more), or let them share. Default: the profile's isolation (pinned for "
    "capacity-probe, shared for a sale rehearsal); a plan of a run that shared them marks "
    "the store's figures.",
)
@click.option(
    "--store-arg",
    "store_args",
    multiple=True,
    metavar="FLAG",
    help="Extra flag for the embedded store, e.g. --store-arg=--flash-stock=500.",
)
@click.option(
    "--chaos",
    multiple=True,
    metavar="SPEC",
    help="Break the embedded store during the run (repeatable): kill-worker@sale+30s, "
    "redis-restart@60s, payment-outage@sale+10s:30s, db-latency@sale:200ms:60s, "
    "db-restart@sale+5s (PostgreSQL), broker-restart@sale+10s, broker-outage@sale:15s. Times "
    "are run time, after --time-scale.",
)
@click.option(
    "--queue",
    envvar="STAMPEDE_QUEUE_URL",
    default=None,
    metavar="URL",
    help="amqp://user:password@host:port/ (env STAMPEDE_QUEUE_URL): the embedded store's order "
    "events go through this RabbitMQ (queue.json samples it each second). --chaos broker-* "
    "start a private one instead.",
)
@click.option(
    "--on-worker-loss",
    type=click.Choice(["continue", "stop"]),
    default="continue",
    show_default=True,
    help="When a Locust worker process disappears: go on with the rest, or stop the run.",
)
@click.option(
    "--locustfile",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Your own users: a locustfile of StampedeUser classes, named in the profile's mix.",
)
@click.option(
    "--target",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Target description YAML: endpoint groups, services, outcomes, health, audit "
    "(default: the profile's target:, else the reference store's).",
)
@click.option("--seed", type=int, default=None, help="Seed for reproducible traffic.")
@click.option("--no-report", is_flag=True, help="Skip the HTML report.")
@click.option(
    "--no-gate",
    is_flag=True,
    help="Exit 0 for a valid run even when it missed the profile's objectives (without it, "
    "a run whose profile has objectives exits as `stampede gate` would: 1 when one is "
    "missed, 2 when the run cannot be trusted).",
)
def run(profile: str, no_report: bool, no_gate: bool, **options: Any) -> None:
    """Run a traffic PROFILE (flash-sale, black-friday, steady, smoke, capacity-probe or a
    .yaml file) and write a run directory with a report. The verdict comes first (Ready,
    Not ready or Inconclusive, with where an objective was missed); when the profile has
    objectives the exit code is the gate's (0 met, 1 missed, 2 cannot be trusted) unless
    --no-gate. Ctrl-C exits 130, SIGTERM 143, a dead or unreachable target 4.

    \b
    Example:
      stampede run flash-sale                       # embedded store, default scales
      stampede run smoke --host http://staging:8000 --admin-token $TOKEN
      stampede run flash-sale --scale 0.01 --processes 2
      stampede run flash-sale --chaos kill-worker@sale+30s --chaos payment-outage@sale+10s:30s
      stampede run shop.yaml --locustfile shop.py --target shop.target.yaml --host URL
    """
    # every other option is a field of RunRequest, by the same name
    request = RunRequest(
        profile=profile,
        report=not no_report,
        command=recorded_command(sys.argv[1:]),
        **options,
    )
    with terminate_as_interrupt() as terminated:
        result = execute(request, lambda line: click.echo(line, err=True))
    verdict = judge_result(result)
    for line in [verdict.line, *summary_lines(result)]:
        click.echo(line)
    sys.exit(
        _exit_code(
            result,
            verdict,
            bool(terminated),
            stop_on_loss=request.on_worker_loss == "stop",
            gate=not no_gate,
        )
    )


def _exit_code(
    result: RunResult, verdict: RunVerdict, terminated: bool, *, stop_on_loss: bool, gate: bool
) -> int:
    """The run's exit code, most serious first: the target, the run's end, the gate."""
    measured = result.record.measured
    if result.target_lost:
        return Exit.UNREACHABLE
    if measured.worker_losses and stop_on_loss:
        return Exit.UNTRUSTED
    if result.interrupted:
        return Exit.TERMINATED if terminated else Exit.INTERRUPTED
    if verdict.gated and gate:
        return verdict.exit_code
    return Exit.OK if measured.validity.valid else Exit.UNTRUSTED


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[list[int]]:
    """SIGTERM (``docker stop``, a cancelled CI job) stops the run as Ctrl-C does,
    keeping what was measured; the list says whether it came."""
    received: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


def _masked(arg: str) -> str:
    """``arg`` with a URL's password masked, also as an option's ``=value``
    (``--database-url=…``, ``--store-arg=--database-url=…``)."""
    try:
        masked = mask_url(arg)
    except ValueError:  # not a URL (an unbalanced "[" ...)
        masked = arg
    if masked != arg or "=" not in arg:
        return masked
    name, _, value = arg.partition("=")
    return f"{name}=***" if name in SECRET_OPTIONS else f"{name}={_masked(value)}"


def recorded_command(args: Sequence[str]) -> str:
    """The command line as run.json and the report keep it: a password in a URL
    (``--database-url``, ``--queue``) and the admin token are ``***``; a secret belongs in
    the environment (``STAMPEDE_DATABASE_URL``, ``STAMPEDE_ADMIN_TOKEN``), not in a file."""
    words = ["stampede"]
    secret_next = False
    for arg in args:
        words.append("***" if secret_next else _masked(arg))
        secret_next = arg in SECRET_OPTIONS
    return shlex.join(words)
