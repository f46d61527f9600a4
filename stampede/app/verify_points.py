"""Predict, then verify: which rates to confirm, what the plan predicts there, the verdict.

At a service's planned safe rate its p95 *is* the budget, by definition, so a
measurement there lands over the budget about half the time, whatever the
plan's accuracy. The confirmation therefore checks the two claims a plan makes
that a measurement can decide:

- at the **operating point** (the safe rate × the plan's target utilisation,
  what the autoscaler holds a replica at) one replica meets the budget;
- at **1.25 × the safe rate** it does not: the plan did not under-state the
  replica's capacity by more than a quarter (a service the plan sized from a
  lower bound, never saturated in the probe, is reported, not failed, here).

Both hold when the replica's real safe rate lies between the operating point
and 1.25 × the planned one: that is the tolerance. The predicted p95 at each
rate is read off the probe's own latency curve for the service (``services.csv``
of the plan, interpolated linearly in throughput); beyond the probe's heaviest
plateau the plan predicts no number, only "over the budget".
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from stampede.core import numbers
from stampede.core.plan_document import PlanSizingRow

OVERLOAD = 1.25
#: fewest requests of a service in a plateau to judge its p95 (10 above the p95)
MIN_REQUESTS = 200
TOLERANCE = (
    "the plan held for a service when one replica met its p95 budget at the operating "
    "point (safe rate × target utilisation) and missed it at 1.25 × the safe rate: its real "
    "safe rate lies between the two"
)
OPERATING, OVER = "operating point", "1.25 × safe"


@dataclass(frozen=True)
class VerifyPoint:
    """One confirmation plateau: a service's rate and the arrival rate that gives it."""

    service: str
    point: str
    planned_rps: float
    arrival_rate: float
    budget_ms: float
    lower_bound: bool
    predicted_p95_ms: float | None
    predicted_because: str | None


@dataclass(frozen=True)
class Measured:
    """A plateau's measurement of its service: throughput, exact p95, how many requests."""

    rps: float
    p95_ms: float | None
    requests: int
    #: from each request's actual send, not its intended time (None: not measured)
    p95_uncorrected_ms: float | None = None


@dataclass(frozen=True)
class Judged:
    point: VerifyPoint
    measured: Measured
    #: True: as the plan said; False: against it; None: not judged (too few requests)
    as_planned: bool | None
    note: str
    #: the p95 judged was over the budget (None: not judged)
    over_budget: bool | None = None


def predicted_p95(curve: Sequence[tuple[float, float]], rps: float) -> tuple[float | None, str]:
    """The probe's p95 at ``rps`` on its (throughput, p95) points, and where it came from."""
    points = sorted((x, y) for x, y in curve if math.isfinite(x) and math.isfinite(y))
    if not points:
        return None, "the probe measured no p95 of this service"
    if rps > points[-1][0]:
        heaviest = numbers.rate(points[-1][0])
        return None, f"beyond the probe's heaviest plateau ({heaviest}): over the budget"
    if rps <= points[0][0]:
        return points[0][1], "the probe's lightest plateau (the curve's floor)"
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= rps <= x1:
            share = 0.0 if x1 == x0 else (rps - x0) / (x1 - x0)
            return y0 + share * (y1 - y0), "the probe's latency curve, interpolated"
    raise AssertionError("unreachable: rps lies within the points")


def verify_points(
    rows: Sequence[PlanSizingRow],
    visits: dict[str, float],
    curves: dict[str, list[tuple[float, float]]],
) -> list[VerifyPoint]:
    """Each measured service's operating point, then each one's 1.25 × safe point.

    ``visits`` is a service's requests per arrival, as the probe measured them.
    """
    points: list[VerifyPoint] = []
    for label in (OPERATING, OVER):
        for row in rows:
            if row.service not in visits or row.not_sized_because is not None:
                continue
            factor = row.target_utilization if label == OPERATING else OVERLOAD
            rps = row.safe_rps_per_replica * factor
            predicted, because = predicted_p95(curves.get(row.service, []), rps)
            points.append(
                VerifyPoint(
                    service=row.service,
                    point=label,
                    planned_rps=rps,
                    arrival_rate=rps / visits[row.service],
                    budget_ms=row.budget_ms,
                    lower_bound="lower-bound" in row.method,
                    predicted_p95_ms=predicted,
                    predicted_because=because,
                )
            )
    return points


def judge(point: VerifyPoint, measured: Measured) -> Judged:
    """Whether a plateau's measurement is what the plan said, and why, in words."""
    p95, budget = measured.p95_ms, point.budget_ms
    if point.point == OVER and measured.p95_uncorrected_ms is not None:
        # over capacity the open-model pool sends late, and the target sees less than the
        # intended load: its p95 from the actual sends is a lower bound of its p95 at that load
        p95 = measured.p95_uncorrected_ms
    if p95 is None or measured.requests < MIN_REQUESTS:
        return Judged(
            point,
            measured,
            None,
            f"not judged: {measured.requests} requests of {point.service}, under "
            f"{MIN_REQUESTS} (hold the plateaus longer with --verify-hold)",
        )
    shown = f"p95 {numbers.latency(p95 / 1000)} vs budget {numbers.latency(budget / 1000)}"
    over = p95 > budget
    if point.point == OPERATING:
        return Judged(point, measured, not over, f"{shown}: {'missed' if over else 'met'}", over)
    shown = f"uncorrected {shown}" if p95 != measured.p95_ms else shown
    if over:
        return Judged(point, measured, True, f"{shown}: over, as planned", over)
    if point.lower_bound:
        note = f"{shown}: still within; the plan sized it from a lower bound, so it says so"
        return Judged(point, measured, True, note, over)
    note = f"{shown}: still within, so the plan under-states the replica by more than 25 %"
    return Judged(point, measured, False, note, over)


def verdict_line(judged: Sequence[Judged], valid: bool, invalid_because: str) -> str:
    """The verdict, in one line: held, did not hold, or could not be verified."""
    if not valid:
        return (
            "Could not verify the plan: the confirmation run is not to be trusted "
            f"({invalid_because})"
        )
    failed = [j for j in judged if j.as_planned is False]
    if failed:
        what = "; ".join(f"{j.point.service} at the {j.point.point}: {j.note}" for j in failed)
        return f"The plan did not hold: {what}"
    confirmed, headroom, partly, unjudged = _held_by_service(judged)
    if not (confirmed or headroom or partly):
        return "Could not verify the plan: no plateau had enough requests to judge"
    parts = []
    if confirmed:
        parts.append(
            f"{', '.join(confirmed)} met the budget at the operating point and missed it at "
            "1.25 × the safe rate"
        )
    if headroom:
        parts.append(
            f"{', '.join(headroom)} met it at both (sized from a lower bound: a replica holds "
            "more than planned)"
        )
    if partly:
        parts.append(f"judged at one point only: {', '.join(partly)}")
    line = f"The plan held: {'; '.join(parts)}, on one replica"
    if unjudged:
        line += f" ({', '.join(unjudged)} not judged: too few requests)"
    return line


def _held_by_service(
    judged: Sequence[Judged],
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Services whose plan held, by what was seen: met then missed (confirmed), met at both
    points (a lower bound with headroom), judged at one point only, and not judged."""
    points: dict[str, dict[str, Judged]] = {}
    for j in judged:
        if j.as_planned is not None:
            points.setdefault(j.point.service, {})[j.point.point] = j
    confirmed, headroom, partly = [], [], []
    for service, seen in sorted(points.items()):
        if len(seen) == 1:
            [only] = seen
            where = "the operating point" if only == OPERATING else "1.25 × the safe rate"
            partly.append(f"{service} at {where}")
        elif seen[OVER].over_budget:
            confirmed.append(service)
        else:
            headroom.append(service)
    unjudged = sorted({j.point.service for j in judged} - set(points))
    return confirmed, headroom, partly, unjudged


def late_only_above(judged: Sequence[Judged]) -> bool:
    """Whether a run flagged late kept its schedule at every operating point.

    A plateau over a replica's capacity makes the open-model pool send late by
    design (its users wait on slow answers); the run is still trustworthy when
    each operating point got its planned rate (within 10 %) and its p95 from the
    intended times is that from the actual sends (within 10 % and 1 ms).
    """
    for j in judged:
        m = j.measured
        if j.point.point != OPERATING:
            continue
        if m.p95_ms is None or m.p95_uncorrected_ms is None:
            return False
        if m.rps < 0.9 * j.point.planned_rps or m.p95_ms > 1.1 * m.p95_uncorrected_ms + 1.0:
            return False
    return True


def point_line(j: Judged) -> str:
    """One plateau for people: the service, the rates, predicted and measured p95."""
    p = j.point
    predicted = (
        numbers.latency(p.predicted_p95_ms / 1000)
        if p.predicted_p95_ms is not None
        else "over the budget"
    )
    measured = numbers.latency(j.measured.p95_ms / 1000) if j.measured.p95_ms is not None else "—"
    return (
        f"  {p.service:<14} {p.point:<16} planned {numbers.rate(p.planned_rps)}, measured "
        f"{numbers.rate(j.measured.rps)}: predicted p95 {predicted}, measured {measured} "
        f"({j.note})"
    )


def point_json(j: Judged) -> dict[str, object]:
    """One plateau in verify.json (``null`` with a reason where there is no number)."""
    p = j.point
    return {
        "service": p.service,
        "point": p.point,
        "planned_rps": round(p.planned_rps, 3),
        "arrival_rate": round(p.arrival_rate, 3),
        # the probe's (or, for a closed-model probe, the calibration run's) count
        "requests_per_arrival": round(p.planned_rps / p.arrival_rate, 4)
        if p.arrival_rate > 0
        else None,
        "budget_ms": p.budget_ms,
        "predicted_p95_ms": None if p.predicted_p95_ms is None else round(p.predicted_p95_ms, 2),
        "predicted_from": p.predicted_because,
        "measured_rps": round(j.measured.rps, 3),
        "measured_p95_ms": None if j.measured.p95_ms is None else round(j.measured.p95_ms, 2),
        "measured_p95_ms_null_because": None
        if j.measured.p95_ms is not None
        else "no request of the service in the plateau",
        "measured_p95_uncorrected_ms": None
        if j.measured.p95_uncorrected_ms is None
        else round(j.measured.p95_uncorrected_ms, 2),
        "requests": j.measured.requests,
        "as_planned": j.as_planned,
        "note": j.note,
    }
