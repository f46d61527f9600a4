"""Start a store in a child process and wait until it answers.

Used by ``stampede run`` (the embedded store on a free port) and by the tests,
which always talk to a real server over loopback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import httpx

from stampede.core.errors import TargetError
from stampede.core.ports import free_port
from stampede.core.processes import stop_child

_RUN_CLI = "import sys; from stampede.cli import main; sys.exit(main(sys.argv[1:]))"


class StoreProcess:
    """A ``stampede store`` child process on 127.0.0.1 (a context manager)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        admin_token: str = "stampede-admin",
        port: int | None = None,
        args: Sequence[str] = (),
        log_path: Path | None = None,
        ready_timeout_s: float = 60.0,
    ) -> None:
        self.data_dir = data_dir
        self.admin_token = admin_token
        self.port = port or free_port()
        self.args = list(args)
        self.log_path = log_path or data_dir.parent / f"store-{self.port}.log"
        self.ready_timeout_s = ready_timeout_s
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StoreProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-c",
            _RUN_CLI,
            "store",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--admin-token",
            self.admin_token,
            *self.args,
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout_s
        assert self.process is not None
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise TargetError(
                        f"the store exited with code {self.process.returncode} before it was "
                        f"ready: {self.log_tail()}"
                    )
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.05)  # polling a child process for readiness
        self.stop()
        raise TargetError(
            f"the store did not answer on {self.url} within "
            f"{self.ready_timeout_s:.0f} s: {self.log_tail()}"
        )

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:])

    def stop(self) -> None:
        if self.process is not None:
            # the store leads its own session, so its worker processes stop with it
            stop_child(self.process, signal.SIGINT, group=True, timeout_s=15)

    def __enter__(self) -> StoreProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
