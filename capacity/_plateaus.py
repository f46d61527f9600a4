"""Find the steady plateaus of user count in a run and measure each one.

A capacity probe holds the user count at a series of levels. Each level is a
plateau, measured over its steady window (warm-up and a login burst trimmed,
rates from the cumulative counters: :mod:`capacity._windows`). Without more,
the p95 is the median of the rolling-window p95 Locust reports each second;
that window (10 s) reaches back into the previous step, so given a
:class:`WindowLatency` (the run's per-second histograms) the p95 of each
plateau, endpoint and service is instead the exact p95 of the requests meant
to start inside the measured window (the timeline files each under its intended
second), so a plateau's latency is that of the load it offered.

Little's law relates the numbers: the requests in flight are ``N = X·R``;
with think time ``Z`` the users are ``X·(R + Z)``. The USL is fitted to the
in-flight concurrency, not to the user count.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from stampede.capacity._history import aggregated_rows, endpoint_rows
from stampede.capacity._services import ServiceMap, reference_services
from stampede.capacity._windows import (
    LevelWindow,
    SteadyLevel,
    WindowRates,
    planned_levels,
    steady_levels,
    window_rates,
)
from stampede.core.errors import ConfigError

PROBE_HINT = "run the capacity-probe profile"

Endpoint = tuple[str, str]
"""A request's (type, name) as Locust's history names it: ``("GET", "/api/v1/products/[id]")``."""


class WindowLatency(Protocol):
    """Exact latency percentiles of the requests meant to start in a window of time."""

    def p95_ms(self, endpoints: Collection[Endpoint] | None, start_s: int, end_s: int) -> float:
        """The p95 in ms of ``endpoints`` (``None``: every request) meant to start in
        ``[start_s, end_s)``, in the history's timestamps; NaN when none was."""
        ...


class OutcomeAnswers(Protocol):
    """Successful answers to a request that the target description names business outcomes.

    A share, not a count: the run counts them on its own clock, while a stats row
    of Locust's is a snapshot at some moment of its second (and a master's lags its
    workers' by seconds), so a count would be set against the wrong requests at
    each edge of a window.
    """

    def share(self, request: str, start_s: int, end_s: int) -> float:
        """Of the requests named ``request`` (``"POST /basket/pay"``) completed in
        ``[start_s, end_s)``, the share that were such answers (0 when none completed)."""
        ...


SERVICE_COLUMNS = ("plateau", "service", "throughput", "requests", "mean_ms", "p95_ms")
ENDPOINT_COLUMNS = (
    "plateau",
    "type",
    "name",
    "service",
    "throughput",
    "failures_per_s",
    "outcomes_per_s",
    "mean_ms",
    "p95_ms",
    "requests",
)


@dataclass(frozen=True)
class MeasuredPlateau:
    """One steady level of users, measured after its warm-up.

    Attributes
    ----------
    users : int
        Simulated users during the plateau.
    start_s, end_s : int
        The measured window (after warm-up), in the history's timestamps.
    throughput : float
        Requests per second.
    mean_ms, p95_ms : float
        Mean and 95th percentile response time.
    error_rate : float
        Failures over requests, 0..1.
    concurrency : float
        Requests in flight by Little's law, ``X·R``.
    implied_think_time_s : float
        ``users / X - R``: the think time the measurement implies.
    requests : int
        Requests completed in the window.
    p95_exact : bool
        Whether ``p95_ms`` is the exact p95 of the window's requests (from a
        :class:`WindowLatency`) rather than Locust's rolling p95.
    """

    users: int
    start_s: int
    end_s: int
    throughput: float
    mean_ms: float
    p95_ms: float
    error_rate: float
    concurrency: float
    implied_think_time_s: float
    requests: int = 0
    p95_exact: bool = False


@dataclass(frozen=True, eq=False)
class Plateaus:
    """All plateaus of a run: the totals and the per-endpoint breakdown.

    ``endpoints`` has one row per plateau and endpoint with columns
    ``plateau`` (index into ``points``), ``type``, ``name``, ``service``,
    ``throughput``, ``failures_per_s``, ``outcomes_per_s`` (successes that were
    business outcomes: a sold-out answer the task accepted), ``mean_ms``,
    ``p95_ms``, ``requests``.
    ``services`` has one row per plateau and measured service with columns
    ``plateau``, ``service``, ``throughput``, ``requests``, ``mean_ms`` and
    ``p95_ms`` (the exact p95 of the service's requests, or NaN without a
    :class:`WindowLatency`).
    """

    points: tuple[MeasuredPlateau, ...]
    endpoints: pd.DataFrame
    warmup_s: float
    think_time_s: float | None
    services: pd.DataFrame


def _endpoint_window(
    endpoints: pd.DataFrame,
    plateau: int,
    start_s: int,
    end_s: int,
    latency: WindowLatency | None,
    services: ServiceMap,
    outcomes: OutcomeAnswers | None = None,
) -> list[dict[str, object]]:
    in_window = endpoints[(endpoints["timestamp"] >= start_s) & (endpoints["timestamp"] <= end_s)]
    out: list[dict[str, object]] = []
    for (kind, name), rows in in_window.groupby(["type", "name"], sort=True):
        ordered = rows.sort_values("timestamp")
        stats = window_rates(ordered)
        if stats is None:
            continue
        p95 = stats.p95_ms
        if latency is not None:
            # row t closes the second before it, so (start_s, end_s] is [start_s, end_s)
            p95 = latency.p95_ms([(str(kind), str(name))], start_s, end_s)
        outcomes_per_s = 0.0
        if outcomes is not None:
            share = outcomes.share(f"{kind} {name}" if kind else str(name), start_s, end_s)
            outcomes_per_s = min(share * stats.throughput, stats.throughput - stats.failures_per_s)
        out.append(
            {
                "plateau": plateau,
                "type": kind,
                "name": name,
                "service": services.service_of(str(kind), str(name)),
                "throughput": stats.throughput,
                "failures_per_s": stats.failures_per_s,
                "outcomes_per_s": max(outcomes_per_s, 0.0),
                "mean_ms": stats.mean_ms,
                "p95_ms": p95,
                "requests": stats.requests,
            }
        )
    return out


def _service_rows(
    endpoints: pd.DataFrame, plateau: MeasuredPlateau, index: int, latency: WindowLatency | None
) -> list[dict[str, object]]:
    """Each service's totals over one plateau; its p95 is exact when ``latency`` is given."""
    out: list[dict[str, object]] = []
    for service, rows in endpoints.groupby("service", sort=True):
        x = float(rows["throughput"].sum())
        if x <= 0:
            continue
        p95 = float("nan")
        if latency is not None:
            members = [(str(t), str(n)) for t, n in zip(rows["type"], rows["name"], strict=True)]
            p95 = latency.p95_ms(members, plateau.start_s, plateau.end_s)
        out.append(
            {
                "plateau": index,
                "service": service,
                "throughput": x,
                "requests": int(rows["requests"].sum()),
                "mean_ms": float((rows["throughput"] * rows["mean_ms"]).sum()) / x,
                "p95_ms": p95,
            }
        )
    return out


def _plateau(
    users: int, start_s: int, end_s: int, stats: WindowRates, exact_p95: float | None
) -> MeasuredPlateau:
    r_s = stats.mean_ms / 1000.0
    x = stats.throughput
    return MeasuredPlateau(
        users=users,
        start_s=start_s,
        end_s=end_s,
        throughput=x,
        mean_ms=stats.mean_ms,
        p95_ms=stats.p95_ms if exact_p95 is None else exact_p95,
        error_rate=stats.failures_per_s / x,
        concurrency=x * r_s,
        implied_think_time_s=users / x - r_s,
        requests=stats.requests,
        p95_exact=exact_p95 is not None,
    )


def _measure_levels(
    levels: list[SteadyLevel],
    endpoints: pd.DataFrame,
    latency: WindowLatency | None,
    owners: ServiceMap,
    outcomes: OutcomeAnswers | None,
) -> tuple[tuple[MeasuredPlateau, ...], pd.DataFrame, pd.DataFrame]:
    """The plateaus, their per-endpoint rows and their per-service rows."""
    points: list[MeasuredPlateau] = []
    rows: list[dict[str, object]] = []
    services: list[dict[str, object]] = []
    for index, level in enumerate(levels):
        start_s, end_s = level.start_s, level.end_s
        exact = latency.p95_ms(None, start_s, end_s) if latency is not None else None
        point = _plateau(level.users, start_s, end_s, level.stats, exact)
        mine = _endpoint_window(endpoints, index, start_s, end_s, latency, owners, outcomes)
        rows.extend(mine)
        services.extend(
            _service_rows(pd.DataFrame(mine, columns=ENDPOINT_COLUMNS), point, index, latency)
        )
        points.append(point)
    return (
        tuple(points),
        pd.DataFrame(rows, columns=ENDPOINT_COLUMNS),
        pd.DataFrame(services, columns=SERVICE_COLUMNS),
    )


def _levels(
    history: pd.DataFrame,
    windows: Sequence[LevelWindow] | None,
    min_plateaus: int,
    warmup_s: float,
    min_duration_s: float,
    settle_factor: float | None,
) -> list[SteadyLevel]:
    """The steady levels of the history: runs of equal users, or the planned ``windows``."""
    total = aggregated_rows(history)
    if total.empty:
        raise ConfigError(
            f"the stats history has no 'Aggregated' rows; {PROBE_HINT} with --csv-full-history."
        )
    window = (warmup_s, min_duration_s, settle_factor)
    if windows is None:
        levels = steady_levels(total, *window)
    else:
        levels = planned_levels(total, windows, *window)
    if len(levels) < min_plateaus:
        held = "user levels" if windows is None else "arrival-rate holds"
        raise ConfigError(
            f"the stats history has {len(levels)} steady plateau(s) of at least "
            f"{min_duration_s:g} s after a {warmup_s:g} s warm-up, and {min_plateaus} are "
            f"needed; {PROBE_HINT}, which holds {min_plateaus} or more {held}."
        )
    return levels


def detect_plateaus(
    history: pd.DataFrame,
    *,
    warmup_s: float = 10.0,
    min_duration_s: float = 20.0,
    min_plateaus: int = 6,
    think_time_s: float | None = None,
    settle_factor: float | None = None,
    latency: WindowLatency | None = None,
    services: ServiceMap | None = None,
    windows: Sequence[LevelWindow] | None = None,
    outcomes: OutcomeAnswers | None = None,
) -> Plateaus:
    """Find the steady plateaus of user count and measure one point per plateau.

    Parameters
    ----------
    history : pandas.DataFrame
        A normalized stats history (:func:`capacity.normalize_history`).
    warmup_s, min_duration_s : float
        Seconds trimmed from the start of each plateau; the shortest measured
        window (after warm-up) that counts as a plateau.
    min_plateaus : int
        Fewest plateaus a capacity model needs.
    think_time_s : float, optional
        The scenario's mean think time (the users/concurrency split).
    settle_factor : float, optional
        After the warm-up, also skip leading seconds whose mean latency exceeds
        this multiple of the median latency over the plateau's second half
        (2 suits a login burst at each step); ``None`` trims only ``warmup_s``.
    latency : WindowLatency, optional
        Exact percentiles of any window (the run's per-second histograms);
        without it the p95s are medians of Locust's rolling-window p95.
    services : ServiceMap, optional
        Who answers each endpoint (the run's target description; the reference's).
    windows : sequence of LevelWindow, optional
        The levels an open-model profile planned; by default, runs of equal users.
    outcomes : OutcomeAnswers, optional
        The share of each request's answers that were business outcomes the
        task accepted (the run's ``outcomes.json``); without it none are known.

    Returns
    -------
    Plateaus
        One :class:`MeasuredPlateau` per level, in time order, and the per-endpoint rows.

    Raises
    ------
    ConfigError
        If the history has no "Aggregated" rows or fewer than ``min_plateaus``
        plateaus, or an endpoint belongs to no service.
    """
    levels = _levels(history, windows, min_plateaus, warmup_s, min_duration_s, settle_factor)
    points, endpoint_frame, service_frame = _measure_levels(
        levels, endpoint_rows(history), latency, services or reference_services(), outcomes
    )
    return Plateaus(points, endpoint_frame, warmup_s, think_time_s, service_frame)


def plateau_frame(plateaus: Plateaus) -> pd.DataFrame:
    """The plateau points as a frame, one row per plateau (for CSV output)."""
    return pd.DataFrame([vars(p) for p in plateaus.points])


def users_for(throughput: float, mean_ms: float, think_time_s: float) -> float:
    """Users a closed system needs for a throughput: ``X·(R + Z)`` (Little's law)."""
    return throughput * (mean_ms / 1000.0 + think_time_s)
