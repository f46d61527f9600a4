"""Per-interval latency percentiles per endpoint group, read straight from ``timeline.json``.

A one-hour run at one-second resolution over twenty request names holds
72,000 corrected histograms. Each is decoded once, its counts added into its
endpoint group's and the run's arrays, and only three percentiles and a count
per group and interval are kept; nothing else of the interval stays in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from stampede.core.errors import ConfigError
from stampede.core.histograms import Counts, decode, layout
from stampede.core.latency import FORMAT as LATENCY_FORMAT
from stampede.core.latency import TIMELINE_FORMAT
from stampede.reports._hist import Distribution, distribution_of_counts, percentiles_of_counts
from stampede.reports._model import GroupTimeline, Phase, Series

_PERCENTILES = (50.0, 95.0, 99.0)
#: the endpoint group of a request name: the target description's ``group_of``
GroupOf = Callable[[str], str]
_EPOCH_FLOOR = 1e8  # interval starts above this are epoch seconds, not run seconds


def since(start: float, origin: float) -> float:
    """An interval start as seconds from the run's start (epoch or already relative)."""
    return start - origin if start > _EPOCH_FLOOR else start


def group_counts(
    recorder: Mapping[str, Any], group_of: GroupOf, kind: str = "corrected"
) -> tuple[dict[str, Counts], dict[str, Counts], Counts]:
    """Counts per request name and per endpoint group (``all`` included) of one recorder dict.

    ``group_of`` names the group of a request name (the target description's).

    Returns the per-name counts, the per-group sums and the highest equivalent
    value (µs) of every counts index.
    """
    if recorder.get("format") != LATENCY_FORMAT:
        raise ConfigError(f"not a Stampede latency record: expected format {LATENCY_FORMAT!r}")
    names: dict[str, Counts] = {}
    groups: dict[str, Counts] = {}
    highest: Counts = np.zeros(0, dtype=np.int64)
    try:
        for name, encoded in recorder["groups"].items():
            precision, counts = decode(encoded[kind])
            highest = layout(precision).highest_us
            names[str(name)] = counts
            for group in ("all", group_of(str(name))):
                _add_into(groups, group, counts)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"malformed Stampede latency record: {exc!r}") from exc
    return names, groups, highest


def _add_into(sums: dict[str, Counts], key: str, counts: Counts) -> None:
    """``sums[key] += counts``, growing ``sums[key]`` when ``counts`` is longer."""
    total = sums.get(key)
    if total is None:
        sums[key] = counts.copy()
    elif total.size >= counts.size:
        total[: counts.size] += counts
    else:
        grown = counts.copy()
        grown[: total.size] += total
        sums[key] = grown


def group_distributions(
    recorder: Mapping[str, Any], group_of: GroupOf, kind: str = "corrected"
) -> dict[str, Distribution]:
    """The ``kind`` :class:`Distribution` of every endpoint group (``all`` included)."""
    _, groups, highest = group_counts(recorder, group_of, kind)
    return {group: distribution_of_counts(c, highest) for group, c in groups.items()}


@dataclass(frozen=True)
class Timelines:
    """What ``timeline.json`` gives a report: percentiles per group and interval, requests
    per second, and each phase's exact distribution per group (its intervals' counts)."""

    groups: dict[str, GroupTimeline]
    requests_per_s: Series
    phases: dict[str, dict[str, Distribution]]


def _phase_of(t: float, phases: Sequence[Phase]) -> str | None:
    return next((p.name for p in phases if p.start_s <= t < p.end_s), None)


def read_timelines(
    data: Mapping[str, Any],
    origin: float,
    group_of: GroupOf,
    phases: Sequence[Phase] = (),
    kind: str = "corrected",
) -> Timelines:
    """Percentiles (of ``kind`` latency) per group and interval, requests per second and,
    for each of ``phases``, the distribution per group of the intervals that start in it."""
    if not isinstance(data, Mapping) or data.get("format") != TIMELINE_FORMAT:
        raise ConfigError(f"not a Stampede latency timeline: expected {TIMELINE_FORMAT!r}")
    try:
        interval = float(data["interval"])
        entries = sorted((int(row["index"]), row["latency"]) for row in data["intervals"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"malformed Stampede latency timeline: {exc!r}") from exc
    rows: dict[str, list[tuple[float, int, list[float]]]] = {}
    rate_t: list[float] = []
    rate: list[float] = []
    by_phase: dict[str, dict[str, Counts]] = {}
    highest: Counts = np.zeros(0, dtype=np.int64)
    for index, recorder in entries:
        start = index * interval
        t = since(start, origin)
        _, groups, highest = group_counts(recorder, group_of, kind)
        phase = _phase_of(t, phases)
        for group, counts in groups.items():
            total = int(counts.sum())
            if total:
                values = percentiles_of_counts(counts, highest, _PERCENTILES)
                rows.setdefault(group, []).append((t, total, values))
                if phase is not None:
                    _add_into(by_phase.setdefault(phase, {}), group, counts)
        rate_t.append(t)
        rate.append(int(groups["all"].sum()) / interval if "all" in groups else 0.0)
    timelines = {
        group: GroupTimeline(
            group=group,
            t=tuple(r[0] for r in found),
            count=tuple(r[1] for r in found),
            p50=tuple(r[2][0] for r in found),
            p95=tuple(r[2][1] for r in found),
            p99=tuple(r[2][2] for r in found),
        )
        for group, found in rows.items()
    }
    distributions = {
        phase: {group: distribution_of_counts(c, highest) for group, c in sums.items()}
        for phase, sums in by_phase.items()
    }
    return Timelines(timelines, Series(tuple(rate_t), tuple(rate)), distributions)
