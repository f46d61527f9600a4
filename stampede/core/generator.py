"""The load generator's own footprint: memory of the Locust process tree, per user.

Memory per simulated user is the slope of the tree's resident memory on the
most users the tree has held so far (its *high-water* users), a least-squares
fit over the run's per-second samples with run time as a second term: the
intercept takes what the generator holds whatever the users (imports,
Locust's stats), the time term what grows with the run's length at any user
count (per-second histograms), and what is left grows with the users. The
regressor is the high-water mark, not the users running now, because neither
CPython's allocator nor glibc gives freed memory back promptly: after a wave of
users leaves, the memory they used stays resident, and a fit on the running
users would read the flat memory of the lull as a smaller slope (a 3-wave
Black Friday measured 15 KB a user that way against 40 KB on a flash sale).

A slope is trusted only when it is precise: its standard error within
``SlopeRules.max_relative_error`` of it. A run with too few users for that
(a smoke test's 8, an open model's 20 visits at a time) cannot measure what a
user costs; its memory per user is then the reference figure in
``SlopeRules`` (measured by ``bench/memory_per_user.py`` on the bundled
profiles that can), and the note says so. A run that held one level of many
users uses its peak above the idle footprint over the peak users.

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

from stampede.core.processes import process_tree

MB = 2.0**20
KB = 2.0**10
REFERENCE_KB_PER_USER = 49.0


def tree_rss(pid: int) -> int:
    """Resident memory of process ``pid`` and all its descendants, in bytes (0 if it is gone)."""
    total = 0
    for proc in process_tree(pid):
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
    method: Literal["slope", "peak/users", "reference"]
    note: str  # a sentence for run.json: the fit, or why there was none
    #: what the process tree holds whatever its users (the fit's intercept); None unfitted
    fixed_mb: float | None = None


@dataclass(frozen=True)
class SlopeRules:
    """When a run's users vary enough for a slope: samples, distinct levels, spread,
    precision; and what stands in when they do not."""

    min_samples: int = 10
    min_levels: int = 2
    min_spread: float = 2.0  # the most users at least this many times the fewest
    #: above this correlation of users with run time, their effects cannot be told apart
    max_time_correlation: float = 0.95
    #: a slope whose standard error is above this share of it measured noise, not users
    max_relative_error: float = 0.25
    #: a run holding one level of at least this many users is sized by its peak over them
    min_users_for_peak: float = 200.0
    #: KB a user where the run cannot measure it: the median slope of bench/memory_per_user.py
    #: over flash-sale 49.0, capacity-probe 37.7 and black-friday 60.2 KB (2026-12-03, 2-core
    #: Xeon, Python 3.11.7, Locust 2.47; a Locust process with idle users: 18.4 KB a user)
    reference_kb_per_user: float = REFERENCE_KB_PER_USER


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
    histograms, connections) are not yet or no longer there. Each sample is
    fitted against the most users held up to it (see the module's docstring).
    Without enough samples, spread or precision, a run of many users uses its
    peak memory above the idle footprint over its peak users and a smaller one
    the reference figure; the note says which and why.
    """
    high_water: Sequence[float] = (
        np.maximum.accumulate(np.asarray(users, dtype=float)).tolist() if len(users) else []
    )
    rows = [
        (a, w, r)
        for a, u, w, r in zip(t, users, high_water, rss_bytes, strict=True)
        if u > 0 and r > 0
    ]
    why = _why_no_slope([w for _, w, _ in rows], rules)
    if why is None:
        found = _slope(np.array(rows, dtype=float), rules)
        slope = found.memory.mb
        if slope > 0 and found.stderr_mb <= rules.max_relative_error * slope:
            return found.memory
        why = (
            f"{found.memory.note}, a standard error above {rules.max_relative_error:.0%} of "
            "the slope: too few users for memory per user to show above the noise"
        )
    peak = max(users, default=0.0)
    if peak >= rules.min_users_for_peak:
        mb = peak_above_idle_bytes / MB / peak
        return MemoryPerUser(mb, "peak/users", f"peak memory above idle / peak users: {why}")
    mb = rules.reference_kb_per_user * KB / MB
    fixed = max((r for _, _, r in rows), default=0.0) / MB - mb * peak
    return MemoryPerUser(
        mb,
        "reference",
        f"the reference {rules.reference_kb_per_user:g} KB per user "
        f"(bench/memory_per_user.py): {why}",
        max(fixed, 0.0) if rows else None,
    )


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


@dataclass(frozen=True)
class _Fit:
    memory: MemoryPerUser
    stderr_mb: float


def _slope(rows: npt.NDArray[np.float64], rules: SlopeRules) -> _Fit:
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
        f"slope of the Locust processes' memory on the most users held so far, least squares over "
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
    found = MemoryPerUser(max(slope, 0.0) / MB, "slope", fit, max(float(coef[0]), 0.0) / MB)
    return _Fit(found, stderr / MB)
