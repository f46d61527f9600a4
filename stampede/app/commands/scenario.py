"""``stampede scenario``: make scenarios, e.g. ``from-har``, a browser recording to users."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import click

from stampede.core.errors import ConfigError


@click.group()
def scenario() -> None:
    """Make scenarios for your own store.

    \b
    Example:
      stampede scenario from-har checkout.har --out users.py --target-out shop.target.yaml
    """


def _writable(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists; pass --force to replace it, or another --out")


def format_python(path: Path) -> str:
    """Format ``path`` with ruff when it is installed (as ``har2locust`` does); what was done."""
    beside = Path(sys.executable).with_name("ruff")
    ruff = shutil.which("ruff") or (str(beside) if beside.is_file() else None)
    if ruff is None:
        return "; not formatted: ruff is not installed"
    done = subprocess.run([ruff, "format", "--quiet", str(path)], capture_output=True, check=False)
    return ", formatted with ruff" if done.returncode == 0 else "; ruff could not format it"


@scenario.command("from-har")
@click.argument("har", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The locustfile to write (default: HAR's name with .py, in the current directory).",
)
@click.option(
    "--target-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The target description to write (default: next to --out, NAME.target.yaml).",
)
@click.option("--class-name", help="The user class's name (default: from HAR's file name).")
@click.option("--force", is_flag=True, help="Replace files that exist.")
def from_har(
    har: Path, out: Path | None, target_out: Path | None, class_name: str | None, force: bool
) -> None:
    """Turn HAR, a browser recording (the network panel's "Save all as HAR"), into a
    locustfile of one StampedeUser class replaying it and a matching target description
    (groups from the paths, ids folded to [id]). Static assets, preflights and other
    origins are left out. Exits 3 on a file that is not a HAR or records nothing to replay.

    \b
    Example:
      stampede scenario from-har checkout.har
      stampede run shop.yaml --locustfile checkout.py --target checkout.target.yaml \\
          --host https://staging.example.com
    """
    from stampede.app.har import read_har
    from stampede.app.har_scenario import class_name as name_of
    from stampede.app.har_scenario import description_text, locustfile_text

    recording = read_har(har)
    out = out or Path(f"{har.stem}.py")
    target_out = target_out or out.with_name(f"{out.stem}.target.yaml")
    cls = class_name or name_of(har.stem)
    if not cls.isidentifier():
        raise ConfigError(f"--class-name {cls!r}: not a Python class name")
    code = locustfile_text(recording, har.name, cls)
    host = recording.origin.split("://", 1)[1].split(":")[0].split(".")[0]
    description = description_text(recording, har.name, host if host[:1].isalpha() else "store")
    for path in (out, target_out):
        _writable(path, force)
    out.write_text(code, encoding="utf-8")
    formatted = format_python(out)
    target_out.write_text(description, encoding="utf-8")
    click.echo(f"Users: {out} (class {cls}, {len(recording.requests)} requests{formatted})")
    click.echo(f"Target description: {target_out}")
    click.echo(
        f"Next: a profile with mix: {{{cls}: 1.0}}, then stampede run PROFILE --locustfile "
        f"{out} --target {target_out} --host {recording.origin}"
    )
