"""Shared test setup."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")


@dataclass(frozen=True)
class SmokeRun:
    """One ``stampede run smoke`` of the whole session: its directory and its output."""

    out: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> SmokeRun:
    """A real 25-second run of the smoke profile against the embedded store (~35 s), made once
    and shared: the run tests check it, the report tests read copies of it."""
    from tests.run.helpers import stampede

    cwd = tmp_path_factory.mktemp("smoke")
    out = cwd / "run"
    result = stampede("run", "smoke", "--no-report", "--out", str(out), "--seed", "11", cwd=cwd)
    return SmokeRun(out, result)
