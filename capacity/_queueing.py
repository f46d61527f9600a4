"""M/M/c queues and the Allen–Cunneen correction for general service times.

Erlang C gives the probability that an arrival waits when ``c`` servers share
offered load ``a = λ/μ`` (in Erlangs). An arrival that waits does so for an
exponential time of rate ``cμ − λ``, so the response time is that wait (with
probability C) plus the service time, and its percentiles follow by root
finding. For G/G/c the Allen–Cunneen approximation scales the wait by
``(ca² + cs²)/2``, the mean of the squared coefficients of variation of
inter-arrival and service times; the service time is then taken as gamma
distributed with the measured mean and ``cs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import integrate, optimize, special

from stampede.core.errors import ConfigError


def _check_stable(servers: int, arrival_rate: float, service_rate: float) -> None:
    if servers < 1 or arrival_rate < 0 or service_rate <= 0:
        raise ConfigError(
            f"a queue needs servers >= 1, arrival rate >= 0 and service rate > 0, not "
            f"servers={servers}, arrival={arrival_rate:g}, service={service_rate:g}."
        )
    if arrival_rate >= servers * service_rate:
        raise ConfigError(
            f"offered load {arrival_rate / service_rate:.3g} Erlangs saturates {servers} "
            "server(s); add servers until c exceeds the offered load."
        )


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    Parameters
    ----------
    servers : int
        Number of servers ``c``.
    offered_load : float
        ``a = λ/μ`` in Erlangs; must be below ``c``.

    Returns
    -------
    float
        ``P(wait > 0)``; for ``c=3, a=2`` it is ``4/9``.

    Raises
    ------
    ConfigError
        If the queue is unstable (``a >= c``) or the arguments are out of range.
    """
    _check_stable(servers, offered_load, 1.0)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1.0 - blocking))


def allen_cunneen_factor(ca: float, cs: float) -> float:
    """``(ca² + cs²)/2``: how much longer G/G/c waits are than M/M/c ones."""
    if ca < 0 or cs < 0:
        raise ConfigError(f"coefficients of variation must be >= 0, not ca={ca:g}, cs={cs:g}.")
    return (ca * ca + cs * cs) / 2.0


def mean_wait(
    servers: int, arrival_rate: float, service_rate: float, *, ca: float = 1.0, cs: float = 1.0
) -> float:
    """Mean time in queue (before service) of an M/M/c or, approximately, G/G/c queue.

    Parameters
    ----------
    servers : int
        Number of servers ``c``.
    arrival_rate, service_rate : float
        ``λ`` and ``μ`` (per server), in the same time unit.
    ca, cs : float
        Coefficients of variation of inter-arrival and service times; 1 for
        exponential (the exact M/M/c result), other values apply Allen–Cunneen.

    Returns
    -------
    float
        Mean wait ``C(c, a) / (cμ − λ) · (ca² + cs²)/2``.
    """
    _check_stable(servers, arrival_rate, service_rate)
    c = erlang_c(servers, arrival_rate / service_rate)
    return c / (servers * service_rate - arrival_rate) * allen_cunneen_factor(ca, cs)


def response_time_tail(
    t: float,
    servers: int,
    arrival_rate: float,
    service_rate: float,
    *,
    ca: float = 1.0,
    cs: float = 1.0,
) -> float:
    """``P(T > t)`` for the response time (wait plus service) of the queue."""
    _check_stable(servers, arrival_rate, service_rate)
    c = erlang_c(servers, arrival_rate / service_rate)
    theta = (servers * service_rate - arrival_rate) / allen_cunneen_factor(ca, cs)
    if cs == 1.0:
        mu = service_rate
        if math.isclose(theta, mu, rel_tol=1e-9):
            waited = (1.0 + mu * t) * math.exp(-mu * t)
        else:
            waited = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
        return (1.0 - c) * math.exp(-mu * t) + c * waited
    shape = 1.0 / (cs * cs)
    rate = shape * service_rate

    def service_tail(x: float) -> float:
        return float(special.gammaincc(shape, rate * x)) if x > 0 else 1.0

    # P(W + S > t) = P(W > t) + ∫ θe^(-θ(t-x)) P(S > x) dx over x in [0, t]; the
    # integrand is negligible outside the last 60/θ before t and beyond ~60
    # service scales, so integrating only where both matter keeps quad accurate.
    lo, hi = max(0.0, t - 60.0 / theta), min(t, (shape + 60.0) / rate)
    convolved = 0.0
    if lo < hi:
        convolved, _ = integrate.quad(
            lambda x: theta * math.exp(-theta * (t - x)) * service_tail(x), lo, hi, limit=200
        )
    waited = math.exp(-theta * t) + float(convolved)
    return (1.0 - c) * service_tail(t) + c * waited


def response_time_percentile(
    q: float,
    servers: int,
    arrival_rate: float,
    service_rate: float,
    *,
    ca: float = 1.0,
    cs: float = 1.0,
) -> float:
    """The ``q`` quantile (e.g. 0.95) of the response time of an M/M/c or G/G/c queue.

    Parameters
    ----------
    q : float
        Quantile in (0, 1).
    servers : int
        Number of servers ``c``.
    arrival_rate, service_rate : float
        ``λ`` and ``μ`` per server.
    ca, cs : float
        Coefficients of variation (1 = exponential, exact M/M/c).

    Returns
    -------
    float
        ``t`` with ``P(T <= t) = q``, in the rates' time unit. For M/M/1 this
        is ``ln(1/(1-q)) / (μ − λ)``.
    """
    if not 0.0 < q < 1.0:
        raise ConfigError(f"a percentile must lie in (0, 1), not {q:g}.")
    _check_stable(servers, arrival_rate, service_rate)

    def gap(t: float) -> float:
        return response_time_tail(t, servers, arrival_rate, service_rate, ca=ca, cs=cs) - (1 - q)

    hi = 1.0 / service_rate
    while gap(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-12 * hi, rtol=1e-10))


def min_servers_for_percentile(
    target: float,
    arrival_rate: float,
    service_rate: float,
    *,
    q: float = 0.95,
    ca: float = 1.0,
    cs: float = 1.0,
    max_servers: int = 100_000,
) -> int:
    """The smallest ``c`` whose response-time quantile ``q`` is at most ``target``.

    Parameters
    ----------
    target : float
        Largest acceptable quantile, in the rates' time unit.
    arrival_rate, service_rate : float
        ``λ`` and ``μ`` per server.
    q : float
        Quantile, 0.95 by default.
    ca, cs : float
        Coefficients of variation.
    max_servers : int
        Give up beyond this many.

    Returns
    -------
    int
        The number of servers.

    Raises
    ------
    ConfigError
        If the target is below what an idle server achieves (the service time
        quantile alone exceeds it).
    """
    if response_time_percentile(q, 1, 0.0, service_rate, ca=ca, cs=cs) > target:
        raise ConfigError(
            f"no number of servers meets a p{q * 100:g} of {target:g} when one service "
            f"takes {1 / service_rate:g} on average; raise the target or speed the service up."
        )
    c = max(1, math.floor(arrival_rate / service_rate) + 1)
    while c < max_servers:
        if response_time_percentile(q, c, arrival_rate, service_rate, ca=ca, cs=cs) <= target:
            return c
        c += 1
    return max_servers


def max_arrival_rate_for_percentile(
    target: float,
    servers: int,
    service_rate: float,
    *,
    q: float = 0.95,
    ca: float = 1.0,
    cs: float = 1.0,
) -> float:
    """The largest ``λ`` that ``c`` servers take with the ``q`` quantile at ``target``.

    Returns 0 when even an idle queue misses the target.
    """
    ceiling = servers * service_rate
    if response_time_percentile(q, servers, 0.0, service_rate, ca=ca, cs=cs) > target:
        return 0.0

    def gap(lam: float) -> float:
        p = response_time_percentile(q, servers, lam, service_rate, ca=ca, cs=cs)
        return p - target

    return float(optimize.brentq(gap, 0.0, ceiling * (1 - 1e-9), rtol=1e-8))


@dataclass(frozen=True)
class MmcAnswer:
    """What an M/M/c server takes at a latency budget, from the exact sojourn distribution."""

    servers: int
    mean_service_s: float
    budget_s: float
    quantile: float
    #: the largest arrival rate whose sojourn-time quantile is the budget, per second
    safe_rate: float
    #: ``safe_rate · S / c``
    utilization: float
    #: the probability of waiting at the safe rate
    erlang_c: float

    def quantile_at(self, arrival_rate: float) -> float:
        """The sojourn-time quantile at another arrival rate, in seconds (inf if saturated)."""
        mu = 1.0 / self.mean_service_s
        if arrival_rate >= self.servers * mu:
            return math.inf
        return response_time_percentile(self.quantile, self.servers, arrival_rate, mu)


def mmc_safe_rate(
    servers: int, mean_service_s: float, budget_s: float, *, q: float = 0.95
) -> MmcAnswer:
    """The arrival rate at which an M/M/c server's sojourn-time ``q`` quantile meets a budget.

    Arrivals are Poisson, ``c`` servers each take an exponential time of mean
    ``S``, one FIFO queue. The sojourn time ``T`` is ``S`` alone with
    probability ``1 − C`` and ``S + W`` with probability ``C`` (Erlang C), with
    ``W`` exponential of rate ``cμ − λ``; ``P(T > t)`` is exact in closed form
    (:func:`response_time_tail`) and the quantile and the rate are found by
    root finding (scipy's ``brentq``).

    Parameters
    ----------
    servers : int
        ``c``, requests served at once.
    mean_service_s : float
        ``S``, the mean service time in seconds.
    budget_s : float
        The largest acceptable ``q`` quantile of the time in the system.
    q : float
        The quantile, 0.95 by default.

    Returns
    -------
    MmcAnswer
        The safe rate (0 when even an idle server misses the budget), its
        utilisation and its probability of waiting.

    Raises
    ------
    ConfigError
        On ``servers < 1`` or a service time or budget that is not positive.
    """
    if servers < 1 or not mean_service_s > 0 or not budget_s > 0:
        raise ConfigError(
            f"an M/M/c server needs servers >= 1, a mean service time > 0 and a budget > 0, "
            f"not servers={servers}, S={mean_service_s:g} s, budget={budget_s:g} s."
        )
    mu = 1.0 / mean_service_s
    rate = max_arrival_rate_for_percentile(budget_s, servers, mu, q=q)
    load = rate / mu
    return MmcAnswer(
        servers,
        mean_service_s,
        budget_s,
        q,
        rate,
        load / servers,
        erlang_c(servers, load) if rate > 0 else 0.0,
    )
