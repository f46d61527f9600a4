"""Matching a profile's mix to the user classes of a locustfile, with one-line errors.

The profile's ``mix`` and ``think_times`` are keyed by the names of the
locustfile's user classes (a `StampedeUser`'s ``behaviour`` when it sets
one, else its class name). Every name of the mix must be a user class of
the file; a class the mix leaves out does not run. A plain Locust user
(not a `StampedeUser`) can be refused (``stampede run``), or run in a
closed-model profile and measured from Locust's request event only, from
its actual send: its latency is not corrected for coordinated omission,
and the run says so.
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


def check_mix(
    profile: Profile, classes: Sequence[UserClassInfo], source: str, *, allow_plain: bool
) -> tuple[str, ...]:
    """The names of the mix's plain Locust users (measured uncorrected); raise `ConfigError`
    for a name of the mix that is no user class of ``source``, or a plain user refused."""
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
        if not allow_plain or profile.model == "open":
            why = (
                "an open-model profile's arrivals need StampedeUser classes"
                if allow_plain
                else "stampede run measures every request from its intended start"
            )
            raise ConfigError(
                f"{source}: {info.name} is a plain Locust {info.kind}, not a "
                f"stampede.StampedeUser ({why}); subclass StampedeUser (a FastHttpUser: "
                "self.client works the same) instead"
            )
        plain.append(info.name)
    return tuple(plain)
