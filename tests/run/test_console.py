"""The README's command, for real: ``stampede run`` on the smoke profile (about 35 s),
stdout and stderr on one console as a terminal shows them, ends with the verdict block the
README's quickstart shows (the verdict first), and exits as that verdict says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.run.helpers import RUN_CLI

#: a real run of the embedded store, in a child process
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VERDICT = re.compile(r"^(Ready|Not ready|Inconclusive): ")
EXIT = {"Ready": 0, "Not ready": 1, "Inconclusive": 2}


def _readme_final_block() -> list[str]:
    """The quickstart's lines from ``Stampede: run written`` to the end of its console."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = readme.split("## Quickstart", 1)[1].split("```console", 1)[1]
    lines = quickstart.split("```", 1)[0].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Stampede: run written"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("$ "))
    return [line for line in lines[start:end] if line.strip()]


def _head(line: str) -> str:
    """What a line of the final block is: its words before the first colon."""
    return "verdict" if VERDICT.match(line) else line.split(":", 1)[0]


def test_the_console_ends_with_the_readmes_verdict_block(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = subprocess.run(
        # the whole 25 s smoke profile: shorter, its ramp outruns the spawn on 2 shared cores
        [sys.executable, "-c", RUN_CLI, "run", "smoke", "--seed", "7", "--out", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one console, in the order it was written
        text=True,
        timeout=180,
    )
    console = done.stdout.splitlines()
    block = _readme_final_block()
    assert [_head(line) for line in block] == [
        "Stampede", "verdict", "Run complete", "Report", "Measurements", "Store audit",
        "Generator",
    ]  # fmt: skip
    last = console[-len(block) :]
    assert [_head(line) for line in last] == [_head(line) for line in block], done.stdout[-3000:]
    assert last[0] == f"Stampede: run written to {out} (valid)"
    assert last[2:5] == [f"Run complete: {out}", f"Report: {out / 'report.html'}",
                         "Measurements: valid"]  # fmt: skip
    assert last[5] == "Store audit: clean"
    verdict = VERDICT.match(last[1])
    assert verdict is not None and "at full scale (8 concurrent users)" in last[1]
    assert done.returncode == EXIT[verdict.group(1)], done.stdout[-3000:]
    # the header named the model; Locust's own tables stayed in locust.err
    assert any(", closed model (a number of users, each with think times)" in x for x in console)
    assert "Response time percentiles" not in done.stdout
    assert (out / "locust.err").is_file() and (out / "report.html").is_file()
    # the audit's money in currency units by the one formatter, not a raw count of cents
    audit = {c["name"]: c["detail"] for c in json.loads((out / "audit.json").read_text())["checks"]}
    money = r"captured total \d{1,3}(,\d{3})*\.\d\d equals the [\d,]+ paid orders' total"
    assert re.fullmatch(money, audit["captured_equals_paid"]), audit["captured_equals_paid"]
