"""One real smoke run, shared by every report test, and helpers to copy and doctor it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SmokeRun
from tests.run.helpers import RUN_CLI

RUN = [sys.executable, "-c", RUN_CLI]


def stampede(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``stampede ARGS`` in a child process, as CI runs it."""
    return subprocess.run(
        [*RUN, *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )


@pytest.fixture(scope="session")
def smoke_run(smoke: SmokeRun) -> Path:
    """The session's real smoke run (tests/conftest.py); read it, or change a copy_run."""
    assert (smoke.out / "run.json").is_file(), smoke.result.stderr[-2000:]
    return smoke.out


@pytest.fixture
def copy_run(smoke_run: Path, tmp_path: Path) -> Callable[..., Path]:
    """A fresh copy of the smoke run, with run.json fields overridden."""

    def make(name: str = "copy", **run_fields: Any) -> Path:
        target = tmp_path / name
        shutil.copytree(smoke_run, target, ignore=shutil.ignore_patterns("store-data", "*.html"))
        if run_fields:
            run = json.loads((target / "run.json").read_text())
            run.update(run_fields)
            (target / "run.json").write_text(json.dumps(run))
        return target

    return make
