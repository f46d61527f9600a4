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

The business, not the probe, says how many shoppers come and how many buy
(:class:`BusinessDemand`): peak concurrent users, a shopper's pace at scale 1
(from the profile's think times), visits that each last a stated time, and a
conversion of orders per visit (the case study's 2.56 %). Paid orders are
visits × conversion; the probe's paid-order mix (a probe's shoppers check out
far more often) only splits requests between services.
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
    #: the part of ``derived_per_request`` that paid orders drive (a successful order
    #: request's calls): it follows the business's orders, not the probe's mix
    derived_by_orders: Mapping[str, float] = field(default_factory=dict)


#: the case study's conversion after the rebuild: orders per visit
CASE_STUDY_CONVERSION = 0.0256
#: the case study's ordinary day beside its sale: 5,000 of 120,000 concurrent users
CASE_STUDY_BASELINE_SHARE = 5_000 / 120_000
#: how long one visit lasts (stated, not measured): it turns users into visits
DEFAULT_VISIT_S = 300.0


@dataclass(frozen=True)
class BusinessDemand:
    """What the business expects: how shoppers behave and how many of their visits buy.

    Attributes
    ----------
    conversion : float
        Orders per visit (the case study's 2.56 %).
    visit_s : float
        How long a visit lasts; concurrent users over it are visits per second.
    pace_rps : float, optional
        Requests a shopper sends per second at scale 1; by default the probe's
        requests per action over the profile's think time plus the light-load
        response time.
    baseline_share : float
        Concurrent users of an ordinary day as a share of the peak (the case
        study's 5,000 of 120,000), unless ``daily_visits`` is given.
    daily_visits : float, optional
        Visits of an ordinary day; its concurrent users are
        ``daily_visits × visit_s / 86,400`` (visits spread over the day).
    """

    conversion: float = CASE_STUDY_CONVERSION
    visit_s: float = DEFAULT_VISIT_S
    pace_rps: float | None = None
    baseline_share: float = CASE_STUDY_BASELINE_SHARE
    daily_visits: float | None = None

    def __post_init__(self) -> None:
        checks = (
            ("conversion", self.conversion, 0 <= self.conversion <= 1, "between 0 and 1"),
            ("visit_s", self.visit_s, self.visit_s > 0, "above 0 seconds"),
            ("pace_rps", self.pace_rps, self.pace_rps is None or self.pace_rps > 0, "above 0"),
            ("baseline_share", self.baseline_share, 0 < self.baseline_share <= 1, "in (0, 1]"),
            (
                "daily_visits",
                self.daily_visits,
                self.daily_visits is None or self.daily_visits > 0,
                "above 0",
            ),
        )
        for name, value, ok, allowed in checks:
            if not ok:
                raise ConfigError(
                    f"the business demand's {name} is {value:g}; it must be {allowed}."
                )

    def baseline_users(self, peak_users: float) -> float:
        """Concurrent users of an ordinary day: from the daily visits, else the share."""
        if self.daily_visits is not None:
            return self.daily_visits * self.visit_s / 86_400.0
        return peak_users * self.baseline_share

    def orders_per_s(self, users: float) -> float:
        """Paid orders a second when ``users`` shop: their visits a second × conversion."""
        return users / self.visit_s * self.conversion


@dataclass(frozen=True)
class Pace:
    """A shopper's requests per second at scale 1, and where the figure came from."""

    rps: float
    #: requests per action (a page with its API calls), measured; None when stated
    requests_per_action: float | None
    #: seconds between actions: think time plus light-load response; None when stated
    action_s: float | None


def shopper_pace(plateaus: Plateaus, think_time_s: float | None, business: BusinessDemand) -> Pace:
    """A shopper's pace: stated, or requests per action over (think time + response).

    The requests per action are the lightest plateau's requests per user over its
    actions per user (``1 / (R + Z_probe)``, Little's law for one user); the
    scale-1 pace puts them on the profile's think time, which the runner does not
    compress with the time scale. Without a think time the measured requests per
    user-second stand.
    """
    if business.pace_rps is not None:
        return Pace(business.pace_rps, None, None)
    lightest = min(plateaus.points, key=lambda p: p.users)
    measured = lightest.throughput / lightest.users
    if think_time_s is None or think_time_s <= 0:
        return Pace(measured, None, None)
    action_s = lightest.mean_ms / 1000.0 + think_time_s
    per_action = measured * action_s
    return Pace(per_action / action_s, per_action, action_s)


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
    by_orders = dict.fromkeys(derived, 0.0)
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
        order = services.is_order(str(kind), str(name))
        paid += ok if order else 0.0
        for service, calls in services.derived_calls(str(kind), str(name), float(x), ok).items():
            derived[service] += calls
            if order and _per_success(services, service):
                by_orders[service] += calls
    return VisitRatios(
        shares,
        paid / total,
        {s: c / total for s, c in derived.items()},
        {s: c / total for s, c in by_orders.items() if c > 0},
    )


def _per_success(services: ServiceMap, name: str) -> bool:
    return any(d.name == name and d.successes_only for d in services.derived)


def requests_per_user(plateaus: Plateaus, think_time_s: float | None = None) -> float:
    """Requests per second one user makes, from the lightest plateau.

    With ``think_time_s`` it is ``1 / (R + Z)`` (Little's law for one user);
    without, the measured ``X / users``, which includes the real think time.
    """
    lightest = min(plateaus.points, key=lambda p: p.users)
    if think_time_s is not None:
        return 1.0 / (lightest.mean_ms / 1000.0 + think_time_s)
    return lightest.throughput / lightest.users


def demand_at(
    users: float,
    per_user_rps: float,
    ratios: VisitRatios,
    business: BusinessDemand | None = None,
) -> Demand:
    """Requests per second at each service when ``users`` are active.

    Parameters
    ----------
    users : float
        Concurrent users at the moment of interest (the sale peak, say).
    per_user_rps : float
        Requests per second one user makes (:func:`requests_per_user`).
    ratios : VisitRatios
        How requests split across services.
    business : BusinessDemand, optional
        Paid orders from visits × conversion; without it, from the probe's
        paid-order mix.

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
    paid = (
        business.orders_per_s(users)
        if business is not None
        else total * ratios.paid_orders_per_request
    )
    per_service = {s: total * share for s, share in ratios.per_service.items()}
    per_service.update({s: total * calls for s, calls in ratios.derived_per_request.items()})
    probe_paid = ratios.paid_orders_per_request
    if business is not None and probe_paid > 0:
        # calls a paid order drives follow the business's orders, not the probe's
        for s, calls in ratios.derived_by_orders.items():
            per_service[s] += paid * calls / probe_paid - total * calls
    return Demand(users, per_user_rps, total, paid, per_service)
