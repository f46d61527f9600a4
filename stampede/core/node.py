"""A path-tracking view of parsed YAML, and the one-line errors it raises.

Every value read from a YAML input (a profile, a target description) is
wrapped in a `Node` that knows its key path (``stages[2].duration``) and its
file, so each check can say exactly where the bad value is, what it was and
what would be allowed. :func:`load_yaml` reads the text strictly (no duplicate
keys, plain data only) with the same one-line errors.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from stampede.core.errors import ConfigError

_PLAIN = re.compile(r"[\w.:%+/-]+")
_MAX_SHOWN = 60


def show(value: object) -> str:
    """``value`` as it would read in YAML, on one short line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str) and _PLAIN.fullmatch(value):
        return value
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value).replace("\n", " ")
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _one_of(names: Sequence[str]) -> str:
    return ", ".join(names)


@dataclass(frozen=True)
class Node:
    """A value read from a profile file, with its key path and the file it came from."""

    value: object
    path: str
    source: str

    def error(self, message: str) -> NoReturn:
        """Raise a `ConfigError`: ``<file>: <key path>: <message>``."""
        where = self.path or "top level"
        raise ConfigError(f"{self.source}: {where}: {message}".replace("\n", " "))

    def fail(self, expected: str, *, shown: str | None = None) -> NoReturn:
        """Raise ``<file>: <path>: <value> is not allowed; expected <expected>``."""
        self.error(f"{shown or show(self.value)} is not allowed; expected {expected}")

    def child(self, key: str) -> Node:
        """The node under ``key`` of this mapping (``None`` when the key is absent)."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(value, f"{self.path}.{key}" if self.path else key, self.source)

    def keys(self, required: Sequence[str] = (), optional: Sequence[str] = ()) -> None:
        """Check this is a mapping holding all of ``required`` and nothing but these keys."""
        allowed = [*required, *optional]
        if not isinstance(self.value, dict):
            self.fail(f"a mapping with the keys {_one_of(allowed)}")
        for key in self.value:
            if key not in allowed:
                self._unknown(key, allowed)
        for key in required:
            if key not in self.value:
                self.child(key).error("missing; this key is required")

    def _unknown(self, key: object, allowed: Sequence[str]) -> NoReturn:
        name = str(key)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        node = Node(key, f"{self.path}.{name}" if self.path else name, self.source)
        node.error(f"unknown key; {hint}expected one of {_one_of(allowed)}")

    def entries(self, allowed: Sequence[str]) -> Iterator[tuple[str, Node]]:
        """The (key, node) pairs of a mapping whose keys must all be in ``allowed``."""
        self.keys(optional=allowed)
        assert isinstance(self.value, dict)
        for key in self.value:
            yield key, self.child(key)

    def items(self) -> Iterator[Node]:
        """The nodes of a non-empty list."""
        if not isinstance(self.value, list) or not self.value:
            self.fail("a non-empty list")
        for index, value in enumerate(self.value):
            yield Node(value, f"{self.path}[{index}]", self.source)

    def text(self, expected: str = "a string") -> str:
        """This value as a non-empty single-line string."""
        if not isinstance(self.value, str) or not self.value.strip():
            self.fail(expected)
        return self.value.strip()

    def number(self, expected: str) -> float:
        """This value as a finite number (not a boolean)."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(expected)
        if not math.isfinite(value):
            self.fail(expected)
        return float(value)

    def whole(self, expected: str) -> int:
        """This value as an integer (``5`` or ``5.0``, not ``5.5``)."""
        number = self.number(expected)
        if not number.is_integer():
            self.fail(expected)
        return int(number)


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


def load_yaml(text: str, source: str, what: str) -> Node:
    """The top-level node of YAML ``text``; ``source`` names the file, ``what`` the
    mapping expected (``a profile mapping``) when the file is empty."""
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
        raise ConfigError(f"{source}: the file is empty; expected {what}")
    return Node(data, "", source)
