"""Where a latency timeline keeps the intervals it sealed: in memory, or in a file.

A run's timeline seals one interval a second (each a few hundred bytes per
request group once encoded), so a long run would keep every second it ever
measured in the generator's memory. :class:`SealedIntervals` holds them as a
dict; with a spill file (``spill=path``) it appends each sealed interval to
the file as one JSON line and keeps only where it is (an offset and a length),
reading it back when it is asked for: when the run writes ``timeline.json``,
a window is read, or a late report reopens the interval. A reopened
interval's line is forgotten and, when sealed again, written anew, so what is
read back is always what was sealed last.

Nothing here imports ``asyncio``, ``threading`` or ``locust``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from stampede.core.errors import ConfigError


class SealedIntervals:
    """Encoded intervals by index, in memory or (with ``spill``) in an append-only file."""

    def __init__(self, spill: Path | None = None) -> None:
        self._memory: dict[int, dict[str, Any]] = {}
        self._where: dict[int, tuple[int, int]] = {}  # index -> offset, length in the file
        self._file: IO[bytes] | None = None
        self.path = spill
        if spill is not None:
            try:
                self._file = spill.open("w+b")
            except OSError as exc:
                raise ConfigError(f"cannot write latency intervals to {spill}: {exc}") from exc

    def __contains__(self, index: object) -> bool:
        return index in self._memory or index in self._where

    def __len__(self) -> int:
        return len(self._memory) + len(self._where)

    def __iter__(self) -> Iterator[int]:
        yield from self._memory
        yield from self._where

    def __getitem__(self, index: int) -> dict[str, Any]:
        found = self._memory.get(index)
        if found is not None:
            return found
        offset, length = self._where[index]
        assert self._file is not None
        self._file.seek(offset)
        row: dict[str, Any] = json.loads(self._file.read(length))
        return row

    def __setitem__(self, index: int, encoded: dict[str, Any]) -> None:
        self.pop(index)
        if self._file is None:
            self._memory[index] = encoded
            return
        line = json.dumps(encoded, separators=(",", ":")).encode() + b"\n"
        offset = self._file.seek(0, 2)
        self._file.write(line)
        self._where[index] = (offset, len(line))

    def pop(self, index: int) -> dict[str, Any] | None:
        """Interval ``index``'s encoded form, no longer sealed here (None when it was not)."""
        if index in self._memory:
            return self._memory.pop(index)
        if index not in self._where:
            return None
        found = self[index]
        del self._where[index]
        return found

    def values(self) -> Iterator[dict[str, Any]]:
        for index in list(self):
            yield self[index]

    def close(self, remove: bool = True) -> None:
        """Close the spill file (and delete it, by default); the intervals in it are gone."""
        if self._file is None:
            return
        self._file.close()
        self._file = None
        self._where.clear()
        if remove and self.path is not None:
            self.path.unlink(missing_ok=True)
