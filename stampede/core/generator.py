"""The load generator's own footprint: memory of the Locust process tree, per user.

Memory per simulated user is the slope of the tree's resident memory on the
running users, a least-squares fit over the run's per-second samples with
run time as a second term: the intercept takes what the generator holds
whatever the users (imports, Locust's stats), the time term what grows with
the run's length at any user count (per-second histograms), and what is left
grows with the users. A run whose users hardly varied cannot show that slope;
its memory per user is then the peak above the idle footprint over the peak
users, which counts the fixed part as per-user and overstates small runs.

:mod:`stampede.app.generator_sizing` turns these into the worker processes
the profile needs at full scale.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import psutil

MB = 2.0**20
KB = 2.0**10


def tree_rss(pid: int) -> int:
    """Resident memory of process ``pid`` and all its descendants, in bytes (0 if it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            continue
    return total


class TreeMemory:
    """Peak resident memory of a process and its children, sampled on a thread."""

    def __init__(self, pid: int, interval_s: float = 1.0) -> None:
        self._pid = pid
        self._interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stampede-rss", daemon=True)

    def start(self) -> TreeMemory:
        self._thread.start()
        return self

    def stop(self) -> int:
        """Peak memory of the whole tree, in bytes."""
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_bytes

    def sample(self) -> int:
        total = tree_rss(self._pid)
        self.peak_bytes = max(self.peak_bytes, total)
        return total

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.sample()


@dataclass(frozen=True)
class MemoryPerUser:
    """Memory the generator needs per simulated user, and how it was found."""

    mb: float
    method: Literal["slope", "peak/users"]
    note: str  # a sentence for run.json: the fit, or why there was none
    #: what the process tree holds whatever its users (the fit's intercept); None unfitted
    fixed_mb: float | None = None


@dataclass(frozen=True)
class SlopeRules:
    """When a run's users vary enough for a slope: samples, distinct levels, spread."""

    min_samples: int = 10
    min_levels: int = 2
    min_spread: float = 2.0  # the most users at least this many times the fewest
    #: above this correlation of users with run time, their effects cannot be told apart
    max_time_correlation: float = 0.95


def memory_per_user(
    t: Sequence[float],
    users: Sequence[float],
    rss_bytes: Sequence[float],
    peak_above_idle_bytes: float,
    rules: SlopeRules = SlopeRules(),
) -> MemoryPerUser:
    """Memory per user from per-second samples of run time, running users and resident memory.

    Samples without users are left out: before the first user and after the
    last, the costs that come with the first requests (stats entries,
    histograms, connections) are not yet or no longer there. Without enough
    samples or spread in users, the peak memory above the idle footprint
    over the peak users stands in, and the note says why.
    """
    rows = [(a, u, r) for a, u, r in zip(t, users, rss_bytes, strict=True) if u > 0 and r > 0]
    why = _why_no_slope([u for _, u, _ in rows], rules)
    if why is not None:
        peak = max(users, default=0.0)
        mb = peak_above_idle_bytes / MB / peak if peak > 0 else 0.0
        return MemoryPerUser(mb, "peak/users", f"peak memory above idle / peak users: {why}")
    return _slope(np.array(rows, dtype=float), rules)


def _why_no_slope(users: list[float], rules: SlopeRules) -> str | None:
    if len(users) < rules.min_samples:
        return (
            f"{len(users)} memory samples with users running, a slope needs "
            f"{rules.min_samples} or more"
        )
    levels = sorted(set(users))
    if len(levels) < rules.min_levels:
        return f"users held one level ({levels[0]:g}) throughout, a slope needs them to vary"
    if levels[-1] < rules.min_spread * levels[0]:
        return (
            f"users ranged only from {levels[0]:g} to {levels[-1]:g}, a slope needs the "
            f"most at least {rules.min_spread:g} times the fewest"
        )
    return None


def _slope(rows: npt.NDArray[np.float64], rules: SlopeRules) -> MemoryPerUser:
    t, users, rss = rows[:, 0], rows[:, 1], rows[:, 2]
    correlation = float(np.corrcoef(users, t)[0, 1]) if np.ptp(t) > 0 else 1.0
    with_time = abs(correlation) <= rules.max_time_correlation
    columns = [np.ones_like(users), users, *([t] if with_time else [])]
    design = np.column_stack(columns)
    coef = np.linalg.lstsq(design, rss, rcond=None)[0]
    dof = max(len(rss) - design.shape[1], 1)
    variance = float(np.sum((rss - design @ coef) ** 2)) / dof
    stderr = float(np.sqrt(variance * np.linalg.pinv(design.T @ design)[1, 1]))
    slope = float(coef[1])
    fit = (
        f"slope of the Locust processes' memory on running users, least squares over "
        f"{len(rss)} per-second samples ({users.min():g} to {users.max():g} users)"
    )
    if with_time:
        fit += f" with run time as a second term (memory grew {coef[2] / KB:z.0f} KB/s with time)"
    else:
        fit += (
            f"; users rose with run time (correlation {correlation:.2f}), so growth with "
            "time is counted per user"
        )
    fit += f": {slope / KB:z.1f} ± {stderr / KB:.1f} KB per user"
    if slope < 0:
        fit += ", below 0, so 0"
    return MemoryPerUser(max(slope, 0.0) / MB, "slope", fit, max(float(coef[0]), 0.0) / MB)
