"""Finding and reading profile files: bundled ones by name, others by path."""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from stampede.core.errors import ConfigError
from stampede.profiles._node import Node
from stampede.profiles._parse import parse_profile
from stampede.profiles._profile import Profile

_PACKAGE = "stampede.profiles"
_SUFFIX = ".yaml"


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing duplicate keys (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


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
        return profile_from_yaml(_read(Path(text)), source=text)
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
    try:
        # _StrictLoader is a yaml.SafeLoader: no tags beyond plain data are constructed.
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(f"{source}: {where}malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(f"{source}: malformed YAML: {detail}") from None
    if data is None:
        raise ConfigError(f"{source}: the file is empty; expected a profile mapping")
    return parse_profile(Node(data, "", source))
