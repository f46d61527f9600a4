"""Child processes: stopping one (ask it to stop, give it time, then kill it), and a
process with all its descendants.

Stopping is shared by the private Redis of ``redis-restart`` chaos and by the
store's launcher, which stop their children on different signals and process
groups; the tree by the generator's memory and the store's CPU pinning.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import psutil


def stop_child(
    process: subprocess.Popen[Any], sig: signal.Signals, *, group: bool, timeout_s: float
) -> int:
    """Send ``sig``, wait up to ``timeout_s`` seconds, then SIGKILL; return the exit code.

    Parameters
    ----------
    process
        The child; one that has already exited is left alone.
    sig
        The signal that asks it to stop (SIGTERM, SIGINT …).
    group
        Signal the child's whole process group instead of the child alone. The
        child must lead its group (started with ``start_new_session=True``), so
        that its own children stop with it.
    timeout_s
        How long the child has to exit after ``sig`` before it is killed.
    """
    if process.poll() is not None:
        return process.returncode
    _send(process, sig, group)
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _send(process, signal.SIGKILL, group)
        return process.wait()


def _send(process: subprocess.Popen[Any], sig: signal.Signals, group: bool) -> None:
    if group:
        os.killpg(process.pid, sig)
    else:
        process.send_signal(sig)


def wait_until_ready(
    process: subprocess.Popen[Any],
    ready: Callable[[], bool],
    *,
    timeout_s: float,
    poll_s: float,
) -> bool:
    """Poll ``ready()`` until it holds; False when the child exits or the timeout passes first."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(poll_s)  # polling a child process for readiness
    return True


def process_tree(pid: int) -> list[psutil.Process]:
    """Process ``pid`` and all its descendants; empty when it is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []
