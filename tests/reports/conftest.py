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

RUN = [sys.executable, "-c", "import sys, cli; sys.exit(cli.main(sys.argv[1:]))"]


def stampede(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``stampede ARGS`` in a child process, as CI runs it."""
    return subprocess.run(
        [*RUN, *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 25-second run of the smoke profile against the embedded store (~40 s)."""
    out = tmp_path_factory.mktemp("smoke") / "run"
    result = stampede("run", "smoke", "--no-report", "--out", str(out), "--seed", "11")
    assert (out / "run.json").is_file(), result.stderr[-2000:]
    return out


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
