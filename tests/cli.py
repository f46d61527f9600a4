"""``stampede`` in the test process, through click's ``CliRunner``, as a user would run it.

:func:`run_cli` calls :func:`stampede.cli.main` (the console script's entry point, with its
one-line errors and exit codes) inside ``CliRunner.isolation()``, and answers with the
``returncode``, ``stdout`` and ``stderr`` a child process would have given, in a fraction
of the time. Tests that need a process of its own (signals, a store or Locust running,
a clean interpreter) use tests/run/helpers.py instead.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from stampede.cli import main


@dataclass(frozen=True)
class CliResult:
    """What ``stampede ARGS`` did: named as in ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def _code(exit: SystemExit) -> int:
    if exit.code is None:
        return 0
    return exit.code if isinstance(exit.code, int) else 1


def run_cli(
    *args: str,
    env: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
) -> CliResult:
    """Run ``stampede ARGS`` in this process, with ``env`` set and in ``cwd`` for its
    duration (``timeout`` is accepted for the child-process helpers' signature, unused)."""
    runner = CliRunner()
    where = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with where, runner.isolation(env=env) as (out, err, _):
        try:
            code = main(list(args))
        except SystemExit as exit:
            code = _code(exit)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue(), err.getvalue()
    return CliResult(code, stdout.decode(errors="replace"), stderr.decode(errors="replace"))
