"""Steady windows of a stats history's cumulative counters, and their rates.

A capacity probe holds the user count (closed model) or the arrival rate (open
model: :func:`planned_levels`, from the profile's plateaus) at a series of levels. Each level's
first seconds are warm-up (connections opening, caches filling) and are
trimmed; with a ``settle_factor`` the window also skips leading seconds whose
mean latency is above that many times the latency of the level's second half
(a login burst). Over the rest the cumulative counters give exact rates:
throughput is the change in requests over the change in time, the mean
latency is recovered from the running average.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd


def _runs(total: pd.DataFrame) -> list[tuple[int, int, int]]:
    """(users, first row, last row) of each run of equal user counts."""
    users = total["users"].to_numpy()
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(users) + 1):
        if i == len(users) or users[i] != users[start]:
            runs.append((int(users[start]), start, i - 1))
            start = i
    return runs


def _second_means(rows: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Mean latency of each second's requests, from the running averages (NaN when idle)."""
    n = rows["total_requests"].to_numpy(dtype=float)
    weighted = rows["total_avg_ms"].to_numpy(dtype=float) * n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.diff(weighted) / np.diff(n), dtype=float)


def _settled(window: pd.DataFrame, factor: float | None) -> pd.DataFrame:
    """``window`` without its leading seconds slower than ``factor`` × the steady latency."""
    if factor is None or len(window) < 4:
        return window
    means = _second_means(window)
    steady = means[means.size // 2 :]
    steady = steady[np.isfinite(steady)]
    if steady.size == 0:
        return window
    limit = factor * float(np.median(steady))
    settled = np.flatnonzero(np.isfinite(means) & (means <= limit))
    # row i+1 closes second i; the window starts at the row that opens the first calm second
    return window.iloc[int(settled[0]) :] if settled.size else window


@dataclass(frozen=True)
class WindowRates:
    """Rates and latency of one window of cumulative counters."""

    throughput: float
    failures_per_s: float
    mean_ms: float
    p95_ms: float
    requests: int


def window_rates(rows: pd.DataFrame) -> WindowRates | None:
    """The window from its first to its last row, or None when nothing completed."""
    first, last = rows.iloc[0], rows.iloc[-1]
    dt = float(last["timestamp"] - first["timestamp"])
    dn = float(last["total_requests"] - first["total_requests"])
    if dt <= 0 or dn <= 0:
        return None
    df = float(last["total_failures"] - first["total_failures"])
    weighted = float(
        last["total_avg_ms"] * last["total_requests"]
        - first["total_avg_ms"] * first["total_requests"]
    )
    p95 = rows["p95_ms"].to_numpy(dtype=float)
    p95_ms = float(np.nanmedian(p95)) if np.isfinite(p95).any() else float("nan")
    return WindowRates(dn / dt, max(df, 0.0) / dt, weighted / dn, p95_ms, round(dn))


class SteadyLevel(NamedTuple):
    """A level of users and its steady window."""

    users: int
    start_s: int
    end_s: int
    stats: WindowRates


def _steady_window(
    level: pd.DataFrame, warmup_s: float, min_duration_s: float, settle_factor: float | None
) -> tuple[int, int, WindowRates] | None:
    """(start, end, stats) of one level's rows after its warm-up, or None when too short."""
    start_s = int(level["timestamp"].iloc[0] + warmup_s)
    window = _settled(level[level["timestamp"] >= start_s], settle_factor)
    if len(window) < 2:
        return None
    end_s = int(window["timestamp"].iloc[-1])
    start_s = int(window["timestamp"].iloc[0])
    stats = window_rates(window)
    if end_s - start_s < min_duration_s or stats is None:
        return None
    return start_s, end_s, stats


def steady_levels(
    total: pd.DataFrame, warmup_s: float, min_duration_s: float, settle_factor: float | None
) -> list[SteadyLevel]:
    """Every level of users long enough to measure, each cut to its steady window."""
    levels = []
    for users, first, last in _runs(total):
        if users <= 0:
            continue
        found = _steady_window(
            total.iloc[first : last + 1], warmup_s, min_duration_s, settle_factor
        )
        if found is not None:
            levels.append(SteadyLevel(users, *found))
    return levels


class LevelWindow(NamedTuple):
    """A stretch of steady load the profile planned, in the history's Unix seconds.

    An open-model probe holds an arrival rate, not a user count (its pool of
    users stays the same), so its levels come from the profile's plateaus.
    """

    level: float
    start_s: float
    end_s: float


def planned_levels(
    total: pd.DataFrame,
    windows: Sequence[LevelWindow],
    warmup_s: float,
    min_duration_s: float,
    settle_factor: float | None,
) -> list[SteadyLevel]:
    """Every planned window long enough to measure, each cut to its steady window.

    A history row at ``t`` closes the second before it, so a window
    ``[start, end)`` holds the rows ``start < t <= end``.
    """
    stamps = total["timestamp"].to_numpy(dtype=float)
    levels = []
    for window in windows:
        rows = total[(stamps > window.start_s) & (stamps <= window.end_s)]
        if len(rows) < 2:
            continue
        found = _steady_window(rows, warmup_s, min_duration_s, settle_factor)
        if found is not None:
            levels.append(SteadyLevel(int(rows["users"].max()), *found))
    return levels
