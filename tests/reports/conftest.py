"""A run directory for the report tests (synthetic, from tests/synthetic.py), helpers to
copy and doctor it, and ``stampede`` in this process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli as stampede
from tests.conftest import SmokeRun
from tests.synthetic import write_run

__all__ = ["stampede"]


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory as ``stampede run smoke --no-report`` leaves one, written by
    tests/synthetic.py in milliseconds; read it, or change a ``copy_run``."""
    return write_run(tmp_path_factory.mktemp("synthetic") / "run")


@pytest.fixture(scope="session")
def real_run(smoke: SmokeRun) -> Path:
    """The session's real smoke run (tests/conftest.py), for the tests marked ``e2e``."""
    assert (smoke.out / "run.json").is_file(), smoke.result.stderr[-2000:]
    return smoke.out


@pytest.fixture
def copy_run(tmp_path: Path) -> Callable[..., Path]:
    """A fresh synthetic run, with run.json fields overridden."""

    def make(name: str = "copy", **run_fields: Any) -> Path:
        return write_run(tmp_path / name, **run_fields)

    return make
