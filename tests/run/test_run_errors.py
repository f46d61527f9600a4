"""`stampede run` refuses bad input in one line, before any load, and keeps what it measured."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import run_cli as stampede
from tests.run.helpers import RUN_CLI


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["run", "flash-sael"], 3, "unknown profile 'flash-sael'; did you mean flash-sale?"),
        (["run", "smoke", "--host", "ftp://example.test"], 3, "--host 'ftp://example.test'"),
        (["run", "smoke", "--host", "localhost:8000"], 3, "expected http:// or https://"),
        (["run", "smoke", "--host", "http://127.0.0.1:1"], 4, "cannot reach http://127.0.0.1:1"),
        (["run", "smoke", "--scale", "2"], 3, "--scale"),
        (["run", "smoke", "--processes", "0"], 3, "--processes"),
        (["run"], 3, "Missing argument 'PROFILE'"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], code: int, words: str) -> None:
    result = stampede(*args, cwd=tmp_path, timeout=60)
    assert result.returncode == code, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    if code in (3, 4):
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "runs").exists() or code == 4


def test_a_bad_profile_file_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ndescription: x\nstages:\n  - {duration: -5s, users: 3}\n"
        "mix: {browser: 1.0}\nthink_times: {browser: {min: 1s, max: 2s}}\n"
    )
    result = stampede("run", str(bad), cwd=tmp_path, timeout=60)
    assert result.returncode == 3
    assert "stages[0].duration" in result.stderr and "-5s" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unwritable_output_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = stampede("run", "smoke", "--out", str(blocker / "run"), cwd=tmp_path, timeout=60)
    assert result.returncode == 3, result.stderr
    assert str(blocker / "run") in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("stop", "code"),
    [
        # what a terminal does on Ctrl-C: SIGINT to the whole foreground group
        (lambda pid: os.killpg(pid, signal.SIGINT), 130),
        # what docker stop or a cancelled CI job does: SIGTERM to the process
        (lambda pid: os.kill(pid, signal.SIGTERM), 143),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_ctrl_c_stops_cleanly_and_keeps_what_was_measured(
    tmp_path: Path, stop: Callable[[int], None], code: int
) -> None:
    out = tmp_path / "run"
    child = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "run", "smoke", "--out", str(out), "--no-report"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stderr is not None
    for line in child.stderr:  # wait until load is flowing: the first progress line
        if line.startswith("[") and "users" in line:
            break
    stop(child.pid)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == code, stderr[-2000:]
    # one story: the console, run.json, the gate
    lines = stdout.splitlines()
    assert lines[0].startswith("Inconclusive: the run was interrupted"), stdout
    assert lines[1].startswith("Run INTERRUPTED (stopped early after "), stdout
    assert "spawn users fast enough" not in stdout + stderr  # the stop is not a slow spawn
    assert "(valid)" not in stderr and "Measurements: valid\n" not in stdout
    assert "interrupted, not judged: stopped early after" in stderr
    assert "Response time percentiles" not in stderr  # Locust's tables stay in locust.err
    assert "Response time percentiles" in (out / "locust.err").read_text()
    run = json.loads((out / "run.json").read_text())
    assert run["interrupted"] is True and run["complete"] is True  # every file was written
    assert run["stop_reason"].startswith("stopped early")
    assert run["duration_s"] < run["planned_duration_s"]
    # sized for the profile's full scale, not for the users reached before the stop
    assert run["generator_sizing"]["full_scale_peak_users"] == 8
    assert (out / "latency.json").is_file() and (out / "locust_stats.csv").is_file()
    assert json.loads((out / "audit.json").read_text())["ok"] is True
    assert "Traceback" not in stderr
    gate = stampede("gate", str(out), cwd=tmp_path)
    assert gate.returncode == 2 and gate.stdout.startswith("Inconclusive: the run was interrupted")
