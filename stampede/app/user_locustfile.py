"""A user's own locustfile and target description, checked before ``stampede run`` starts anything.

The locustfile is imported in a child process
(:mod:`stampede.scenarios.inspect_locustfile`: Locust monkey-patches the
standard library, so it never loads in this one) to list its user classes;
the profile's mix must name only those. A plain Locust user (not a
`StampedeUser`) runs in a closed-model profile, measured from its actual
send only, and the run, report and gate say its latency is uncorrected. The
target description is parsed once here and copied into the run directory,
where the Locust child and the reports read it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from stampede.core.errors import ConfigError
from stampede.core.target_description import (
    TargetDescription,
    description_from_yaml,
    reference_text,
)
from stampede.profiles import Profile
from stampede.traffic import UserClassInfo, check_mix

INSPECT_TIMEOUT_S = 120


@dataclass(frozen=True)
class UserLocustfile:
    """A locustfile of the user's, with its SHA-256 and the user classes it offers."""

    path: Path
    sha256: str
    classes: tuple[UserClassInfo, ...]


@dataclass(frozen=True)
class ResolvedTarget:
    """The target description a run uses: the file given (None: the reference's), parsed."""

    file: Path | None
    text: str
    description: TargetDescription


def inspect_locustfile(path: Path, python: str = sys.executable) -> UserLocustfile:
    """Import ``path`` in a child process; its classes, or a one-line `ConfigError`."""
    if not path.is_file():
        raise ConfigError(f"--locustfile {path}: no such file; expected a Python locustfile")
    if path.suffix != ".py":
        raise ConfigError(f"--locustfile {path}: not a .py file; expected a Python locustfile")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    command = [python, "-m", "stampede.scenarios.inspect_locustfile", str(path.resolve())]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSPECT_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"{path}: importing it took over {INSPECT_TIMEOUT_S} s; a locustfile should only "
            "define users at import"
        ) from None
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        answer = {}
    if "error" in answer:
        raise ConfigError(f"{path}: the locustfile does not import: {answer['error']}")
    if "classes" not in answer:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ConfigError(f"{path}: the locustfile could not be inspected: {last}")
    classes = tuple(
        UserClassInfo(str(c["name"]), bool(c["stampede"]), str(c["kind"]))
        for c in answer["classes"]
    )
    if not classes:
        raise ConfigError(
            f"{path}: no Locust user classes in the locustfile; expected classes such as "
            "class Shopper(StampedeUser) with @task methods"
        )
    return UserLocustfile(path, digest, classes)


def check_users(profile: Profile, locustfile: UserLocustfile) -> tuple[str, ...]:
    """The profile's mix names only user classes of the locustfile, plain Locust users only
    in a closed model (else ConfigError); the names of the mix's plain users."""
    return check_mix(profile, locustfile.classes, str(locustfile.path))


def resolve_target(given: Path | None, profile: Profile, profile_source: str) -> ResolvedTarget:
    """``--target``, else the profile's ``target:``, else the reference store's description."""
    file = given if given is not None else (Path(profile.target) if profile.target else None)
    if file is None:
        text = reference_text()
        source = "the reference store's description"
    else:
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{file}: no such target description file") from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise ConfigError(f"{file}: cannot read the target description: {reason}") from None
        source = str(file)
    description = description_from_yaml(text, source)
    description.check_slo_groups(tuple(s.group for s in profile.slos.latency), profile_source)
    return ResolvedTarget(file, text, description)
