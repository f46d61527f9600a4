"""The one sentence a manager repeats: Ready, Not ready or Inconclusive, and why.

Precedence, first match wins:

1. the store's audit failed (oversell, lost orders, double charges) → Not ready:
   integrity is broken whatever the latency;
2. the run was interrupted or its measurements are invalid → Inconclusive;
3. an objective was missed → Not ready, naming the first miss, the phase and the
   time window where it happened, and the phases that met every objective;
4. otherwise → Ready, at the scale the run used; when the run's capacity plan is
   infeasible as planned, "Ready for the load tested" and what the plan needs
   (never a bare "Ready" beside an infeasible plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stampede.reports._slo import SloResult
from stampede.reports._where import Miss, Placement, met_every_objective, short, where

Status = Literal["ready", "not_ready", "inconclusive"]
LABELS: dict[Status, str] = {
    "ready": "Ready",
    "not_ready": "Not ready",
    "inconclusive": "Inconclusive",
}


@dataclass(frozen=True)
class VerdictInputs:
    """What the verdict depends on besides the objectives."""

    scale: float
    peak_users: float
    valid: bool
    invalid_reasons: tuple[str, ...] = ()
    interrupted: bool = False
    #: why the run ended (``run.json``'s ``stop_reason``)
    stop_reason: str = ""
    audit_ok: bool | None = None
    failed_audit_checks: tuple[str, ...] = ()
    #: the users the run's capacity plan is for, and what it needs to hold (None: it holds)
    plan_users: float | None = None
    plan_needs: str | None = None


@dataclass(frozen=True)
class Verdict:
    status: Status
    sentence: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _load_phrase(facts: VerdictInputs, aside: bool = False) -> str:
    """``at 0.5% of full scale (600 concurrent users)``; ``aside``: with a comma instead."""
    users = f"{facts.peak_users:,.0f} concurrent users"
    scale = "full scale" if facts.scale >= 1 else f"{facts.scale * 100:.3g}% of full scale"
    return f"at {scale}, {users}" if aside else f"at {scale} ({users})"


def _more(count: int, noun: str) -> str:
    return "" if count == 0 else f", and {count} more {noun}{'s' if count > 1 else ''} failed"


def _first_clause(reason: str) -> str:
    """The part of a validity reason before its explanation (``;``)."""
    return reason.split(";", 1)[0].strip().rstrip(".")


def _not_ready(facts: VerdictInputs, misses: Sequence[Miss], placement: Placement) -> Verdict:
    first = misses[0]
    met = met_every_objective(placement)
    return Verdict(
        "not_ready",
        f"Not ready: {short(first.result)} {where(first)}{_more(len(misses) - 1, 'objective')}"
        f"{'; ' + met if met else ''} ({_load_phrase(facts, aside=True)}).",
        tuple(f"{m.result.detail}, {where(m)}" for m in misses),
    )


def judge(
    facts: VerdictInputs, slos: Sequence[SloResult], placement: Placement | None = None
) -> Verdict:
    """The verdict on a run from its facts, its judged objectives and where the missed
    ones were missed (``placement``; without it every miss is over the whole run)."""
    missed = [s for s in slos if not s.passed]
    if facts.audit_ok is False:
        reasons = facts.failed_audit_checks or ("the store's audit failed",)
        return Verdict(
            "not_ready",
            f"Not ready: the store's data-integrity audit failed ({reasons[0]})"
            f"{_more(len(reasons) - 1, 'check')}.",
            tuple(f"Audit: {r}" for r in reasons) + tuple(s.detail for s in missed),
        )
    if facts.interrupted or not facts.valid:
        why = f" ({facts.stop_reason})" if facts.stop_reason else ""
        stopped = (f"the run was interrupted before its schedule ended{why}",)
        reasons = (stopped if facts.interrupted else ()) + facts.invalid_reasons
        reasons = reasons or ("the run's measurements were not judged valid",)
        also = tuple(f"Not to be trusted either way: {s.detail}" for s in missed)
        again = (
            "run it to the end before deciding"
            if facts.interrupted and facts.valid
            else "fix that and run again before deciding"
        )
        return Verdict(
            "inconclusive",
            f"Inconclusive: {_first_clause(reasons[0])}, so this run cannot be trusted; {again}.",
            reasons + also,
        )
    if missed:
        if placement is None:
            placement = Placement(tuple(Miss(s) for s in missed), (), 0)
        return _not_ready(facts, placement.misses, placement)
    integrity = {
        True: "the store's audit found no oversell, lost order or double charge",
        None: "data integrity was not audited (the target names no audit, or no admin token)",
    }[facts.audit_ok]
    count = {0: "a run with no objectives set", 1: "its one objective"}.get(
        len(slos), f"all {len(slos)} objectives"
    )
    if facts.plan_needs:
        users = f"{facts.plan_users:,.0f}" if facts.plan_users is not None else "the target's"
        return Verdict(
            "ready",
            f"Ready for the load tested: {_load_phrase(facts)} the store met {count}, and "
            f"{integrity}; the plan for {users} users needs {facts.plan_needs}.",
            (f"The capacity plan is infeasible as planned: it needs {facts.plan_needs}.",),
        )
    return Verdict(
        "ready",
        f"Ready: {_load_phrase(facts)} the store met {count}, and {integrity}.",
        (),
    )
