"""The open-model arrival ledger: what was meant to be sent, and what was.

An open-model run intends arrivals at scheduled times whatever the target
does. A generator that falls behind sends them late or not at all, and then
the target never saw the load the run claims. The ledger counts, per interval
of *intended* time, the arrivals intended, those sent, and those missed (sent
more than a lateness tolerance after their intended time, or never sent).

Ledgers of several processes merge by adding counts interval by interval.
Nothing here imports ``asyncio``, ``threading`` or ``locust``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stampede.core.errors import ConfigError

FORMAT = "stampede.arrivals/1"


@dataclass(frozen=True)
class ArrivalCounts:
    """Arrivals whose intended time fell in one interval (``start`` is seconds from the origin)."""

    index: int
    start: float
    intended: int
    sent: int
    missed: int


class ArrivalLedger:
    """Counts of intended, sent and missed arrivals per interval of intended time.

    Parameters
    ----------
    interval
        Length of an interval in seconds.
    origin
        The run's start on the caller's clock; interval 0 begins there.
    tolerance
        An arrival sent more than this many seconds after its intended time is
        missed (it is still counted as sent).
    """

    def __init__(self, interval: float, origin: float, tolerance: float = 0.010) -> None:
        if not interval > 0:
            raise ConfigError(f"an arrival ledger's interval must be > 0 s, not {interval!r}")
        if not tolerance >= 0:
            raise ConfigError(f"a lateness tolerance must be >= 0 s, not {tolerance!r}")
        self.interval = float(interval)
        self.origin = float(origin)
        self.tolerance = float(tolerance)
        # index -> [intended, sent, missed]
        self._rows: dict[int, list[int]] = {}

    def record_sent(self, intended_at: float, sent_at: float) -> None:
        """Count one arrival intended at ``intended_at`` and sent at ``sent_at``."""
        row = self._row(intended_at)
        row[0] += 1
        row[1] += 1
        if sent_at - intended_at > self.tolerance:
            row[2] += 1

    def record_unsent(self, intended_at: float, count: int = 1) -> None:
        """Count ``count`` arrivals intended at ``intended_at`` that were never sent."""
        row = self._row(intended_at)
        row[0] += count
        row[2] += count

    @property
    def intended(self) -> int:
        return sum(row[0] for row in self._rows.values())

    @property
    def sent(self) -> int:
        return sum(row[1] for row in self._rows.values())

    @property
    def missed(self) -> int:
        return sum(row[2] for row in self._rows.values())

    @property
    def sent_fraction(self) -> float:
        """Sent over intended, late or not; 1.0 when nothing was intended."""
        intended = self.intended
        return self.sent / intended if intended else 1.0

    def rows(self) -> list[ArrivalCounts]:
        """One row per interval that had an intended arrival, in order."""
        return [
            ArrivalCounts(index, index * self.interval, *self._rows[index])
            for index in sorted(self._rows)
        ]

    def merge(self, other: ArrivalLedger) -> None:
        """Add ``other``'s counts to this ledger, interval by interval."""
        if (other.interval, other.tolerance) != (self.interval, self.tolerance):
            raise ConfigError(
                f"cannot merge an arrival ledger of {other.interval:g} s intervals and "
                f"{other.tolerance:g} s tolerance into one of {self.interval:g} s and "
                f"{self.tolerance:g} s; every process must use the same settings"
            )
        for index, counts in other._rows.items():
            row = self._rows.setdefault(index, [0, 0, 0])
            for position, value in enumerate(counts):
                row[position] += value

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form: settings and ``[index, intended, sent, missed]`` rows."""
        return {
            "format": FORMAT,
            "interval": self.interval,
            "tolerance": self.tolerance,
            "rows": [[index, *self._rows[index]] for index in sorted(self._rows)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], origin: float = 0.0) -> ArrivalLedger:
        """Rebuild a ledger from :meth:`to_dict` output; ConfigError when it is not one."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ConfigError(f"not a Stampede arrival ledger: expected format {FORMAT!r}")
        try:
            ledger = cls(float(data["interval"]), origin, float(data["tolerance"]))
            for index, intended, sent, missed in data["rows"]:
                ledger._rows[int(index)] = [int(intended), int(sent), int(missed)]
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"malformed Stampede arrival ledger: {exc!r}") from exc
        return ledger

    def _row(self, intended_at: float) -> list[int]:
        index = int((intended_at - self.origin) // self.interval)
        row = self._rows.get(index)
        if row is None:
            row = self._rows[index] = [0, 0, 0]
        return row
