"""From a target user count to requests per second at each service.

Users arrive at a rate per user measured at the lightest plateau (where the
response time is shortest, so the rate is highest: the conservative choice).
Requests split across services by the visit ratios measured over all
plateaus. Payments and notifications are not called by users: each paid
order (a successful checkout) makes one payment authorise and one capture,
and one notification; the gateway sees every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stampede.capacity._plateaus import PROBE_HINT, Plateaus
from stampede.capacity._services import MEASURED_SERVICES, is_checkout
from stampede.core.errors import ConfigError

PAYMENT_CALLS_PER_ORDER = 2.0
NOTIFICATIONS_PER_ORDER = 1.0


@dataclass(frozen=True)
class VisitRatios:
    """Share of all user requests that each measured service answers, and checkouts."""

    per_service: Mapping[str, float]
    paid_orders_per_request: float


@dataclass(frozen=True)
class Demand:
    """Requests per second at each service for one user count."""

    users: float
    requests_per_user_s: float
    total_rps: float
    paid_orders_per_s: float
    per_service: Mapping[str, float]


def visit_ratios(plateaus: Plateaus) -> VisitRatios:
    """Measure the visit ratios over all plateaus, weighted by request counts.

    Raises
    ------
    ConfigError
        If the history has no per-endpoint rows.
    """
    frame = plateaus.endpoints
    total = float(frame["throughput"].sum()) if not frame.empty else 0.0
    if total <= 0:
        raise ConfigError(
            f"the stats history has no per-endpoint rows; {PROBE_HINT} with "
            "--csv-full-history so requests can be split by service."
        )
    by_service = frame.groupby("service")["throughput"].sum()
    shares = {s: float(by_service.get(s, 0.0)) / total for s in MEASURED_SERVICES}
    checkouts = frame[frame["name"].map(is_checkout)]
    paid = float((checkouts["throughput"] - checkouts["failures_per_s"]).clip(lower=0).sum())
    return VisitRatios(shares, paid / total)


def requests_per_user(plateaus: Plateaus, think_time_s: float | None = None) -> float:
    """Requests per second one user makes, from the lightest plateau.

    With ``think_time_s`` it is ``1 / (R + Z)`` (Little's law for one user);
    without, the measured ``X / users``, which includes the real think time.
    """
    lightest = min(plateaus.points, key=lambda p: p.users)
    if think_time_s is not None:
        return 1.0 / (lightest.mean_ms / 1000.0 + think_time_s)
    return lightest.throughput / lightest.users


def demand_at(users: float, per_user_rps: float, ratios: VisitRatios) -> Demand:
    """Requests per second at each service when ``users`` are active.

    Parameters
    ----------
    users : float
        Concurrent users at the moment of interest (the sale peak, say).
    per_user_rps : float
        Requests per second one user makes (:func:`requests_per_user`).
    ratios : VisitRatios
        How requests split across services.

    Returns
    -------
    Demand
        Per-service rates including the derived payments, notifications and
        gateway.
    """
    if users < 0 or per_user_rps <= 0:
        raise ConfigError(
            f"demand needs users >= 0 and a positive rate per user, not users={users:g}, "
            f"rate={per_user_rps:g}."
        )
    total = users * per_user_rps
    paid = total * ratios.paid_orders_per_request
    per_service = {s: total * share for s, share in ratios.per_service.items()}
    per_service["payments"] = paid * PAYMENT_CALLS_PER_ORDER
    per_service["notifications"] = paid * NOTIFICATIONS_PER_ORDER
    per_service["gateway"] = total
    return Demand(users, per_user_rps, total, paid, per_service)
