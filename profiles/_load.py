"""Finding and reading profile files: bundled ones by name, others by path."""

from __future__ import annotations

import difflib
import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

from stampede.core.errors import ConfigError
from stampede.core.node import load_yaml
from stampede.profiles._parse import parse_profile
from stampede.profiles._profile import Profile

_PACKAGE = "stampede.profiles"
_SUFFIX = ".yaml"


def available_profiles() -> list[str]:
    """The names of the profiles bundled with Stampede, sorted."""
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in resources.files(_PACKAGE).iterdir()
        if entry.name.endswith(_SUFFIX)
    )


def load_profile(name_or_path: str | os.PathLike[str]) -> Profile:
    """The profile bundled under a name (``flash-sale``) or stored at a path.

    Anything with a path separator or a ``.yaml``/``.yml`` suffix is a path.
    Raise `ConfigError` for an unknown name, an unreadable file or an invalid profile.
    """
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(text):
        profile = profile_from_yaml(_read(Path(text)), source=text)
        if profile.target is not None:  # a target description next to the profile
            profile = replace(profile, target=os.fspath(Path(text).parent / profile.target))
        return profile
    names = available_profiles()
    if text not in names:
        close = difflib.get_close_matches(text, names, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ConfigError(
            f"unknown profile {text!r}; {hint}expected one of {', '.join(names)} "
            "or the path of a .yaml file"
        )
    bundled = resources.files(_PACKAGE).joinpath(text + _SUFFIX).read_text(encoding="utf-8")
    return profile_from_yaml(bundled, source=f"{_PACKAGE}/{text}{_SUFFIX}")


def _looks_like_path(text: str) -> bool:
    return "/" in text or os.sep in text or text.endswith((_SUFFIX, ".yml"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{path}: cannot read the profile: {reason}") from None


def profile_from_yaml(text: str, source: str) -> Profile:
    """The profile in YAML ``text``; ``source`` names the file in error messages."""
    return parse_profile(load_yaml(text, source, "a profile mapping"))
