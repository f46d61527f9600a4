"""Orders lost to slowness: what the shoppers who gave up on a slow store cost.

The bundled shoppers abandon a page, a cart page or a failed checkout that took
longer than their patience (docs/patience.md), counted as ``abandoned_slow_*``
outcomes. A cart abandoned for slowness is one order lost; a visit abandoned
at a slow page is a shopper who might have bought, so it counts as the run's
conversion (orders paid per product viewed) of an order: an estimate, said so
wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stampede.core.outcomes import ABANDONED_SLOW_PAGE, CARTS_ABANDONED_FOR_SLOWNESS
from stampede.profiles import Patience


@dataclass(frozen=True)
class LostToSlowness:
    """Abandonments caused by waits beyond the shoppers' patience, and the orders they cost."""

    carts: int
    visits: int
    #: orders paid per product viewed (None: no product was viewed)
    conversion: float | None

    @property
    def orders(self) -> float:
        """Carts abandoned for slowness, plus the visits abandoned times the conversion."""
        return self.carts + self.visits * (self.conversion or 0.0)

    def note(self) -> str:
        conversion = "—" if self.conversion is None else f"{self.conversion * 100:.2f} %"
        return (
            f"{self.carts:,} carts abandoned at a cart page or checkout slower than the "
            f"shopper's patience, plus {self.visits:,} visits left at a slow page × "
            f"{conversion} conversion (orders paid per product viewed): an estimate"
        )


def lost_to_slowness(outcome_totals: Mapping[str, int]) -> LostToSlowness:
    """The run's abandonments for slowness, from its outcome totals."""
    viewed = outcome_totals.get("viewed_product", 0)
    paid = outcome_totals.get("order_paid", 0)
    return LostToSlowness(
        carts=sum(int(outcome_totals.get(name, 0)) for name in CARTS_ABANDONED_FOR_SLOWNESS),
        visits=int(outcome_totals.get(ABANDONED_SLOW_PAGE, 0)),
        conversion=paid / viewed if viewed else None,
    )


def slowness_figure(
    patience: Patience | None, outcome_totals: Mapping[str, int]
) -> tuple[str, str, str]:
    """The run report's key number: its value, note and tone ("bad" when orders were lost)."""
    if patience is None:
        return "—", "patience: off in this profile; nobody abandons", ""
    lost = lost_to_slowness(outcome_totals)
    return f"≈ {lost.orders:,.0f}", lost.note(), "bad" if lost.orders else ""
