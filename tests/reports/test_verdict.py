"""The verdict's precedence: audit, then trust, then objectives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from stampede.reports import SloResult, VerdictInputs, evaluate_slos, judge, load_run
from stampede.reports._report import facts, measurements
from stampede.reports._where import place_misses, where
from tests.synthetic import Traffic, write_run

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
        (GOOD, [MET, MISSED], "not_ready", "checkout p95 900 ms > 500 ms"),
        (
            GOOD,
            [dataclasses.replace(MISSED, measured=10.0, timed_out=37, at_least=True)],
            "not_ready",
            "Not ready: checkout p95 ≥ 10.0 s > 500 ms (37 timed out) over the whole run",
        ),
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


def test_a_miss_is_placed_in_the_phase_and_window_where_it_happened(tmp_path: Path) -> None:
    """Requests sent from 10 s to 13 s take 0.6 s longer (they complete up to 13.6 s); each
    is filed under the second it was meant to start, so the miss is placed at 10–13 s, in
    the sale, not a second later; the rest of the run is fast."""
    data = load_run(write_run(tmp_path / "run", Traffic(stall=(10, 13, 0.6))))
    judged = evaluate_slos(data.slos, measurements(data))
    placement = place_misses(data, judged, data.slos)
    (miss,) = placement.misses
    assert miss.result.key == "latency.all.p95"
    assert miss.phases == ("sale",) and miss.window == (10.0, 13.0)
    assert placement.clean_phases == ("baseline", "doors-open", "decay")
    verdict = judge(facts(data), judged, placement)
    assert verdict.status == "not_ready"
    assert verdict.sentence == (
        "Not ready: all requests' p95 604 ms > 500 ms during sale (10–13 s); the baseline, "
        "doors-open and decay phases met every objective (at full scale, 8 concurrent users)."
    ), verdict.sentence
    assert verdict.reasons[0].endswith(", during sale (10–13 s)")


def test_a_miss_no_phase_makes_alone_is_over_the_whole_run(tmp_path: Path) -> None:
    data = load_run(write_run(tmp_path / "run"))
    judged = evaluate_slos(dataclasses.replace(data.slos, min_throughput=1e6), measurements(data))
    placement = place_misses(data, judged, data.slos)
    (miss,) = placement.misses
    assert miss.window is None and where(miss) == "over the whole run"
    assert "throughput (busiest 10 s)" in judge(facts(data), judged, placement).sentence


def test_never_a_bare_ready_beside_an_infeasible_plan() -> None:
    facts = VerdictInputs(
        scale=0.005,
        peak_users=600,
        valid=True,
        audit_ok=True,
        plan_users=120_000,
        plan_needs="PgBouncer in transaction mode (6 processes) and 17 Redis nodes",
    )
    verdict = judge(facts, [MET])
    assert verdict.status == "ready"
    assert verdict.sentence.startswith("Ready for the load tested: at 0.5% of full scale")
    assert verdict.sentence.endswith(
        "; the plan for 120,000 users needs PgBouncer in transaction mode (6 processes) "
        "and 17 Redis nodes."
    )
    assert judge(GOOD, [MET]).sentence.startswith("Ready: at 0.5%")
