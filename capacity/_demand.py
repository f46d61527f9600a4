"""From a target user count to requests per second at each service.

Users arrive at a rate per user measured at the lightest plateau (where the
response time is shortest, so the rate is highest: the conservative choice).
Requests split across services by the visit ratios measured over all
plateaus. The target description's derived services are not called by
users: each receives its stated calls per request (or per successful
request) of its source, measured over the plateaus like the visit ratios.
A paid order is a successful request matching the description's ``orders``
that was not a business outcome: a 410 sold out that the task marked a
success is neither an order nor a success that drives a derived service;
the reference store's payments take two calls per paid order, its
notifications one and its gateway every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from stampede.capacity._plateaus import PROBE_HINT, Plateaus
from stampede.capacity._services import ServiceMap, reference_services
from stampede.core.errors import ConfigError


@dataclass(frozen=True)
class VisitRatios:
    """Share of all user requests that each measured service answers, paid orders, and
    the calls each derived service receives per user request."""

    per_service: Mapping[str, float]
    paid_orders_per_request: float
    derived_per_request: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Demand:
    """Requests per second at each service for one user count."""

    users: float
    requests_per_user_s: float
    total_rps: float
    paid_orders_per_s: float
    per_service: Mapping[str, float]


def visit_ratios(plateaus: Plateaus, services: ServiceMap | None = None) -> VisitRatios:
    """Measure the visit ratios over all plateaus, weighted by request counts.

    ``services`` (the run's target description; the reference store's by
    default) names the measured services, the paid orders and the derived
    services' sources.

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
    services = services or reference_services()
    by_service = frame.groupby("service")["throughput"].sum()
    shares = {s: float(by_service.get(s, 0.0)) / total for s in services.measured}
    paid = 0.0
    derived = dict.fromkeys((d.name for d in services.derived), 0.0)
    for kind, name, x, failed, named in zip(
        frame["type"],
        frame["name"],
        frame["throughput"],
        frame["failures_per_s"],
        frame["outcomes_per_s"],
        strict=True,
    ):
        # a sold-out answer the task accepted is no failure, and no paid order either
        ok = max(float(x) - float(failed) - float(named), 0.0)
        if services.is_order(str(kind), str(name)):
            paid += ok
        for service, calls in services.derived_calls(str(kind), str(name), float(x), ok).items():
            derived[service] += calls
    return VisitRatios(shares, paid / total, {s: c / total for s, c in derived.items()})


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
        Per-service rates including the derived services.
    """
    if users < 0 or per_user_rps <= 0:
        raise ConfigError(
            f"demand needs users >= 0 and a positive rate per user, not users={users:g}, "
            f"rate={per_user_rps:g}."
        )
    total = users * per_user_rps
    paid = total * ratios.paid_orders_per_request
    per_service = {s: total * share for s, share in ratios.per_service.items()}
    per_service.update({s: total * calls for s, calls in ratios.derived_per_request.items()})
    return Demand(users, per_user_rps, total, paid, per_service)
