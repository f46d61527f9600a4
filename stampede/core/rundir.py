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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from stampede.core.arrivals import ArrivalLedger
from stampede.core.errors import ConfigError
from stampede.core.latency import LatencyRecorder, LatencyTimeline
from stampede.core.outcomes import OutcomeCounter
from stampede.core.plan_document import PlanDocument
from stampede.core.protocol import (
    ARRIVALS_FILE,
    AUDIT_FILE,
    CPU_FILE,
    LATENCY_FILE,
    OUTCOMES_FILE,
    PLAN_DIR,
    PLAN_FILE,
    PROFILE_FILE,
    RUN_FILE,
    TARGET_FILE,
    TIMELINE_FILE,
    USERS_FILE,
)
from stampede.core.records import RunRecord
from stampede.core.target_description import (
    TargetDescription,
    load_description,
    reference_description,
)

P = TypeVar("P")


class Yaml(Protocol):
    """What writes itself as YAML: a profile (the core does not know profiles)."""

    def to_yaml(self) -> str: ...


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


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0666 less the umask (0644 under the usual 022)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, with the mode a plain write would give it
    (``mkstemp`` makes its files 0600, which would keep a shared run to its owner)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.fchmod(fd, _new_file_mode())
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
        if not (self.path / RUN_FILE).is_file():
            raise ConfigError(
                f"{self.path} is not a run directory (no {RUN_FILE}); "
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

    def record(self) -> RunRecord:
        """``run.json``, parsed and checked once (a one-line ConfigError when it is wrong)."""
        return RunRecord.from_json(self.read_json(RUN_FILE), str(self.file(RUN_FILE)))

    def write_record(self, record: RunRecord) -> None:
        """Write ``run.json``: the one writer of the record, child and runner alike."""
        write_json(self.file(RUN_FILE), record.to_json())

    def profile(self, load: Callable[[Path], P]) -> P:
        """The profile as run (``profile.yaml``), parsed by ``load``.

        ``load`` is :func:`stampede.profiles.load_profile` (the core knows no
        profiles); the file records the factors already applied, so the profile
        it gives back scales by 1.
        """
        if not self.has(PROFILE_FILE):
            raise ConfigError(
                f"{self.path} has no {PROFILE_FILE}; the run did not finish, run it again"
            )
        return load(self.file(PROFILE_FILE))

    def write_profile(self, profile: Yaml) -> Path:
        """Write the profile as run (resolved and scaled) to ``profile.yaml``."""
        path = self.file(PROFILE_FILE)
        write_text(path, profile.to_yaml())
        return path

    def target(self) -> TargetDescription:
        """The target description the run used (``target.yaml``; older runs: the reference's)."""
        path = self.file(TARGET_FILE)
        return load_description(path) if path.is_file() else reference_description()

    def plan(self) -> PlanDocument | None:
        """The capacity plan made from this run (``capacity/plan.json``), if there is one."""
        path = self.path / PLAN_DIR / PLAN_FILE
        return PlanDocument.load(path) if path.is_file() else None

    def latency(self) -> LatencyRecorder:
        return LatencyRecorder.from_dict(self.read_json(LATENCY_FILE))

    def timeline(self) -> LatencyTimeline:
        return LatencyTimeline.from_dict(self.read_json(TIMELINE_FILE))

    def arrivals(self) -> ArrivalLedger:
        return ArrivalLedger.from_dict(self.read_json(ARRIVALS_FILE))

    def outcomes(self) -> OutcomeCounter:
        return OutcomeCounter.from_dict(self.read_json(OUTCOMES_FILE))

    def users(self) -> list[dict[str, float]]:
        return list(self.read_json(USERS_FILE)["rows"])

    def cpu(self) -> list[dict[str, float]]:
        return list(self.read_json(CPU_FILE)["samples"])

    def audit(self) -> dict[str, Any] | None:
        return dict(self.read_json(AUDIT_FILE)) if self.has(AUDIT_FILE) else None
