"""The run directory's files get the mode a plain write gives: 0644 under umask 022."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stampede.reports import write_report
from tests.synthetic import write_run


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_run_json_and_the_report_respect_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        run = write_run(tmp_path / "run")
        report = write_report(run)
    finally:
        os.umask(previous)
    for path in (run / "run.json", run / "latency.json", report):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path
