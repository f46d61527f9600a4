"""The verdict's precedence: audit, then trust, then objectives."""

from __future__ import annotations

import pytest

from stampede.reports import SloResult, VerdictInputs, judge

MET = SloResult("error_rate", "error rate", "fraction", 0.01, 0.0, True, 1.0, 0.0, "fine")
MISSED = SloResult(
    "latency.checkout.p95",
    "p95 latency, checkout requests",
    "s",
    0.5,
    0.9,
    False,
    -0.8,
    3.0,
    "p95 latency of checkout requests was 900 ms, over the 500 ms objective",
)
GOOD = VerdictInputs(scale=0.005, peak_users=600, valid=True, audit_ok=True)


@pytest.mark.parametrize(
    ("facts", "slos", "status", "words"),
    [
        (GOOD, [MET], "ready", "Ready: at 0.5% of full scale (600 concurrent users)"),
        (GOOD, [MET, MISSED], "not_ready", "checkout requests was 900 ms"),
        (
            VerdictInputs(0.005, 600, valid=False, invalid_reasons=("the CPU was saturated; why",)),
            [MISSED],
            "inconclusive",
            "Inconclusive: the CPU was saturated, so this run cannot be trusted",
        ),
        (
            VerdictInputs(1, 10, valid=False, audit_ok=False, failed_audit_checks=("oversold",)),
            [MET],
            "not_ready",
            "audit failed (oversold)",
        ),
        (VerdictInputs(1, 10, valid=True, interrupted=True), [MET], "inconclusive", "interrupted"),
        (VerdictInputs(1, 10, valid=True, audit_ok=None), [MET], "ready", "not audited"),
    ],
)
def test_verdict(facts: VerdictInputs, slos: list[SloResult], status: str, words: str) -> None:
    verdict = judge(facts, slos)
    assert verdict.status == status
    assert words in verdict.sentence
    assert verdict.sentence.count(". ") == 0  # one sentence
