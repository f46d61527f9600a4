"""Business outcomes, counted apart from transport failures.

A flash sale's 409 ``sold_out`` is the store working, not failing; so are a
402 decline and a 429 that the shopper honours (which answers are outcomes is
the target description's to say). Each is counted per interval, so reports
can chart them; the description's funnel names the steps shoppers reach.

Each named answer that Locust counted as a success is also tallied by its
request (``POST /basket/pay``), so a plan can tell a paid order from a
sold-out answer to the same request (:meth:`OutcomeCounter.answers`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

FORMAT = "stampede.outcomes/1"

#: a visit left at a page view slower than the shopper's patience (before any cart)
ABANDONED_SLOW_PAGE = "abandoned_slow_page"
#: a cart left at a cart page slower than the shopper's checkout patience
ABANDONED_SLOW_CART = "abandoned_slow_cart"
#: a checkout not retried: its failed answer came after the shopper's checkout patience
ABANDONED_SLOW_CHECKOUT = "abandoned_slow_checkout"
#: the carts shoppers left because the store was slower than their patience
CARTS_ABANDONED_FOR_SLOWNESS = (ABANDONED_SLOW_CART, ABANDONED_SLOW_CHECKOUT)
#: every abandonment for slowness (docs/patience.md), as the progress line shows them
ABANDONMENTS = (ABANDONED_SLOW_PAGE, *CARTS_ABANDONED_FOR_SLOWNESS)


class OutcomeCounter:
    """Counts of outcomes per interval of wall-clock time (``index = floor(t / interval)``)."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._counts: Counter[tuple[int, str]] = Counter()
        #: (interval, request, outcome): named answers Locust counted as successes
        self._answers: Counter[tuple[int, str, str]] = Counter()

    def add(self, outcome: str, at: float, count: int = 1) -> None:
        self._counts[(int(at // self.interval), outcome)] += count

    def add_answer(self, request: str, outcome: str, at: float, count: int = 1) -> None:
        """An answer to ``request`` (``"POST /basket/pay"``) that a rule named and that
        succeeded: the store worked, but it was no ordinary success."""
        self._answers[(int(at // self.interval), request, outcome)] += count

    def answers(self, request: str, start_s: float, end_s: float) -> int:
        """Successful named answers to ``request`` in the intervals starting in
        ``[start_s, end_s)``."""
        return sum(
            n
            for (i, r, _), n in self._answers.items()
            if r == request and start_s <= i * self.interval < end_s
        )

    def totals(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (_, outcome), n in self._counts.items():
            totals[outcome] += n
        return dict(totals)

    def series(self, outcome: str) -> list[tuple[float, int]]:
        """``(interval start time, count)`` for one outcome, in time order."""
        return sorted((i * self.interval, n) for (i, o), n in self._counts.items() if o == outcome)

    def merge(self, other: OutcomeCounter) -> None:
        if other.interval != self.interval:
            raise ValueError(f"cannot merge intervals {other.interval} and {self.interval}")
        self._counts.update(other._counts)
        self._answers.update(other._answers)

    def drain(self) -> OutcomeCounter:
        """Hand over what was counted so far and start empty (a worker's report)."""
        handed = OutcomeCounter(self.interval)
        handed._counts, self._counts = self._counts, Counter()
        handed._answers, self._answers = self._answers, Counter()
        return handed

    def __bool__(self) -> bool:
        return bool(self._counts) or bool(self._answers)

    def to_dict(self) -> dict[str, Any]:
        rows = sorted([i, o, n] for (i, o), n in self._counts.items())
        answers = sorted([i, r, o, n] for (i, r, o), n in self._answers.items())
        return {"format": FORMAT, "interval": self.interval, "rows": rows, "answers": answers}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OutcomeCounter:
        if data.get("format") != FORMAT:
            raise ValueError(f"not an outcomes record: format {data.get('format')!r}")
        counter = cls(float(data["interval"]))
        for index, outcome, n in data["rows"]:
            counter._counts[(int(index), str(outcome))] += int(n)
        # runs recorded before answers were tallied by request have none
        for index, request, outcome, n in data.get("answers", ()):
            counter._answers[(int(index), str(request), str(outcome))] += int(n)
        return counter
