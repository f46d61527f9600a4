"""`stampede run --chaos`: every fault kind injected for real into one short run, audit clean."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from stampede.reports import load_run
from tests.chaos.flash_profile import flash_profile
from tests.cli import run_cli
from tests.run.helpers import RUN_CLI, run_json

PROFILE = flash_profile(
    "chaos-smoke", "a short flash sale to break things in", users=12, sale="25s"
)
CHAOS = [
    "db-latency@sale:300ms:4s",
    "payment-outage@sale+6s:6s",
    "kill-worker@sale+12s",
    "redis-restart@sale+16s",
]


def _profile(tmp_path: Path) -> Path:
    path = tmp_path / "chaos-smoke.yaml"
    path.write_text(PROFILE)
    return path


def _locust_workers(root: int) -> list[psutil.Process]:
    """Worker processes Locust's master forked: locust children of a locust process."""
    found = []
    for child in psutil.Process(root).children(recursive=True):
        parent = child.parent()
        in_locust = parent is not None and "locust" in " ".join(parent.cmdline())
        if in_locust and "locust" in " ".join(child.cmdline()):
            found.append(child)
    return found


@pytest.mark.e2e
def test_every_fault_kind_with_a_lost_load_worker(tmp_path: Path) -> None:
    out = tmp_path / "run"
    # --no-gate: the faults may breach the objectives; exit 0 or 2 says the run's validity
    args = ["run", str(_profile(tmp_path)), "--out", str(out), "--store-workers", "2", "--no-gate"]
    args += ["--processes", "2", *(f"--chaos={spec}" for spec in CHAOS)]
    child = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    for line in child.stderr:  # load is flowing: kill one of the two Locust workers
        if line.startswith("[") and "users" in line:
            break
    workers = _locust_workers(child.pid)
    assert len(workers) == 2, workers
    os.kill(workers[0].pid, signal.SIGKILL)
    stdout, stderr = child.communicate(timeout=180)
    assert child.returncode in (0, 2), stderr[-3000:]  # 2: half the users went missing
    assert "Store audit: clean" in stdout

    run = run_json(out)
    assert run["audit_ok"] is True and run["complete"] is True
    assert run["stop_reason"] == "the profile's schedule ended"
    assert run["on_worker_loss"] == "continue"
    assert [(loss["before"], loss["left"]) for loss in run["worker_losses"]] == [(2, 1)]

    faults = {f["kind"]: f for f in json.loads((out / "chaos.json").read_text())["faults"]}
    assert faults.keys() == {"db-latency", "payment-outage", "kill-worker", "redis-restart"}
    assert run["chaos"] == json.loads((out / "chaos.json").read_text())["faults"]
    for fault in faults.values():
        assert fault["start_s"] == pytest.approx(fault["planned_s"], abs=0.5), fault
        assert fault["end_s"] >= fault["start_s"]
    assert faults["payment-outage"]["end_s"] - faults["payment-outage"]["start_s"] == (
        pytest.approx(6.0, abs=0.5)
    )
    assert "respawned as pid" in faults["kill-worker"]["detail"]
    assert "restarted empty as pid" in faults["redis-restart"]["detail"]
    # measured, not assumed: pooled connections reconnect at once (was 12.8 s without retries)
    assert faults["redis-restart"]["store_recovery_s"] is not None
    assert faults["redis-restart"]["store_recovery_s"] < 1.0, faults["redis-restart"]
    # the report's recovery is in run.json too, and the gate can judge it
    for fault in faults.values():
        assert fault["recovery_s"] is not None and fault["recovery_s"] >= 0, fault
    gated = run_cli("gate", str(out), "--max-recovery", "30s")
    assert (
        "recovery from redis-restart@sale+16s: redis-restart@sale+16s recovered in" in gated.stdout
    ), gated.stdout

    # the faults were felt: payments refused during the outage, slow seconds under latency
    assert "payment_unavailable" in (out / "locust_failures.csv").read_text()
    data = load_run(out)
    slow = data.faults[0]
    assert slow.kind == "db-latency" and slow.start_s is not None and slow.end_s is not None
    timeline = data.timelines["all"]
    window = [
        p for t, p in zip(timeline.t, timeline.p95, strict=True) if slow.start_s < t < slow.end_s
    ]
    assert window and max(window) >= 0.3

    report = (out / "report.html").read_text()
    assert 'id="chaos"' in report
    for spec in CHAOS:
        assert spec in report
    assert "worker process was lost" in report


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (
            ["--chaos", "kill-worker@sale+3s:5s"],
            "--chaos 'kill-worker@sale+3s:5s': '5s' does not fit",
        ),
        (["--chaos", "meteor@5s"], "'meteor' is not a fault kind; expected kill-worker@WHEN"),
        (["--chaos", "kill-worker@5m"], "outside the 25 s run"),
        (
            ["--chaos", "kill-worker@5s", "--host", "http://127.0.0.1:9"],
            "never a remote host",
        ),
        (
            ["--chaos", "redis-restart@5s", "--store-arg=--architecture=legacy"],
            "the legacy store does not use Redis",
        ),
    ],
)
def test_impossible_chaos_is_one_line_before_the_run(
    tmp_path: Path, extra: list[str], words: str
) -> None:
    result = run_cli("run", "smoke", "--out", str(tmp_path / "run"), *extra, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "run").exists()
