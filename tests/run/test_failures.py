"""The suite under failure: a target that dies, an output directory that refuses a file,
a load-generator worker that disappears. Each ends clearly and keeps what was measured."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stampede.app.target import embedded_store_args
from stampede.store.launcher import StoreProcess
from tests.chaos.test_chaos_run import PROFILE, _locust_workers
from tests.run.helpers import RUN_CLI, run_json, stampede

#: real runs that lose the store or a worker
pytestmark = pytest.mark.e2e

SALE = "{duration: 25s, users: 12, phase: sale}"
assert SALE in PROFILE, "the chaos profile changed; shorten its sale here too"
SHORT = PROFILE.replace(SALE, "{duration: 5s, users: 12, phase: sale}")


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_load(child: subprocess.Popen[str]) -> list[str]:
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if line.startswith("[") and "users" in line:
            return seen
    raise AssertionError("no progress line: " + "".join(seen[-20:]))


def test_a_target_dying_mid_run_ends_the_run_and_keeps_the_results(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    store_args = embedded_store_args("FLASH-001", 10_000)
    with StoreProcess(tmp_path / "store", args=store_args) as store:
        child = _start(
            tmp_path, "run", str(profile), "--host", store.url, "--out", str(out), "--no-report"
        )
        _wait_for_load(child)
        assert store.process is not None
        os.killpg(store.process.pid, signal.SIGKILL)  # the target's machine goes away
        stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 4, stderr[-3000:]
    assert "Run STOPPED, the target died" in stdout
    run = run_json(out)
    assert run["stop_reason"].startswith(f"the target died: the target {store.url} stopped")
    assert run["interrupted"] is True and run["complete"] is True
    assert run["duration_s"] < 25
    assert (out / "latency.json").is_file() and (out / "locust_stats.csv").is_file()
    assert "Traceback" not in stderr


def test_a_file_the_run_cannot_write_is_one_error_and_no_complete_run(tmp_path: Path) -> None:
    """Root ignores permissions, so the refusal is a directory where a file must go: the
    atomic rename onto it fails with EISDIR, through the same path as ENOSPC or EROFS."""
    profile = tmp_path / "p.yaml"
    profile.write_text(SHORT)
    out = tmp_path / "run"
    (out / "timeline.json").mkdir(parents=True)
    result = stampede("run", str(profile), "--out", str(out), "--no-report", cwd=tmp_path)
    assert result.returncode == 3, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: cannot write the run directory {out}")
    assert f"the run was not saved: cannot write {out / 'timeline.json'}" in result.stderr
    assert not (out / "run.json").exists()
    assert "Traceback" not in result.stderr


def test_a_report_that_cannot_be_written_leaves_the_run_marked_incomplete(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(SHORT)
    out = tmp_path / "run"
    (out / "report.html").mkdir(parents=True)
    result = stampede("run", str(profile), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 3, result.stderr[-3000:]
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"Error: cannot write {out / 'report.html'}")
    )
    run = run_json(out)
    assert run["complete"] is False and "report.html" in run["write_error"]


def test_a_lost_load_worker_stops_the_run_when_asked(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    child = _start(
        tmp_path,
        "run",
        str(profile),
        "--out",
        str(out),
        "--no-report",
        "--processes",
        "2",
        "--on-worker-loss",
        "stop",
    )
    _wait_for_load(child)
    workers = _locust_workers(child.pid)
    assert len(workers) == 2
    os.kill(workers[1].pid, signal.SIGKILL)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 2, stderr[-3000:]
    run = run_json(out)
    assert run["on_worker_loss"] == "stop"
    assert [(loss["before"], loss["left"]) for loss in run["worker_losses"]] == [(2, 1)]
    assert "worker process was lost" in run["stop_reason"] and run["interrupted"] is True
    assert run["audit_ok"] is True and run["duration_s"] < 25
    assert "Locust worker lost at" in stdout


def test_a_lost_load_workers_users_move_to_the_workers_left(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    # --on-worker-loss continue is the default
    child = _start(
        tmp_path, "run", str(profile), "--out", str(out), "--no-report", "--processes", "2"
    )
    _wait_for_load(child)
    workers = _locust_workers(child.pid)
    assert len(workers) == 2
    os.kill(workers[1].pid, signal.SIGKILL)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode in (0, 2), stderr[-3000:]
    run = run_json(out)
    assert run["on_worker_loss"] == "continue" and run["complete"] is True
    assert [(loss["before"], loss["left"]) for loss in run["worker_losses"]] == [(2, 1)]
    lost_at = run["worker_losses"][0]["t"]
    # Locust misses the worker's heartbeats within ~5 s; from then the survivor runs all 12
    rows = json.loads((out / "users.json").read_text())["rows"]
    late_sale = [r for r in rows if lost_at + 8 <= r["t"] <= 27]
    assert late_sale and all(r["running"] == r["intended"] == 12 for r in late_sale), late_sale
    listed = run["workers"]
    assert len(listed) == 2 and [w["lost"] for w in listed].count(True) == 1
    if not run["validity"]["valid"]:
        assert any("Locust worker processes were lost at" in r for r in run["validity"]["reasons"])
    for text in (stderr, (out / "locust.out").read_text()):
        assert "Traceback" not in text
