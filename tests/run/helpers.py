"""Running `stampede` and plain `locust` as a user would, in child processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RUN_CLI = "import sys; from stampede.cli import main; sys.exit(main(sys.argv[1:]))"
LOCUSTFILE = str(Path(__file__).resolve().parents[2] / "locustfile.py")


def stampede(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def locust(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "locust", "-f", LOCUSTFILE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_json(run_dir: Path) -> dict[str, Any]:
    return dict(json.loads((run_dir / "run.json").read_text()))


def outcome_totals(run_dir: Path) -> dict[str, int]:
    totals: dict[str, int] = {}
    for _, outcome, n in json.loads((run_dir / "outcomes.json").read_text())["rows"]:
        totals[outcome] = totals.get(outcome, 0) + n
    return totals
