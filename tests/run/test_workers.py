"""Workers run the master's traffic: a bare worker takes it, a contradicting one is refused.

A real Locust master on a loopback port, and real workers started as the docs
say (``locust -f - --worker --master-host H``), against a stub HTTP server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stampede.core.ports import free_port
from stampede.core.rundir import RunDir
from stampede.profiles import Schedule, load_profile
from tests.measure.stub_server import StubServer, serving
from tests.run.helpers import LOCUSTFILE

#: real Locust masters and workers
pytestmark = pytest.mark.e2e

PROFILE = """\
name: worker-traffic
description: 40 arrivals/s of browsing for 6 s at scale 1; the test runs it at scale 0.5
scale: 1
time_scale: 1
stages:
  - {duration: 1s, arrivals_per_s: 40, phase: ramp}
  - {duration: 5s, arrivals_per_s: 40, phase: steady}
mix: {browser: 1.0}
think_times:
  browser: {distribution: constant, value: 0s}
"""
SCALE = 0.5


def _master(profile: Path, out: Path, port: int, url: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "locust", "-f", LOCUSTFILE, "--master", "--headless"]
    command += ["--master-bind-host", "127.0.0.1", "--master-bind-port", str(port)]
    command += ["--expect-workers", "1", "--expect-workers-max-wait", "60"]
    command += ["--traffic", str(profile), "--scale", str(SCALE), "--host", url.rstrip("/")]
    command += ["--stampede-out", str(out), "--only-summary", "--loglevel", "WARNING"]
    command += ["--progress-interval", "0", "--stampede-seed", "11"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _worker(port: int, *flags: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "locust", "-f", "-", "--worker"]
    command += ["--master-host", "127.0.0.1", "--master-port", str(port), *flags]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_line(child: subprocess.Popen[str], text: str) -> None:
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if text in line:
            return
    raise AssertionError(f"no {text!r} in: " + "".join(seen[-20:]))


def _profile(tmp_path: Path) -> Path:
    path = tmp_path / "worker-traffic.yaml"
    path.write_text(PROFILE)
    return path


def test_a_worker_without_flags_runs_the_masters_profile_and_is_listed(tmp_path: Path) -> None:
    profile, out, port = _profile(tmp_path), tmp_path / "run", free_port()
    with serving(StubServer()) as stub:
        master = _master(profile, out, port, stub.url)
        worker = _worker(port)
        _, master_err = master.communicate(timeout=120)
        _, worker_err = worker.communicate(timeout=60)
    assert master.returncode == 0, master_err[-3000:]
    assert worker.returncode == 0, worker_err[-3000:]
    record = RunDir(out).record().measured
    assert record.validity.valid, record.validity.reasons
    assert record.scale == SCALE
    expected = Schedule.from_profile(load_profile(profile).scaled(SCALE)).intended_arrivals(0, 6)
    assert expected == pytest.approx(110)  # a ramp from 0 to 20/s over 1 s, then 5 s at 20/s
    # a worker on its own defaults would run smoke (closed, 8 users), unscaled 220 arrivals
    sent = RunDir(out).arrivals().sent
    assert expected * 0.95 <= sent <= expected * 1.02, (sent, expected)
    [listed] = record.workers
    assert listed.host and listed.pid != master.pid and listed.lost is False
    assert listed.users == record.open_model_pool
    assert listed.requests == RunDir(out).latency().count() > 0
    assert "Traceback" not in worker_err + master_err


def test_a_worker_whose_flags_contradict_the_master_is_refused_in_one_line(
    tmp_path: Path,
) -> None:
    profile, out, port = _profile(tmp_path), tmp_path / "run", free_port()
    with serving(StubServer()) as stub:
        master = _master(profile, out, port, stub.url)
        worker = _worker(port)
        # it has the master's locustfile, so it is connected: a refused worker that quit
        # while the master had none would end the test (Locust's rule)
        _wait_for_line(worker, "Starting Locust")
        refused = _worker(port, "--traffic", "smoke", "--scale", str(SCALE))
        _, refused_err = refused.communicate(timeout=60)
        _, master_err = master.communicate(timeout=120)
        worker.communicate(timeout=60)
    assert refused.returncode == 3, refused_err[-3000:]
    errors = [line for line in refused_err.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: this worker's --traffic smoke differs from the master's worker-traffic: start "
        "it with only --worker --master-host (and -f - for the master's locustfile) to run the "
        "master's traffic, or give it the master's values"
    ]
    assert "Traceback" not in refused_err
    assert "Stampede: refused the worker on" in master_err
    assert "--traffic smoke differs from the master's worker-traffic" in master_err
    assert master.returncode == 0, master_err[-3000:]
    assert len(RunDir(out).record().measured.workers) == 1


def test_a_master_whose_only_worker_is_refused_says_so_and_exits_3(tmp_path: Path) -> None:
    profile, out, port = _profile(tmp_path), tmp_path / "run", free_port()
    with serving(StubServer()) as stub:
        master = _master(profile, out, port, stub.url)
        refused = _worker(port, "--traffic", "smoke")
        _, refused_err = refused.communicate(timeout=60)
        _, master_err = master.communicate(timeout=120)
    assert refused.returncode == 3, refused_err[-3000:]
    assert master.returncode == 3, master_err[-3000:]
    errors = [line for line in master_err.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: no worker is left to run the test: every worker connected to this master was "
        "refused; start them with only --worker --master-host"
    ]
    assert "--traffic smoke differs from the master's worker-traffic" in master_err
    assert "Traceback" not in master_err + refused_err
