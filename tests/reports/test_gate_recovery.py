"""``stampede gate --max-recovery``: every injected fault recovered within the limit, or exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.rundir import RunDir
from tests.cli import run_cli
from tests.synthetic import write_run

LENIENT = "latency: {all: {p95: 60s, p99: 60s}}\nerror_rate: 0.5\n"


def _fault(spec: str, kind: str, at: float, store_s: float | None = None) -> dict[str, object]:
    return {
        "spec": spec,
        "kind": kind,
        "planned_s": at,
        "start_s": at,
        "end_s": at + 0.2,
        "detail": "synthetic",
        "recovery_s": None,
        "store_recovery_s": store_s,
    }


def _gate(tmp_path: Path, faults: list[dict[str, object]], *extra: str) -> tuple[int, str]:
    run = write_run(tmp_path / "run", chaos=faults)
    slo = tmp_path / "slo.yaml"
    slo.write_text(LENIENT)
    result = run_cli("gate", str(run), "--slo", str(slo), *extra)
    return result.returncode, result.stdout + result.stderr


def test_faults_recovered_within_the_limit_pass(tmp_path: Path) -> None:
    faults = [
        _fault("kill-worker@8s", "kill-worker", 8.0),
        _fault("redis-restart@12s", "redis-restart", 12.0, 0.4),
    ]
    code, out = _gate(tmp_path, faults, "--max-recovery", "10s")
    assert code == 0, out
    # an instant fault counts from its start; the first healthy 5 s window starts there
    assert "recovery from kill-worker@8s: kill-worker@8s recovered in 0.0 s (limit 10 s)" in out
    assert "recovered in 0.4 s (limit 10 s); the store's own calls failed 0.40 s" in out


def test_the_stores_own_recovery_counts_against_the_limit(tmp_path: Path) -> None:
    faults = [_fault("redis-restart@8s", "redis-restart", 8.0, 12.8)]
    code, out = _gate(tmp_path, faults, "--max-recovery", "10s")
    assert code == 1, out
    assert "Not ready: redis-restart@8s recovered in 12.8 s (limit 10 s)" in out


def test_a_fault_not_recovered_by_the_end_fails(tmp_path: Path) -> None:
    code, out = _gate(
        tmp_path, [_fault("kill-worker@23s", "kill-worker", 23.0)], "--max-recovery", "30s"
    )
    assert code == 1, out
    assert "kill-worker@23s not recovered by the end of the run" in out


def test_without_the_flag_recovery_is_not_judged(tmp_path: Path) -> None:
    code, out = _gate(tmp_path, [_fault("kill-worker@23s", "kill-worker", 23.0)])
    assert code == 0, out
    assert "recovery from" not in out


@pytest.mark.parametrize("bad", ["soon", "-5s"])
def test_a_bad_limit_is_a_usage_error(tmp_path: Path, bad: str) -> None:
    code, out = _gate(tmp_path, [], "--max-recovery", bad)
    assert code == 3, out
    assert f"--max-recovery is {bad!r}; expected a duration such as 30s" in out


def test_recovery_times_round_trip_through_run_json(tmp_path: Path) -> None:
    run = write_run(
        tmp_path / "run", chaos=[_fault("redis-restart@8s", "redis-restart", 8.0, 0.25)]
    )
    (fault,) = RunDir(run).record().runner.chaos  # type: ignore[union-attr]
    assert fault.store_recovery_s == 0.25 and fault.recovery_s is None
