"""``queue.json``: the notifications queue of a run, one sample a second (the record type).

Written by ``stampede run --queue`` (:mod:`stampede.app.queue_watch`), read by the
report's queue chart and the plan's drain rate. A value the broker or the store could
not give at that second is ``None``, never the last value seen.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from stampede.core.protocol import QUEUE_FILE


@dataclass(frozen=True)
class QueueSample:
    """One second of the queue: Unix time, messages ready, counters, consumer lag."""

    at: float
    depth: int | None
    published: float | None
    consumed: float | None
    lag_s: float | None


@dataclass(frozen=True)
class QueueRecord:
    queue: str
    interval_s: float
    samples: tuple[QueueSample, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "queue": self.queue,
            "interval_s": self.interval_s,
            "samples": [asdict(s) for s in self.samples],
        }

    def drain_rate(self) -> float | None:
        """Messages consumed per second while messages were waiting (None: never backed up).

        Measured over the seconds that began with a backlog, so an idle consumer waiting
        for work does not count as a slow one.
        """
        consumed = seconds = 0.0
        pairs = zip(self.samples, self.samples[1:], strict=False)
        for before, after in pairs:
            if not before.depth or before.consumed is None or after.consumed is None:
                continue
            consumed += after.consumed - before.consumed
            seconds += after.at - before.at
        return consumed / seconds if seconds > 0 else None


def write_queue(run_dir: Path, record: QueueRecord) -> None:
    (run_dir / QUEUE_FILE).write_text(json.dumps(record.to_dict(), indent=1) + "\n")


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def read_queue(run_dir: Path) -> QueueRecord | None:
    """The run's queue.json, or None when the run had no queue (or the file is unreadable)."""
    try:
        raw = json.loads((run_dir / QUEUE_FILE).read_text())
        samples = tuple(
            QueueSample(
                float(s["at"]),
                int(s["depth"]) if isinstance(s["depth"], int) else None,
                _number(s["published"]),
                _number(s["consumed"]),
                _number(s["lag_s"]),
            )
            for s in raw["samples"]
        )
        return QueueRecord(str(raw["queue"]), float(raw["interval_s"]), samples)
    except (OSError, ValueError, KeyError, TypeError):
        return None
