"""Isolation when probing: the embedded store and the generator on separate CPU cores.

On a small machine the store Stampede starts and the Locust generator compete
for the same cores, so a probe measures the store's throughput while the
generator takes part of its CPU: a lower bound, not what a replica can do.
When at least two cores are available to Stampede (``os.sched_getaffinity``),
:func:`isolate` splits them: the lower half to the store (every thread of
every process of its tree, pinned once it is ready, so workers it forks later
inherit it), the upper half to this process's main thread, which starts the
Locust child (and its workers), so the generator inherits it. With fewer
cores it pins nothing and says so. What it did is recorded in ``run.json``
(``isolation``), and a plan of a run whose store and generator shared CPUs
names the services whose figures that affects
(:func:`stampede.app.planning.isolation_warning`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Callable, Collection, Iterator

from stampede.core.processes import process_tree
from stampede.core.records import CoreIsolation


def split_cores(available: Collection[int]) -> CoreIsolation:
    """The store's and the generator's cores out of ``available``: the lower and upper half."""
    cores = tuple(sorted(available))
    if len(cores) < 2:
        note = (
            f"only {len(cores)} CPU core is available to Stampede, so the store and the "
            "generator shared it"
        )
        return CoreIsolation(False, cores, cores, cores, note)
    half = len(cores) // 2
    return CoreIsolation(True, cores, cores[:half], cores[half:])


def _pin_tree(pid: int, cores: Collection[int]) -> int:
    """Pin every thread of ``pid`` and of its descendants to ``cores``; how many were pinned."""
    pinned = 0
    for process in process_tree(pid):
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{process.pid}/task")]
        except OSError:
            continue  # ended since it was listed
        for tid in threads:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.sched_setaffinity(tid, cores)
                pinned += 1
    return pinned


@contextlib.contextmanager
def isolate(
    store: subprocess.Popen[bytes] | None,
    echo: Callable[[str], None],
    enabled: bool | None = True,
    profile: str = "shared",
) -> Iterator[CoreIsolation | None]:
    """Pin the embedded ``store`` and this thread (the generator's parent) apart.

    Yields None for a ``--host`` run (no store of Stampede's to pin). ``enabled``
    None leaves it to the ``profile``'s isolation (pinned or shared); unpinned,
    it records why: the profile's ``isolation: shared`` or ``--no-isolation``.
    On exit this thread gets its cores back.
    """
    by_profile = enabled is None
    if enabled is None:
        enabled = profile == "pinned"
    if store is None or not hasattr(os, "sched_setaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    split = split_cores(before)
    if not enabled:
        cores = split.available_cores
        why = (
            "the profile says isolation: shared; --isolation pins them"
            if by_profile
            else "pinning was turned off (--no-isolation)"
        )
        split = CoreIsolation(False, cores, cores, cores, why)
    if not split.pinned:
        echo(f"Isolation: none ({split.note}); the plan marks the store's figures as shared")
        yield split
        return
    _pin_tree(store.pid, split.store_cores)
    os.sched_setaffinity(0, split.generator_cores)
    echo(
        f"Isolation: the store on CPU core(s) {_cores(split.store_cores)}, the generator "
        f"on {_cores(split.generator_cores)}"
    )
    try:
        yield split
    finally:
        os.sched_setaffinity(0, before)


def _cores(cores: Collection[int]) -> str:
    return ", ".join(str(c) for c in cores)
