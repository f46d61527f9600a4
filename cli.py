"""The ``stampede`` command.

Each subcommand lives in its own module under ``stampede/commands/`` and is
imported only when it is called, so ``stampede store`` does not pay for pandas
and ``stampede report`` does not pay for the store.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import traceback

import click

from stampede.core.errors import StampedeError
from stampede.core.exits import HELP, Exit
from stampede.core.extras import extra_of, missing_extra_error
from stampede.core.version import DISTRIBUTION

#: subcommand name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "store": "stampede.app.commands.store:store",
    "probe": "stampede.app.commands.probe:probe",
    "run": "stampede.app.commands.run:run",
    "report": "stampede.app.commands.report:report",
    "gate": "stampede.app.commands.gate:gate",
    "compare": "stampede.app.commands.compare:compare",
    "plan": "stampede.app.commands.plan:plan",
    "verify": "stampede.app.commands.verify:verify",
    "fleet": "stampede.app.commands.fleet:fleet",
    "case-study": "stampede.app.commands.case_study:case_study",
    "scenario": "stampede.app.commands.scenario:scenario",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            module_name, attr = self._lazy[cmd_name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                extra = extra_of(exc.name)
                if extra is None:
                    raise
                raise missing_extra_error(f"stampede {cmd_name}", extra, str(exc.name)) from exc
            command = getattr(module, attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    epilog=HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name=DISTRIBUTION)
def stampede() -> None:
    """Load testing and capacity planning for flash sales.

    \b
    Example:
      stampede run flash-sale        # a flash sale against the embedded store, with a report
      stampede store                 # the reference store on 127.0.0.1:8000
      stampede probe http://127.0.0.1:8000/healthz --rate 200 --duration 10
    """


def _help_hint(exc: click.ClickException) -> str:
    """Where the usage is explained: one line, instead of click's usage block."""
    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    return "" if ctx is None else f" (see '{ctx.command_path} --help')"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user mistakes end in one line and an exit code of the one scheme
    (:mod:`stampede.core.exits`)."""
    try:
        # a command that ends with ctx.exit(code) returns its code here
        code = stampede.main(args=argv, prog_name="stampede", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return Exit.INTERRUPTED
    except click.ClickException as exc:
        # click's codes (2 for a usage error, 1 for a file it cannot open) mean "cannot
        # be trusted" and "breached" here: every mistake click catches is an input error
        click.echo(f"Error: {exc.format_message()}{_help_hint(exc)}", err=True)
        return Exit.USAGE
    except StampedeError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return Exit.INTERRUPTED
    except Exception as exc:  # a bug: one line, the traceback in a file, its own code
        click.echo(_crash_line(exc), err=True)
        return Exit.CRASHED
    return code if isinstance(code, int) else Exit.OK


def _crash_line(exc: Exception) -> str:
    """One line for an internal error, with the traceback kept in a file it names."""
    with tempfile.NamedTemporaryFile(
        "w", prefix="stampede-crash-", suffix=".txt", delete=False
    ) as saved:
        saved.write("".join(traceback.format_exception(exc)))
    return (
        f"Internal error in stampede (a bug, not your input): {type(exc).__name__}: {exc}"
        f" — the traceback is in {saved.name}; please report it"
    )


if __name__ == "__main__":
    sys.exit(main())
