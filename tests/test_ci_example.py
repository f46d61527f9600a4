"""examples/github-actions-gate.yml: its run step goes on to the gate exactly when it should."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "github-actions-gate.yml"


def _step(name_starts: str) -> str:
    workflow = yaml.safe_load(EXAMPLE.read_text())
    steps = workflow["jobs"]["smoke"]["steps"]
    (step,) = [s for s in steps if s.get("name", "").startswith(name_starts)]
    return str(step["run"])


@pytest.mark.parametrize(
    ("code", "goes_on"),
    [(0, True), (1, True), (2, True), (3, False), (4, False), (130, False), (143, False)],
)
def test_the_run_step_leaves_breached_and_untrusted_runs_to_the_gate(
    tmp_path: Path, code: int, goes_on: bool
) -> None:
    fake = tmp_path / "bin" / "stampede"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nexit {code}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    # the shell GitHub Actions runs a `run:` step in
    script = tmp_path / "step.sh"
    script.write_text(_step("Run the smoke profile"))
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode == 0) is goes_on, done
    if not goes_on:
        assert done.returncode == code
