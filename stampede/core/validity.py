"""Whether a run's measurements can be trusted.

Three rules, each a pure function that returns a sentence when it is broken:

* the generator sent too few of the arrivals it intended (the target never
  saw the load the run claims);
* the generator's CPU was saturated for too much of the run (its latencies
  are the generator's own);
* too few requests completed for the percentiles to mean anything;
* the target answered too many requests 404 or 405: it does not serve the
  scenario's API (a wrong ``--host``, or the bundled scenarios against a
  store of your own), so its fast "latencies" measure nothing.

:func:`judge_run` applies all of them and returns a :class:`Validity`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stampede.core.cpu import CpuSample, saturation


@dataclass(frozen=True)
class Validity:
    """The verdict on a run: valid, or invalid for the reasons given (sentences)."""

    valid: bool
    reasons: tuple[str, ...]


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.3g}%"


def check_sent(
    intended: int, sent: int, min_sent_fraction: float = 0.95, because: str | None = None
) -> str | None:
    """A reason when fewer than ``min_sent_fraction`` of the intended arrivals were sent
    (``because``: the cause, when it is known)."""
    if intended <= 0 or sent >= min_sent_fraction * intended:
        return None
    cause = f" because {because}" if because else ""
    return (
        f"only {_percent(sent / intended)} of the intended arrivals were sent "
        f"({sent:,} of {intended:,}), below the {_percent(min_sent_fraction)} required{cause}; "
        "the target never saw the load this run claims"
    )


def check_saturation(
    samples: Sequence[CpuSample], threshold: float = 90.0, max_fraction: float = 0.05
) -> str | None:
    """A reason when the generator's CPU was at or above ``threshold`` in too many samples."""
    share = saturation(samples, threshold)
    if share <= max_fraction:
        return None
    return (
        f"the load generator's CPU was at or above {threshold:g}% for {_percent(share)} "
        "of the run; its latencies belong to the generator, not the target"
    )


def check_sample_count(count: int, min_count: int) -> str | None:
    """A reason when fewer than ``min_count`` requests completed."""
    if count >= min_count:
        return None
    return (
        f"only {count:,} requests completed; at least {min_count:,} are needed "
        "for the percentiles to mean anything"
    )


def judge_run(
    *,
    intended: int,
    sent: int,
    cpu_samples: Sequence[CpuSample],
    latency_count: int,
    min_latency_count: int,
    min_sent_fraction: float = 0.95,
    saturation_threshold: float = 90.0,
    max_saturated_fraction: float = 0.05,
) -> Validity:
    """Judge a run by all three rules.

    Parameters
    ----------
    intended, sent
        Arrivals the schedule intended and those actually sent (late or not).
    cpu_samples
        The generator's CPU samples over the run; none means not judged.
    latency_count
        Requests whose latency was recorded.
    min_latency_count
        Fewest recorded requests for the run to count.
    min_sent_fraction, saturation_threshold, max_saturated_fraction
        The rules' thresholds: invalid when ``sent < min_sent_fraction *
        intended``, or when more than ``max_saturated_fraction`` of the CPU
        samples are at or above ``saturation_threshold`` percent.
    """
    reasons = [
        check_sent(intended, sent, min_sent_fraction),
        check_saturation(cpu_samples, saturation_threshold, max_saturated_fraction),
        check_sample_count(latency_count, min_latency_count),
    ]
    found = tuple(reason for reason in reasons if reason is not None)
    return Validity(valid=not found, reasons=found)


def check_users(
    intended: float, running: float, min_fraction: float = 0.95, because: str | None = None
) -> str | None:
    """A reason when the generator ran fewer user-seconds than the profile intended
    (``because``: the cause, when it is known; else the generator was too slow to spawn)."""
    if intended <= 0 or running >= min_fraction * intended:
        return None
    cause = because or "it could not spawn users fast enough"
    return (
        f"the generator ran only {_percent(running / intended)} of the user-seconds the profile "
        f"intended, below the {_percent(min_fraction)} required; {cause}, so the target saw "
        "less load than this run claims"
    )


def check_late(scheduled: int, late: int, max_fraction: float = 0.05) -> str | None:
    """A reason when too many scheduled requests went out later than the tolerance."""
    if scheduled <= 0 or late <= max_fraction * scheduled:
        return None
    return (
        f"{_percent(late / scheduled)} of the scheduled requests ({late:,} of {scheduled:,}) "
        "were sent late; the generator could not keep the schedule, so the target saw less "
        "load than intended (latencies are still measured from the intended times)"
    )


#: above this share of 404/405 answers the target does not serve the scenario's API
MAX_NOT_SERVED_FRACTION = 0.2


def check_served(
    requests: int, not_served: int, max_fraction: float = MAX_NOT_SERVED_FRACTION
) -> str | None:
    """A reason when more than ``max_fraction`` of the requests got 404 or 405."""
    if requests <= 0 or not_served <= max_fraction * requests:
        return None
    return (
        f"the target does not serve this scenario's API: {not_served:,} of {requests:,} "
        "requests got 404 or 405 — wrong --host, or pass --locustfile with users for it"
    )
