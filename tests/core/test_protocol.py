"""What ``stampede run`` and its Locust child agree on: the command line, the resolved profile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stampede.core import protocol
from stampede.core.errors import ConfigError
from stampede.core.protocol import ChildArgs
from stampede.core.rundir import RunDir
from stampede.profiles import Schedule, available_profiles, load_profile

ROOT = Path(__file__).resolve().parents[2]


def _args(tmp_path: Path, **changes: object) -> ChildArgs:
    base: dict[str, object] = {
        "locustfile": str(ROOT / "locustfile.py"),
        "traffic": tmp_path / protocol.PROFILE_FILE,
        "host": "http://127.0.0.1:8000",
        "run_dir": tmp_path,
        "shoppers": 10_000,
    }
    return ChildArgs(**{**base, **changes})  # type: ignore[arg-type]


def _flag(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_the_child_is_handed_the_resolved_profile_and_never_a_scale(tmp_path: Path) -> None:
    argv = _args(tmp_path).argv()
    assert argv[:6] == [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "locustfile.py"),
        "--headless",
    ]
    assert _flag(argv, "--traffic") == str(tmp_path / "profile.yaml")
    assert "--scale" not in argv and "--time-scale" not in argv
    assert _flag(argv, "--stampede-out") == str(tmp_path)
    assert _flag(argv, "--csv") == str(tmp_path / "locust")
    assert "--processes" not in argv and "--stampede-seed" not in argv


def test_forked_workers_and_a_seed(tmp_path: Path) -> None:
    argv = _args(tmp_path, processes=3, master_port=40123, seed=7).argv()
    assert _flag(argv, "--processes") == "3"
    assert _flag(argv, "--master-bind-port") == _flag(argv, "--master-port") == "40123"
    assert _flag(argv, "--stampede-seed") == "7"
    with pytest.raises(ValueError, match="master_port"):
        _args(tmp_path, processes=3).argv()


@pytest.mark.parametrize("name", available_profiles())
@pytest.mark.parametrize(("scale", "time_scale"), [(None, None), (0.013, 0.07), (0.5, 1.0)])
def test_the_child_runs_the_schedule_the_parent_resolved(
    tmp_path: Path, name: str, scale: float | None, time_scale: float | None
) -> None:
    parent = load_profile(name).scaled(scale, time_scale)
    handed = RunDir(tmp_path).write_profile(parent)
    # what the child does with `--traffic RUN_DIR/profile.yaml` and no --scale
    child = load_profile(str(handed)).scaled(None, None)
    assert child == parent
    assert Schedule.from_profile(child) == Schedule.from_profile(parent)
    assert (child.applied_scale, child.applied_time_scale) == (
        parent.applied_scale,
        parent.applied_time_scale,
    )
    assert RunDir(tmp_path).profile(load_profile) == parent


def test_a_run_without_its_profile_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no profile\.yaml; the run did not finish"):
        RunDir(tmp_path).profile(load_profile)


PARSE = """
import json, sys
from locust import argument_parser
import stampede.locustfile  # registers Stampede's options
options = argument_parser.get_parser().parse_args(sys.argv[1:])
print(json.dumps({k: str(v) for k, v in vars(options).items()}))
"""


def test_the_plugin_parses_the_command_line_the_runner_builds(tmp_path: Path) -> None:
    """Locust's own parser with Stampede's options, in a child: the names match."""
    argv = _args(tmp_path, processes=2, master_port=40123, seed=7).argv()
    found = subprocess.run(
        [sys.executable, "-c", PARSE, *argv[3:]],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert found.returncode == 0, found.stderr[-2000:]
    options = json.loads(found.stdout.strip().splitlines()[-1])
    assert options["traffic"] == str(tmp_path / "profile.yaml")
    assert options["stampede_out"] == str(tmp_path)
    assert options["scale"] == "None" and options["time_scale"] == "None"
    assert options["shoppers"] == "10000" and options["stampede_seed"] == "7"
    assert options["on_worker_loss"] == "continue" and options["processes"] == "2"
