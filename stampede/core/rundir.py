"""A run directory: what one load test leaves behind, and how to read it back.

::

    runs/<UTC time>-<profile>/
      run.json            what ran, where, when, with which versions; its validity
      profile.yaml        the profile as run (scaled)
      latency.json        HdrHistograms per request name: corrected and uncorrected
      timeline.json       the same per one-second interval
      arrivals.json       intended, sent and late arrivals per interval
      outcomes.json       business outcomes per interval (paid, sold out, 429 …)
      users.json          intended and running users per second, with the resident
                          memory of the Locust process tree (the master and the
                          workers it forked) read at the same moment
      cpu.json            the load generator's CPU samples
      store-cpu.json      cores the embedded store used each second (Unix time),
                          which a capacity plan splits between its services
      locust_*.csv        Locust's own statistics, with full history
      audit.json          the store's audit after traffic stopped (when available)
      report.html         the report

Every file is written whole or not at all (a temporary file renamed into
place), so a crash or a full disk never leaves a truncated file that reads
as complete.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stampede.core.arrivals import ArrivalLedger
from stampede.core.errors import ConfigError
from stampede.core.latency import LatencyRecorder, LatencyTimeline
from stampede.core.outcomes import OutcomeCounter

RUN_FORMAT = "stampede.run/1"


def new_run_dir(root: Path, profile: str, now: datetime | None = None) -> Path:
    """A fresh, unique directory under ``root`` named by time and profile."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    candidate = root / f"{stamp}-{profile}"
    n = 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stamp}-{profile}-{n}"
    try:
        candidate.mkdir(parents=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the run directory {candidate}: {exc.strerror or exc}; "
            "choose another with --out"
        ) from exc
    return candidate


def use_run_dir(path: Path) -> Path:
    """``path`` created if needed and checked writable, or a one-line error."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot write the run directory {path}: {exc.strerror or exc}; "
            "choose another with --out"
        ) from exc
    return path


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}; free space or choose another --out"
        ) from exc


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=1, sort_keys=True, default=str))


class RunDir:
    """Typed access to the files of one run directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def check(self) -> RunDir:
        if not (self.path / "run.json").is_file():
            raise ConfigError(
                f"{self.path} is not a run directory (no run.json); "
                "make one with `stampede run PROFILE`"
            )
        return self

    def file(self, name: str) -> Path:
        return self.path / name

    def read_json(self, name: str) -> Any:
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path} is missing; the run did not finish writing it") from None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}") from exc

    def read_csv(self, name: str) -> list[dict[str, str]]:
        """The rows of one of Locust's CSVs; none when the run did not write it."""
        path = self.file(name)
        if not path.is_file():
            return []
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                return list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}") from exc

    def has(self, name: str) -> bool:
        return self.file(name).is_file()

    def run(self) -> dict[str, Any]:
        return dict(self.read_json("run.json"))

    def update_run(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        run = self.run() if self.has("run.json") else {"format": RUN_FORMAT}
        run.update(fields)
        write_json(self.file("run.json"), run)
        return run

    def latency(self) -> LatencyRecorder:
        return LatencyRecorder.from_dict(self.read_json("latency.json"))

    def timeline(self) -> LatencyTimeline:
        return LatencyTimeline.from_dict(self.read_json("timeline.json"))

    def arrivals(self) -> ArrivalLedger:
        return ArrivalLedger.from_dict(self.read_json("arrivals.json"))

    def outcomes(self) -> OutcomeCounter:
        return OutcomeCounter.from_dict(self.read_json("outcomes.json"))

    def users(self) -> list[dict[str, float]]:
        return list(self.read_json("users.json")["rows"])

    def cpu(self) -> list[dict[str, float]]:
        return list(self.read_json("cpu.json")["samples"])

    def audit(self) -> dict[str, Any] | None:
        return dict(self.read_json("audit.json")) if self.has("audit.json") else None
