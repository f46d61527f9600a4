"""A private RabbitMQ node on free loopback ports, for ``broker-restart`` and ``broker-outage``.

Stampede stops and starts only a broker it started itself: its own node name, AMQP
and distribution ports, no plugins, and its database under the run directory, so a
restart keeps the durable queue and its persistent messages as a real one would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import uuid
from pathlib import Path
from types import TracebackType

from stampede.core.errors import ConfigError, TargetError
from stampede.core.ports import free_port
from stampede.core.processes import stop_child, wait_until_ready

#: Debian's server script itself: /usr/sbin/rabbitmq-server is a wrapper that switches to
#: the rabbitmq user, who cannot write a directory of ours
_DEBIAN_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")


def rabbitmq_executable() -> str:
    path = str(_DEBIAN_SERVER) if _DEBIAN_SERVER.exists() else shutil.which("rabbitmq-server")
    if path is None:
        raise ConfigError(
            "--chaos broker-restart/broker-outage needs rabbitmq-server on PATH to start a "
            "private broker; install it (apt install rabbitmq-server) or drop the spec"
        )
    return path


def _speaks_amqp(port: int) -> bool:
    """The broker answers the AMQP protocol header with its own (not merely listening)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"AMQP\x00\x00\x09\x01")
            return len(sock.recv(8)) > 0
    except OSError:
        return False


class PrivateRabbit:
    """``rabbitmq-server`` as a child process group (a context manager)."""

    def __init__(self, directory: Path, *, ready_timeout_s: float = 60.0) -> None:
        self.directory = directory
        self.port = free_port()
        self.dist_port = free_port()
        self.node = f"stampede-{uuid.uuid4().hex[:10]}@localhost"
        self.ready_timeout_s = ready_timeout_s
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _environment(self) -> dict[str, str]:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq.conf").write_text("loopback_users = none\n")
        return {
            **os.environ,
            "HOME": str(self.directory),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq"),
            "RABBITMQ_PID_FILE": str(self.directory / "pid"),
        }

    def start(self) -> PrivateRabbit:
        """Start the node (its data kept from a previous start) and wait until it speaks AMQP."""
        env = self._environment()
        (self.directory / "mnesia").mkdir(exist_ok=True)
        with (self.directory / "server.out").open("ab") as out:
            self.process = subprocess.Popen(
                [rabbitmq_executable()],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until_ready(
            self.process,
            lambda: _speaks_amqp(self.port),
            timeout_s=self.ready_timeout_s,
            poll_s=0.1,
        ):
            self.stop()
            raise TargetError(
                f"the private rabbitmq-server on port {self.port} did not start; see "
                f"{self.directory / 'server.out'}"
            )
        return self

    def stop(self) -> None:
        """Shut the node down as a service stop would (SIGTERM, then SIGKILL after 30 s)."""
        if self.process is not None and self.process.poll() is None:
            stop_child(self.process, signal.SIGTERM, group=True, timeout_s=30)

    def __enter__(self) -> PrivateRabbit:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
