"""The `stampede` command: user mistakes end in one line and a non-zero exit code."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stampede.cli import COMMANDS, stampede
from tests.cli import run_cli
from tests.run.helpers import RUN_CLI

RUN = [sys.executable, "-c", RUN_CLI]


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(stampede, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"stampede {command}" in result.output


def test_the_store_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(
            "store", "--port", str(port), "--data-dir", str(tmp_path / "d"), "--users", "1"
        )
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_store_refuses_an_unwritable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run_cli("store", "--data-dir", str(blocker / "data"))
    assert result.returncode == 3
    assert f"data directory {blocker / 'data'} is not writable" in result.stderr
    assert "--data-dir" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["store", "--workers", "0"], "--workers"),
        (["store", "--inventory-strategy", "magic"], "magic"),
        (["store", "--kdf-n", "1000"], "power of two"),
        (["store", "--flash-sku", "a b/../c"], "--flash-sku is 'a b/../c'; expected 1 to 64"),
        (["store", "--flash-stock", str(10**10)], "--flash-stock is 10000000000"),
        (["nope"], "No such command"),
        (["run", "smoke", "--scale", "2"], "--scale"),
        (["run", "smoke", "--time-scale", "0"], "--time-scale"),
        (["run"], "Missing argument 'PROFILE'"),
        (["plan", "runs/x", "--target-users", "120k"], "--target-users"),
        (["compare", "runs/one"], "at least two run directories"),
        (["gate", "--tolerance", "x", "."], "--tolerance"),
        (["report"], "Missing argument 'RUN_DIR'"),
    ],
)
def test_bad_flags_are_usage_errors_exit_3_in_one_line(args: list[str], words: str) -> None:
    """click's own usage errors exit 3, never 2 (which means "the run cannot be trusted")."""
    result = run_cli(*args)
    assert result.returncode == 3, result.stderr
    assert words in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "--help" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_documents_the_one_exit_code_scheme() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for code, meaning in [
        ("0", "ok"),
        ("1", "objective was breached"),
        ("2", "cannot be trusted"),
        ("3", "usage or input error"),
        ("4", "cannot be reached"),
        ("130", "Ctrl-C"),
    ]:
        assert any(
            line.strip().startswith(code) and meaning in line for line in result.stdout.splitlines()
        ), (code, result.stdout)
    assert "143 stopped by SIGTERM" in result.stdout


def test_an_internal_error_exits_70_in_one_line_with_the_traceback_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import stampede.cli as cli

    def crash(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the planner divided by zero")

    monkeypatch.setattr(cli.stampede, "main", crash)
    result = run_cli("report", "runs/x")
    assert result.returncode == 70
    [line] = result.stderr.strip().splitlines()
    assert "Internal error in stampede" in line
    assert "RuntimeError: the planner divided by zero" in line
    saved = Path(line.split("the traceback is in ")[1].split(";")[0])
    try:
        text = saved.read_text()
        assert "Traceback" in text and "def crash" not in line and "crash" in text
    finally:
        saved.unlink()


def test_every_exit_code_is_in_the_help_and_the_readme() -> None:
    from stampede.core.exits import HELP, Exit

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    help_codes = {
        int(w) for line in HELP.splitlines() for w in line.replace(";", " ").split() if w.isdigit()
    }
    table = [line for line in readme.splitlines() if line.startswith("| ")]
    readme_codes = {
        int(w)
        for line in table
        for w in line.split("|")[1].replace("/", " ").split()
        if w.isdigit()
    }
    assert {int(code) for code in Exit} <= help_codes
    assert {int(code) for code in Exit} <= readme_codes


def test_the_package_links_to_the_top_level_files_instead_of_copying_them() -> None:
    package = Path(__file__).resolve().parents[1] / "stampede"
    for name in (
        "cli.py",
        "locustfile.py",
        "capacity",
        "profiles",
        "reports",
        "scenarios",
        "store",
    ):
        assert (package / name).is_symlink(), f"stampede/{name} must stay a link to ../{name}"
