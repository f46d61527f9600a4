"""Across real hosts: the store and the master in one network namespace, two workers in others.

The test makes its own namespaces (``ip netns``) joined by a bridge in the
hub's, with addresses that exist only inside them, runs a short profile with
workers started as the docs say (``locust -f - --worker --master-host H``),
then again with one worker killed mid-run, and always removes what it made.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stampede.app.target import embedded_store_args
from stampede.core.rundir import RunDir
from tests.run.helpers import LOCUSTFILE, RUN_CLI

#: real stores, masters and workers in namespaces of their own
pytestmark = pytest.mark.e2e

PROFILE = """\
name: netns-smoke
description: a short sale for workers on other hosts
scale: 1
time_scale: 1
stages:
  - {duration: 2s, users: 12, phase: baseline}
  - {duration: 10s, users: 12, phase: sale}
  - {duration: 1s, users: 0, phase: decay}
mix: {browser: 0.4, shopper: 0.3, flash_buyer: 0.3}
think_times:
  browser: {min: 100ms, max: 300ms}
  shopper: {min: 100ms, max: 300ms}
  flash_buyer: {distribution: constant, value: 200ms}
flash: {sku: FLASH-001, opens_at: 2s}
"""
STORE_PORT, MASTER_PORT = 18080, 15557
#: a progress line, "[   12s/…": seconds into the run
PROGRESS = re.compile(r"\[\s*(\d+)s/")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


@dataclass(frozen=True)
class Hosts:
    """Three namespaces: ``hub`` (store, master) and two workers', on 10.N.0.0/24."""

    tag: str
    net: int

    @property
    def names(self) -> list[str]:
        return [f"{self.tag}-hub", f"{self.tag}-w1", f"{self.tag}-w2"]

    def address(self, index: int) -> str:
        return f"10.{self.net}.0.{index + 1}"

    def run(self, index: int, *command: str, **kwargs: object) -> subprocess.Popen[str]:
        return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
            ["ip", "netns", "exec", self.names[index], *command], text=True, **kwargs
        )


def _make(hosts: Hosts) -> None:
    hub, bridge = hosts.names[0], f"{hosts.tag}br"
    for name in hosts.names:
        _ip("netns", "add", name)
        _ip("-n", name, "link", "set", "lo", "up")
    _ip("-n", hub, "link", "add", bridge, "type", "bridge")
    _ip("-n", hub, "addr", "add", f"{hosts.address(0)}/24", "dev", bridge)
    _ip("-n", hub, "link", "set", bridge, "up")
    for index, name in enumerate(hosts.names[1:], start=1):
        inner, outer = f"{hosts.tag}v{index}", f"{hosts.tag}p{index}"
        _ip("-n", hub, "link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("-n", hub, "link", "set", inner, "netns", name)
        _ip("-n", hub, "link", "set", outer, "master", bridge, "up")
        _ip("-n", name, "addr", "add", f"{hosts.address(index)}/24", "dev", inner)
        _ip("-n", name, "link", "set", inner, "up")


@pytest.fixture
def hosts() -> Iterator[Hosts]:
    made = Hosts(f"st{os.getpid() % 10000}{random.randrange(100)}", random.randrange(200, 250))
    try:
        _make(made)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        for name in made.names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        detail = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) else exc
        pytest.skip(f"cannot make network namespaces here (ip netns: {detail})")
    try:
        yield made
    finally:
        for name in made.names:
            pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
            for pid in pids.stdout.split():
                os.kill(int(pid), signal.SIGKILL)
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def _wait_for_store(hosts: Hosts, url: str) -> None:
    probe = f"import urllib.request; urllib.request.urlopen('{url}/healthz', timeout=2)"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if hosts.run(0, sys.executable, "-c", probe, stderr=subprocess.DEVNULL).wait() == 0:
            return
        time.sleep(0.5)  # a store process starting: nothing to wait on but its port
    raise AssertionError(f"the store at {url} never answered")


def _tmp_dir(tmp: Path, run: str, index: int) -> Path:
    path = tmp / f"{run}-w{index}-tmp"
    path.mkdir()
    return path


def _run(hosts: Hosts, tmp: Path, name: str, kill_one: bool) -> Path:
    profile, out = tmp / "p.yaml", tmp / name
    profile.write_text(PROFILE)
    hub = hosts.address(0)
    master = hosts.run(
        0,
        *[sys.executable, "-m", "locust", "-f", LOCUSTFILE, "--master", "--headless"],
        *["--master-bind-host", hub, "--master-bind-port", str(MASTER_PORT)],
        *["--expect-workers", "2", "--expect-workers-max-wait", "60", "--traffic", str(profile)],
        *["--host", f"http://{hub}:{STORE_PORT}", "--stampede-out", str(out)],
        *["--csv", str(out / "locust"), "--only-summary", "--loglevel", "WARNING"],
        *["--progress-interval", "1", "--shoppers", "200"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    worker = [sys.executable, "-m", "locust", "-f", "-", "--worker", "--master-host", hub]
    worker += ["--master-port", str(MASTER_PORT)]
    workers = [
        # each host has its own /tmp, where Locust writes the locustfile it downloads
        # (namespaces share this one's: two workers would truncate the file as the other reads it)
        hosts.run(i, *worker, stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(tmp_dir)})
        for i, tmp_dir in ((1, _tmp_dir(tmp, name, 1)), (2, _tmp_dir(tmp, name, 2)))
    ]
    seen: list[str] = []
    if kill_one:
        assert master.stderr is not None
        for line in master.stderr:  # progress lines: once both workers have reported
            seen.append(line)
            if (progress := PROGRESS.match(line)) and int(progress[1]) >= 6:
                break
        workers[1].send_signal(signal.SIGKILL)
    _, err = master.communicate(timeout=120)
    err = "".join(seen) + err
    worker_errs = [child.communicate(timeout=60)[1] for child in workers]
    # Locust's 1: a request failed (the store's simulated payment provider fails a few)
    assert master.returncode in (0, 1), (
        err[-3000:] + "\nworkers:\n" + "\n".join(e[-1500:] for e in worker_errs)
    )
    assert "Stampede: run written to" in err
    assert "Traceback" not in err
    return out


def test_workers_on_other_hosts_add_up_and_a_lost_one_is_recorded(
    hosts: Hosts, tmp_path: Path
) -> None:
    hub = hosts.address(0)
    store_args = [*embedded_store_args("FLASH-001", 200), "--data-dir", str(tmp_path / "db")]
    store = hosts.run(
        0,
        *[sys.executable, "-c", RUN_CLI, "store", "--host", hub, "--port", str(STORE_PORT)],
        *store_args,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_store(hosts, f"http://{hub}:{STORE_PORT}")
        clean = RunDir(_run(hosts, tmp_path, "clean", kill_one=False))
        record = clean.record().measured
        assert record.validity.valid, record.validity.reasons
        assert [w.lost for w in record.workers] == [False, False]
        assert len({w.pid for w in record.workers}) == 2
        assert all(w.users > 0 and w.requests > 0 for w in record.workers)
        totals = clean.latency()
        assert totals.count() == sum(w.requests for w in record.workers)
        assert clean.timeline().totals().count() == totals.count()
        for name in ("latency.json", "timeline.json", "arrivals.json", "users.json", "cpu.json"):
            assert clean.has(name), name

        lossy = RunDir(_run(hosts, tmp_path, "lossy", kill_one=True)).record().measured
        assert [(loss.before, loss.left) for loss in lossy.worker_losses] == [(2, 1)]
        assert [w.lost for w in lossy.workers].count(True) == 1
        assert lossy.on_worker_loss == "continue"
    finally:
        store.kill()
        store.wait()
