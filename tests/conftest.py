"""Shared test setup: the tiers' markers, and the session's one real smoke run."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

#: markers that imply ``slow``: a test that drives a real run or a browser is never fast
SLOW_BY_NATURE = ("e2e", "browser")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every ``e2e`` and ``browser`` test ``slow`` too, so ``-m "not slow"`` skips it."""
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE):
            item.add_marker(pytest.mark.slow)


@dataclass(frozen=True)
class SmokeRun:
    """One ``stampede run smoke`` of the whole session: its directory and its output."""

    out: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> SmokeRun:
    """A real 25-second run of the smoke profile against the embedded store (~35 s), made once
    and shared by the end-to-end tests (tests/run, and the report tests that read a real run)."""
    from tests.run.helpers import stampede

    cwd = tmp_path_factory.mktemp("smoke")
    out = cwd / "run"
    result = stampede("run", "smoke", "--no-report", "--out", str(out), "--seed", "11", cwd=cwd)
    return SmokeRun(out, result)
