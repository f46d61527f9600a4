"""Matching a profile's mix to the user classes of a locustfile, with one-line errors.

The profile's ``mix`` and ``think_times`` are keyed by the names of the
locustfile's user classes (a `StampedeUser`'s ``behaviour`` when it sets
one, else its class name). Every name of the mix must be a user class of
the file; a class the mix leaves out does not run. A plain Locust user
(not a `StampedeUser`) runs in a closed-model profile only, measured from
Locust's request event, from its actual send: its latency is not corrected
for coordinated omission, and the run says so (an open model's arrivals
need the intended starts only Stampede's users have).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from stampede.core.errors import ConfigError
from stampede.profiles import Profile


@dataclass(frozen=True)
class UserClassInfo:
    """A user class a locustfile offers: the profile's name for it and what it is."""

    name: str
    stampede: bool
    kind: str = "User"  # the Locust base: FastHttpUser, HttpUser, User, …


def check_mix(profile: Profile, classes: Sequence[UserClassInfo], source: str) -> tuple[str, ...]:
    """The names of the mix's plain Locust users (measured uncorrected); raise `ConfigError`
    for a name of the mix that is no user class of ``source``, or a plain user in an
    open-model profile."""
    found = {c.name: c for c in classes}
    listed = ", ".join(sorted(found)) or "none"
    plain = []
    for entry in profile.mix:
        if entry.weight <= 0:
            continue
        info = found.get(entry.behaviour)
        if info is None:
            close = difflib.get_close_matches(entry.behaviour, list(found), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ConfigError(
                f"{source}: the profile's mix names {entry.behaviour}, which is not a user class "
                f"of this locustfile; {hint}its user classes are: {listed}"
            )
        if info.stampede:
            continue
        if profile.model == "open":
            raise ConfigError(
                f"{source}: {info.name} is a plain Locust {info.kind}, not a "
                "stampede.StampedeUser (an open-model profile's arrivals need StampedeUser "
                "classes); subclass StampedeUser (a FastHttpUser) or "
                "StampedeHttpUser (an HttpUser) instead: self.client works the same"
            )
        plain.append(info.name)
    return tuple(plain)
