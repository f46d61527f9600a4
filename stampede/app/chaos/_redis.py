"""A private redis-server on a free loopback port, for ``redis-restart`` chaos.

Stampede restarts only a Redis it started itself: no persistence, its own
directory under the run directory, killed with the run.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
from pathlib import Path
from types import TracebackType

from stampede.core.errors import ConfigError, TargetError
from stampede.core.ports import free_port
from stampede.core.processes import stop_child, wait_until_ready


def redis_executable() -> str:
    path = shutil.which("redis-server")
    if path is None:
        raise ConfigError(
            "--chaos redis-restart needs redis-server on PATH to start a private Redis; "
            "install it (apt install redis-server) or drop the spec"
        )
    return path


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class PrivateRedis:
    """``redis-server`` as a child process (a context manager)."""

    def __init__(self, directory: Path, *, ready_timeout_s: float = 10.0) -> None:
        self.directory = directory
        self.port = free_port()
        self.ready_timeout_s = ready_timeout_s
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> PrivateRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [
            redis_executable(),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        if not wait_until_ready(
            self.process, lambda: _pings(self.port), timeout_s=self.ready_timeout_s, poll_s=0.02
        ):
            self.stop()
            raise TargetError(
                f"the private redis-server on port {self.port} did not start; see "
                f"{self.directory / 'redis.log'}"
            )
        return self

    def kill(self) -> int:
        """SIGKILL the server (a crash, not a shutdown); returns its pid."""
        assert self.process is not None
        pid = self.process.pid
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        return pid

    def stop(self) -> None:
        if self.process is not None:
            stop_child(self.process, signal.SIGTERM, group=False, timeout_s=10)

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
