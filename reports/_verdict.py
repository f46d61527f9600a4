"""The one sentence a manager repeats: Ready, Not ready or Inconclusive, and why.

Precedence, first match wins:

1. the store's audit failed (oversell, lost orders, double charges) → Not ready:
   integrity is broken whatever the latency;
2. the run was interrupted or its measurements are invalid → Inconclusive;
3. an objective was missed → Not ready;
4. otherwise → Ready, at the scale the run used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stampede.reports._slo import SloResult

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
    audit_ok: bool | None = None
    failed_audit_checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    status: Status
    sentence: str
    reasons: tuple[str, ...]

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _load_phrase(facts: VerdictInputs) -> str:
    users = f"{facts.peak_users:,.0f} concurrent users"
    if facts.scale >= 1:
        return f"at full scale ({users})"
    return f"at {facts.scale * 100:.3g}% of full scale ({users})"


def _more(count: int, noun: str) -> str:
    return "" if count == 0 else f", and {count} more {noun}{'s' if count > 1 else ''} failed"


def _first_clause(reason: str) -> str:
    """The part of a validity reason before its explanation (``;``)."""
    return reason.split(";", 1)[0].strip().rstrip(".")


def judge(facts: VerdictInputs, slos: Sequence[SloResult]) -> Verdict:
    """The verdict on a run from its facts and its judged objectives."""
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
        stopped = ("the run was interrupted before its schedule ended",)
        reasons = (stopped if facts.interrupted else ()) + facts.invalid_reasons
        reasons = reasons or ("the run's measurements were not judged valid",)
        also = tuple(f"Not to be trusted either way: {s.detail}" for s in missed)
        return Verdict(
            "inconclusive",
            f"Inconclusive: {_first_clause(reasons[0])}, so this run cannot be trusted; fix "
            "that and run again before deciding.",
            reasons + also,
        )
    if missed:
        first = missed[0].detail
        return Verdict(
            "not_ready",
            f"Not ready: {_load_phrase(facts)} the {first}{_more(len(missed) - 1, 'objective')}.",
            tuple(s.detail for s in missed),
        )
    integrity = {
        True: "the store's audit found no oversell, lost order or double charge",
        None: "data integrity was not audited (no admin token for the store)",
    }[facts.audit_ok]
    count = {0: "a run with no objectives set", 1: "its one objective"}.get(
        len(slos), f"all {len(slos)} objectives"
    )
    return Verdict(
        "ready",
        f"Ready: {_load_phrase(facts)} the store met {count}, and {integrity}.",
        (),
    )
