"""What a master tells each worker before its users spawn: run exactly this traffic.

A worker started with only ``--worker --master-host H`` knows nothing of the
run; Locust sends it the users to spawn, not the profile they follow. The
master hands each worker a :class:`MasterTraffic` with its first spawn: the
profile as run (resolved and scaled, as YAML), its factors, the seed, the
seeded shoppers, the lateness tolerance and the fingerprints of its
locustfiles. The worker runs that. A flag the worker was given explicitly that
disagrees with the master's is a mistake to refuse, not to override silently
(:func:`disagreements`).

Adding a field to the handshake is data: a field on :class:`MasterTraffic`
(sent and read by name) and, when a worker's flag can disagree with it, one
:class:`FlagCheck` in :data:`FLAG_CHECKS`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stampede.core.errors import ConfigError
from stampede.profiles import Profile, profile_from_yaml

TRAFFIC_REFUSED_MESSAGE = "stampede_refused"


@dataclass(frozen=True)
class Locustfile:
    """A locustfile by its name and the SHA-256 of its text."""

    name: str
    sha256: str

    @classmethod
    def of(cls, path: str | Path) -> Locustfile:
        path = Path(path)
        return cls(path.name, hashlib.sha256(path.read_bytes()).hexdigest())

    def show(self) -> str:
        return f"{self.name} (sha256 {self.sha256[:12]})"


@dataclass(frozen=True)
class MasterTraffic:
    """The master's traffic, as every worker must run it."""

    profile_yaml: str
    profile: str
    scale: float
    time_scale: float
    seed: int | None
    shoppers: int
    lateness_tolerance_ms: float
    locustfiles: tuple[Locustfile, ...]
    #: the target description in use, as YAML (the reference store's, or the user's)
    target_yaml: str

    @property
    def target(self) -> str:
        """The target description's fingerprint (what a worker's --stampede-target must match)."""
        return text_fingerprint(self.target_yaml)

    def to_wire(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> MasterTraffic:
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in data]
        if missing:
            raise ConfigError(
                f"the master's traffic message lacks {', '.join(missing)}; the master runs "
                "another version of Stampede: install the same version on master and workers"
            )
        values = {f.name: data[f.name] for f in dataclasses.fields(cls)}
        values["locustfiles"] = tuple(Locustfile(**entry) for entry in data["locustfiles"])
        return cls(**values)

    def resolved_profile(self) -> Profile:
        """The profile as the master runs it (already scaled: its factors are recorded)."""
        return profile_from_yaml(self.profile_yaml, "the master's profile")


@dataclass(frozen=True)
class FlagCheck:
    """A worker flag that must agree with one field of the master's traffic."""

    flag: str
    field: str

    def differs(self, mine: object, master: object) -> bool:
        if isinstance(mine, float | int) and isinstance(master, float | int):
            return not math.isclose(float(mine), float(master), rel_tol=1e-9)
        return mine != master


def text_fingerprint(text: str) -> str:
    """A short SHA-256 of a text, to name it in one line."""
    return "sha256 " + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


FLAG_CHECKS: tuple[FlagCheck, ...] = (
    FlagCheck("--traffic", "profile"),
    FlagCheck("--scale", "scale"),
    FlagCheck("--time-scale", "time_scale"),
    FlagCheck("--stampede-seed", "seed"),
    FlagCheck("--shoppers", "shoppers"),
    FlagCheck("--lateness-tolerance", "lateness_tolerance_ms"),
    FlagCheck("--stampede-target", "target"),
)


def disagreements(
    explicit: Mapping[str, object], locustfiles: Sequence[Locustfile], master: MasterTraffic
) -> list[str]:
    """What the worker was told that the master's traffic contradicts, one phrase each.

    ``explicit`` holds the worker's flags the user gave (by flag, the value as
    the master's field holds it: ``--traffic`` as the profile's name);
    flags left to their defaults take the master's values and never disagree.
    """
    found = []
    for check in FLAG_CHECKS:
        if check.flag not in explicit:
            continue
        mine, theirs = explicit[check.flag], getattr(master, check.field)
        if check.differs(mine, theirs):
            found.append(f"{check.flag} {_show(mine)} differs from the master's {_show(theirs)}")
    if sorted(f.sha256 for f in locustfiles) != sorted(f.sha256 for f in master.locustfiles):
        ours = ", ".join(f.show() for f in locustfiles)
        theirs = ", ".join(f.show() for f in master.locustfiles)
        found.append(f"locustfile {ours} differs from the master's {theirs}")
    return found


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def refusal(found: Sequence[str]) -> str:
    """The one line a refused worker prints."""
    return (
        f"this worker's {'; its '.join(found)}: start it with only --worker --master-host "
        "(and -f - for the master's locustfile) to run the master's traffic, or give it the "
        "master's values"
    )
