"""`stampede run`'s exit code: the target, the run's end, then the gate (or --no-gate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.app.commands.run import _exit_code
from stampede.app.run_finish import RunResult
from stampede.app.run_summary import RunVerdict, judge_result, summary_lines
from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir
from stampede.core.validity import Validity
from tests.core.samples import measured_run, runner_facts
from tests.synthetic import Traffic, write_run

BREACHED = RunVerdict("Not ready: …", 1, gated=True)
MET = RunVerdict("Ready: …", 0, gated=True)
UNGATED = RunVerdict("Ready: … a run with no objectives set", 0, gated=False)
INVALID = Validity(False, ("the generator's CPU was saturated",))


def _result(runner: dict[str, object] | None = None, **measured: object) -> RunResult:
    return RunResult(
        Path("run"), RunRecord(measured_run(**measured), runner_facts(**(runner or {})))
    )


@pytest.mark.parametrize(
    ("result", "verdict", "terminated", "gate", "code"),
    [
        (_result(), MET, False, True, 0),
        (_result(), BREACHED, False, True, 1),
        (_result(), BREACHED, False, False, 0),  # --no-gate: a valid run is 0
        (_result(validity=INVALID), BREACHED, False, False, 2),
        (_result(validity=INVALID), UNGATED, False, True, 2),
        (_result(interrupted=True), BREACHED, False, True, 130),
        (_result(interrupted=True), BREACHED, True, True, 143),
        (_result({"target_lost": "no answer for 5 s"}, interrupted=True), MET, False, True, 4),
    ],
)
def test_the_exit_code(
    result: RunResult, verdict: RunVerdict, terminated: bool, gate: bool, code: int
) -> None:
    assert _exit_code(result, verdict, terminated, stop_on_loss=False, gate=gate) == code


def test_the_verdict_is_the_gates_on_the_profiles_objectives(tmp_path: Path) -> None:
    slow = write_run(tmp_path / "slow", Traffic(stall=(10, 13, 0.6)))
    verdict = judge_result(RunResult(slow, RunDir(slow).record()))
    assert verdict.gated and verdict.exit_code == 1
    assert verdict.line.startswith("Not ready: all requests' p95 604 ms > 500 ms during sale")


def test_an_interrupted_runs_summary_tells_the_same_story() -> None:
    lines = summary_lines(
        _result(interrupted=True, stop_reason="stopped early after 35 of 240 s", duration_s=35.0)
    )
    assert lines[0] == "Run INTERRUPTED (stopped early after 35 of 240 s): run"
    assert lines[1].startswith("Measurements: valid for the 35 s that ran, but the run was")
    assert "not judged" in lines[1]
    assert summary_lines(_result())[1] == "Measurements: valid"


def test_the_final_block_of_stampede_run_opens_with_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import stampede.app.commands.run as run_command
    from stampede.cli import stampede

    slow = write_run(tmp_path / "slow", Traffic(stall=(10, 13, 0.6)))
    report = slow / "report.html"

    def execute(_request: object, echo: object) -> RunResult:
        assert callable(echo)
        echo(f"Stampede: run written to {slow} (valid)")  # the progress before the end
        return RunResult(slow, RunDir(slow).record(), report)

    monkeypatch.setattr(run_command, "execute", execute)
    result = CliRunner().invoke(stampede, ["run", "smoke"])

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Stampede: run written to {slow} (valid)"
    final = lines[1:]
    assert final[0].startswith("Not ready: all requests' p95 604 ms > 500 ms during sale")
    assert final[1:3] == [f"Run complete: {slow}", f"Report: {report}"]
    assert result.stdout.splitlines()[0] == final[0]
