"""Reading typed values out of one parsed JSON file, once, with one-line errors.

:class:`Fields` wraps a JSON object (or array) of a file. Each accessor reads
one key as the type it must have, so a wrong file fails where it is read, in
one sentence that names the file, the key and the bad value::

    runs/x/run.json: generator.processes is 'two', expected an integer

The record types (:mod:`stampede.core.records`, :mod:`stampede.core.plan_document`)
parse their files through it; nothing downstream reads a ``dict`` with ``.get``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn, TypeVar

from stampede.core.errors import ConfigError

T = TypeVar("T")

#: what ``json.loads`` returns, and what a record's ``to_json`` gives back
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
_INFINITIES = {"inf": math.inf, "-inf": -math.inf}


def _show(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Fields:
    """One JSON object (or array) of ``source``, at ``where`` within the file.

    ``hint`` ends every error message (say, which program writes the file).
    """

    def __init__(self, data: object, source: str, where: str = "", hint: str = "") -> None:
        self.source, self.where, self.hint = source, where, hint
        if isinstance(data, Mapping):
            self._data: Mapping[object, object] = data
        elif isinstance(data, list | tuple):
            self._data = dict(enumerate(data))
        else:
            self._fail(None, data, "an object")

    @classmethod
    def document(cls, data: object, source: str, hint: str = "") -> Fields:
        """The top-level object of the file ``source``."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: the file is {_show(data)}, expected an object{hint}")
        return cls(data, source, hint=hint)

    def _path(self, key: object) -> str:
        if key is None:
            return self.where or "the file"
        if isinstance(key, int):
            return f"{self.where}[{key}]"
        return f"{self.where}.{key}" if self.where else str(key)

    def _fail(self, key: object, value: object, expected: str) -> NoReturn:
        raise ConfigError(
            f"{self.source}: {self._path(key)} is {_show(value)}, expected {expected}{self.hint}"
        )

    def _get(self, key: str | int, default: object) -> object:
        if key in self._data:
            return self._data[key]
        if default is MISSING:
            raise ConfigError(f"{self.source}: {self._path(key)} is missing{self.hint}")
        return default

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def names(self) -> list[str]:
        return [str(k) for k in self._data]

    def raw(self, key: str | int) -> object:
        """The value under ``key`` unchecked: for a section kept as written."""
        return self._get(key, MISSING)

    def text(self, key: str | int, default: str | _Missing = MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            self._fail(key, value, "a string")
        return value

    def number(self, key: str | int, default: float | _Missing = MISSING) -> float:
        """A number; ``"inf"`` and ``"-inf"`` too (JSON has no infinity, the writers spell it)."""
        value = self._get(key, default)
        if isinstance(value, str) and value in _INFINITIES:
            return _INFINITIES[value]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._fail(key, value, "a number")
        return float(value)

    def integer(self, key: str | int, default: int | _Missing = MISSING) -> int:
        value = self._get(key, default)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self._fail(key, value, "an integer")
        return value

    def flag(self, key: str | int, default: bool | _Missing = MISSING) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            self._fail(key, value, "true or false")
        return value

    def _null(self, key: str | int, absent_ok: bool) -> bool:
        """Whether ``key`` holds null (or, when ``absent_ok``, is not there at all)."""
        if key not in self._data and not absent_ok:
            self._get(key, MISSING)
        return self._data.get(key) is None

    def optional_text(self, key: str | int, *, absent_ok: bool = False) -> str | None:
        """A string or null (None); with ``absent_ok`` the key may be left out too."""
        return None if self._null(key, absent_ok) else self.text(key)

    def optional_number(self, key: str | int, *, absent_ok: bool = False) -> float | None:
        return None if self._null(key, absent_ok) else self.number(key)

    def optional_integer(self, key: str | int, *, absent_ok: bool = False) -> int | None:
        return None if self._null(key, absent_ok) else self.integer(key)

    def optional_flag(self, key: str | int, *, absent_ok: bool = False) -> bool | None:
        return None if self._null(key, absent_ok) else self.flag(key)

    def child(self, key: str | int) -> Fields:
        """The object (or array) under ``key``."""
        return Fields(self._get(key, MISSING), self.source, self._path(key), self.hint)

    def optional_child(self, key: str | int) -> Fields | None:
        """The object under ``key``, or None when it is null."""
        return None if self._null(key, False) else self.child(key)

    def children(
        self, key: str | int, default: Sequence[object] | _Missing = MISSING
    ) -> list[Fields]:
        """Each element of the list under ``key``, as a :class:`Fields`."""
        value = self._get(key, default)
        if not isinstance(value, list | tuple):
            self._fail(key, value, "a list")
        path = self._path(key)
        return [
            Fields(item, self.source, f"{path}[{i}]", self.hint) for i, item in enumerate(value)
        ]

    def texts(self, key: str | int, default: Sequence[str] | _Missing = MISSING) -> tuple[str, ...]:
        value = self._get(key, default)
        if not isinstance(value, list | tuple):
            self._fail(key, value, "a list of strings")
        items = Fields(value, self.source, self._path(key), self.hint)
        return tuple(items.text(i) for i in range(len(value)))

    def number_map(self, key: str | int) -> dict[str, float]:
        """An object of numbers, by name."""
        inner = self.child(key)
        return {name: inner.number(name) for name in inner.names()}

    def integer_map(self, key: str | int) -> dict[str, int]:
        inner = self.child(key)
        return {name: inner.integer(name) for name in inner.names()}

    def each(
        self,
        key: str | int,
        parse: Callable[[Fields], T],
        default: Sequence[object] | _Missing = MISSING,
    ) -> tuple[T, ...]:
        """``parse`` applied to each object of the list under ``key``."""
        return tuple(parse(item) for item in self.children(key, default))


def finite_or_text(x: float) -> float | str:
    """``x`` for JSON: an infinity as ``"inf"``/``"-inf"``, which :meth:`Fields.number` reads."""
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x
