"""The case study's before/after dashboard: one row per metric, measured or marked.

:func:`dashboard` is pure over two :class:`Side`\\ s (before: the legacy monolith,
after: the modern services), each the runs ``stampede case-study`` made of one
architecture: the flash sale (with one injected fault), the capacity probe and
its plan. A row is *measured* (``before`` and ``after`` numbers, the change in
the seed's style) or says why it is not: ``not measured yet`` (the load test
could, but Stampede does not yet) or ``not measured by a load test``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from stampede.core.outcomes import ABANDONED_SLOW_CHECKOUT
from stampede.core.plan_document import PlanDocument
from stampede.reports._availability import run_availability
from stampede.reports._failures import timeouts_by_request
from stampede.reports._improvement import improvement
from stampede.reports._model import RunData
from stampede.reports._slowness import lost_to_slowness
from stampede.reports._where import phase_results

Status = Literal["measured", "not measured yet", "not measured by a load test", "not measured"]


@dataclass(frozen=True)
class Side:
    """The runs of one architecture; ``plan_error`` says why there is no plan."""

    architecture: str
    sale: RunData
    probe: RunData | None = None
    plan: PlanDocument | None = None
    plan_error: str | None = None


@dataclass(frozen=True)
class CaseMetric:
    """One row of the dashboard; ``before``/``after`` in ``unit`` (None: not measured)."""

    metric: str
    before: float | None
    after: float | None
    unit: str
    status: Status
    note: str
    #: ``before`` and/or ``after`` when that value is only a lower bound (requests timed out)
    at_least: tuple[str, ...] = ()

    @property
    def improvement(self) -> str:
        return improvement(self.before, self.after) if self.status == "measured" else "—"


NOT_A_LOAD_TEST = {
    "mobile crash rate": "Crashes happen in the app on the phone; a load test sends the app's "
    "API calls, not the app, so it sees no crash.",
    "deployment frequency": "How often a team ships is a property of its delivery pipeline; a "
    "load test measures the store once it is running, not how it got there.",
}


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom else None


def _p95_ms(d: RunData, group: str) -> float | None:
    dist = d.distributions.get(group)
    return dist.percentile(95) * 1000 if dist is not None and dist.total else None


def page_load_p95_s(d: RunData) -> float | None:
    """The corrected p95 of every page view of the run (None: it made none)."""
    every = d.page_loads.get("all")
    return every.percentile(95) if every is not None and every.total else None


def _paid(d: RunData) -> float:
    return float(d.outcome_totals.get("order_paid", d.orders_by_status.get("paid", 0)))


def checkout_success(d: RunData) -> float | None:
    return _pct(_ratio(_paid(d), d.outcome_totals.get("checkout_attempted", 0)))


def conversion(d: RunData) -> float | None:
    return _pct(_ratio(_paid(d), d.outcome_totals.get("viewed_product", 0)))


def cart_abandonment(d: RunData) -> float | None:
    """Carts filled that never reached a checkout, or whose failed checkout the shopper gave
    up on past its patience, per cart filled."""
    added = d.outcome_totals.get("added_to_cart", 0)
    checked_out = d.outcome_totals.get("checkout_attempted", 0)
    checked_out -= d.outcome_totals.get(ABANDONED_SLOW_CHECKOUT, 0)
    share = _ratio(max(added - checked_out, 0), added)
    return _pct(share)


def orders_lost(d: RunData) -> float | None:
    """Orders lost to slowness (None: the profile's patience is off, nobody abandons)."""
    return None if d.patience is None else lost_to_slowness(d.outcome_totals).orders


def users_at_slo(probe: RunData) -> float | None:
    """Most users running in a probe step whose own requests met every objective."""
    best: float | None = None
    for phase in probe.phases:
        results = phase_results(probe, probe.slos, phase)
        if not results or not all(r.passed for r in results):
            continue
        running = [
            u
            for t, u in zip(probe.users.t, probe.users.running, strict=True)
            if phase.start_s <= t < phase.end_s
        ]
        users = max(running, default=0.0)
        best = users if best is None else max(best, users)
    return best


def mttr_s(d: RunData) -> float | None:
    """The recovery of the sale's injected fault (None: none injected or not recovered)."""
    chaos = d.run.runner.chaos if d.run.runner is not None else ()
    found = [f.recovery_s for f in chaos if f.start_s is not None]
    return found[0] if found else None


def _fault_note(d: RunData) -> str:
    chaos = d.run.runner.chaos if d.run.runner is not None else ()
    if not chaos:
        return "no fault was injected into this run"
    fault = chaos[0]
    if fault.start_s is None:
        return f"{fault.spec} was never injected ({fault.detail})"
    if fault.recovery_s is None:
        left = d.duration_s - (fault.end_s if fault.end_s is not None else fault.start_s)
        return (
            f"{fault.spec}: not recovered by the end of the run (not back within the "
            f"objectives in the {left:.0f} s after the fault)"
        )
    return f"{fault.spec}: back within the objectives {fault.recovery_s:.0f} s after it ended"


Getter = Callable[[Side], float | None]


def _measured(metric: str, unit: str, get: Getter, note: str) -> Callable[..., CaseMetric]:
    def row(before: Side, after: Side) -> CaseMetric:
        b, a = get(before), get(after)
        status: Status = "measured" if b is not None and a is not None else "not measured"
        return CaseMetric(metric, b, a, unit, status, note)

    return row


def _why_missing(row: CaseMetric, before: Side, after: Side, plan: bool) -> CaseMetric:
    if row.status == "measured":
        return row
    reasons = []
    for side, value in ((before, row.before), (after, row.after)):
        if value is not None:
            continue
        if plan and side.plan_error:
            reasons.append(f"{side.architecture}: the plan could not be made ({side.plan_error})")
        else:
            reasons.append(f"{side.architecture}: the run measured nothing to compute it from")
    return CaseMetric(row.metric, row.before, row.after, row.unit, row.status, "; ".join(reasons))


def timed_out(d: RunData, group: str) -> int:
    """Requests of ``group`` (``all``: every one) that got no answer before the timeout."""
    found = timeouts_by_request(d.failure_rows)
    return sum(n for name, n in found.items() if group == "all" or d.target.group_of(name) == group)


def _p95_bound(row: CaseMetric, group: str, sides: Sequence[Side]) -> CaseMetric:
    """A p95 over requests of which more than 5% timed out is at least the timeout."""
    bounded, notes = [], []
    for which, side in zip(("before", "after"), sides, strict=True):
        dist = side.sale.distributions.get(group)
        late = timed_out(side.sale, group)
        if late and late > 0.05 * (late + (dist.total if dist is not None else 0)):
            bounded.append(which)
            notes.append(
                f"{side.architecture}: {late:,} timed out, so its p95 is at least the "
                "client's timeout"
            )
    if not bounded:
        return row
    note = f"{row.note}; " + "; ".join(notes)
    return CaseMetric(row.metric, row.before, row.after, row.unit, row.status, note, tuple(bounded))


def _sale_rows(before: Side, after: Side) -> list[CaseMetric]:
    def sale(get: Callable[[RunData], float | None]) -> Getter:
        return lambda side: get(side.sale)

    def available(kind: str) -> Getter:
        def get(side: Side) -> float | None:
            found = run_availability(side.sale)
            return _pct(found.seconds_share if kind == "seconds" else found.requests_share)

        return get

    makers = [
        _measured("page load time", "s", sale(page_load_p95_s),
                  "corrected p95 of every page view of the sale run: its HTML document, then "
                  "the page's API calls six at a time, as one transaction from its intended "
                  "start"),
        _measured("API response time (p95)", "ms", sale(lambda d: _p95_ms(d, "all")),
                  "corrected p95 of every request of the sale run"),
        _measured("checkout response time (p95)", "ms", sale(lambda d: _p95_ms(d, "checkout")),
                  "corrected p95 of the checkout requests"),
        _measured("availability during the sale", "%", available("seconds"),
                  "share of the sale's seconds within every p95 and error-rate objective"),
        _measured("requests served without error", "%", available("requests"),
                  "share of the sale's requests that did not fail"),
        _measured("error rate", "%", sale(lambda d: _pct(d.error_rate)),
                  "failed requests of the whole run"),
        _measured("checkout success", "%", sale(checkout_success),
                  "orders paid per checkout attempted"),
        _measured("conversion rate", "%", sale(conversion), "orders paid per product viewed"),
        _measured("cart abandonment", "%", sale(cart_abandonment),
                  "carts filled that never reached a checkout or whose failed checkout was "
                  "given up: shoppers with patience (docs/patience.md) leave a cart page or "
                  "checkout slower than it"),
        _measured("orders lost to slowness", "orders", sale(orders_lost),
                  "carts abandoned at a cart page or checkout slower than the shopper's "
                  "patience, plus the visits left at a slow page times the run's conversion: "
                  "an estimate, as in each run's report"),
        _measured("mean time to recovery", "s", sale(mttr_s),
                  "from the end of the injected fault to the first 5 s back within the "
                  "objectives"),
    ]  # fmt: skip
    rows = [_why_missing(make(before, after), before, after, False) for make in makers]
    rows[1] = _p95_bound(rows[1], "all", (before, after))
    rows[2] = _p95_bound(rows[2], "checkout", (before, after))
    return [_patience_note(_recovery_note(r, before, after), before, after) for r in rows]


def _patience_note(row: CaseMetric, before: Side, after: Side) -> CaseMetric:
    """Orders lost to slowness, unmeasured, says whose profile turned patience off."""
    if row.metric != "orders lost to slowness" or row.status == "measured":
        return row
    off = [s.architecture for s in (before, after) if s.sale.patience is None]
    note = f"patience is off in the {' and '.join(off)} sale's profile, so nobody abandons"
    return CaseMetric(row.metric, row.before, row.after, row.unit, row.status, note)


def _recovery_note(row: CaseMetric, before: Side, after: Side) -> CaseMetric:
    """An unmeasured recovery says what happened to each side's fault."""
    if row.metric != "mean time to recovery" or row.status == "measured":
        return row
    note = "; ".join(fault_notes((before, after)))
    return CaseMetric(row.metric, row.before, row.after, row.unit, row.status, note)


def _at_least(*sides: Side) -> str:
    """Which sides met the objectives even at the probe's highest step (a lower bound)."""
    top = [
        s.architecture
        for s in sides
        if s.probe is not None
        and (found := users_at_slo(s.probe)) is not None
        and found >= s.probe.peak_users
    ]
    if not top:
        return ""
    return f"; {' and '.join(top)} met them at the probe's highest step, so at least that many"


def _plan_rows(before: Side, after: Side) -> list[CaseMetric]:
    def probe(side: Side) -> float | None:
        return users_at_slo(side.probe) if side.probe is not None else None

    users = _measured(
        "concurrent users supported at the SLO", "users", probe,
        "most users running in a step of the capacity probe whose own requests met every "
        "objective, on this machine's one store" + _at_least(before, after),
    )(before, after)  # fmt: skip
    cost = _measured(
        "infrastructure cost per month",
        before.plan.cost.currency if before.plan is not None else "USD",
        lambda side: side.plan.cost.monthly_baseline if side.plan is not None else None,
        "the plan's baseline month for 120,000 sale users, priced with the bundled price sheet",
    )(before, after)
    return [_why_missing(users, before, after, False), _why_missing(cost, before, after, True)]


def dashboard(before: Side, after: Side) -> list[CaseMetric]:
    """Every row of the case study, in the seed dashboard's order."""
    rows = [*_sale_rows(before, after), *_plan_rows(before, after)]
    rows += [
        CaseMetric(name, None, None, "", "not measured by a load test", why)
        for name, why in NOT_A_LOAD_TEST.items()
    ]
    return rows


def fault_notes(sides: Sequence[Side]) -> list[str]:
    return [f"{s.architecture}: {_fault_note(s.sale)}" for s in sides]
