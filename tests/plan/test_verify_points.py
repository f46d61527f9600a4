"""Predict, then verify: the rates confirmed, the predicted p95, the judgement, bad inputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from stampede.app.plan_input import ProbeRun, read_run
from stampede.app.verify import (
    LEAD_IN_S,
    VerifyOutcome,
    VerifyRequest,
    calibration_hold,
    calibration_rate,
    measure,
    probe_visits,
)
from stampede.app.verify_points import (
    OPERATING,
    OVER,
    Measured,
    judge,
    late_only_above,
    point_json,
    predicted_p95,
    verdict_line,
    verify_points,
)
from stampede.capacity import LevelWindow, ServiceMap
from stampede.core.errors import ConfigError
from stampede.core.exits import Exit
from stampede.core.latency import LatencyTimeline
from stampede.core.plan_document import PlanSizingRow
from stampede.core.records import RunRecord
from stampede.core.target_description import load_description
from tests.cli import run_cli
from tests.core.samples import measured_run
from tests.plan.conftest import MakeRun

CURVE = [(50.0, 30.0), (150.0, 80.0), (100.0, 40.0)]


def _row(service: str, safe: float, method: str = "crossing") -> PlanSizingRow:
    return PlanSizingRow(
        service=service,
        demand_rps=1000.0,
        budget_ms=100.0,
        method=method,
        replica_share=None,
        safe_rps_per_replica=safe,
        target_utilization=0.8,
        baseline_replicas=2,
        peak_replicas=10,
        mmc_p95_ms=None,
        mmc_replicas=None,
    )


def test_the_prediction_is_the_probes_curve_interpolated_and_nothing_beyond_it() -> None:
    assert predicted_p95(CURVE, 125.0) == (60.0, "the probe's latency curve, interpolated")
    assert predicted_p95(CURVE, 75.0)[0] == pytest.approx(35.0)
    assert predicted_p95(CURVE, 10.0) == (30.0, "the probe's lightest plateau (the curve's floor)")
    beyond, why = predicted_p95(CURVE, 151.0)
    assert (
        beyond is None and why == "beyond the probe's heaviest plateau (150 req/s): over the budget"
    )
    assert predicted_p95([], 5.0) == (None, "the probe measured no p95 of this service")


def test_each_service_is_confirmed_at_its_operating_point_then_at_1_25_times_safe() -> None:
    rows = [_row("catalog", 200.0), _row("orders", 40.0), _row("payments", 10.0)]
    # payments is derived (the probe calls none of its routes): not confirmed
    points = verify_points(rows, {"catalog": 2.0, "orders": 0.5}, {"catalog": CURVE})
    assert [(p.service, p.point) for p in points] == [
        ("catalog", OPERATING),
        ("orders", OPERATING),
        ("catalog", OVER),
        ("orders", OVER),
    ]
    catalog_op, orders_op, catalog_over, orders_over = points
    assert catalog_op.planned_rps == pytest.approx(160.0)  # 200 × 0.8
    assert catalog_op.arrival_rate == pytest.approx(80.0)  # 2 catalog requests per arrival
    assert catalog_op.predicted_p95_ms is None  # 160 req/s is beyond the probe's 150
    assert catalog_over.planned_rps == pytest.approx(250.0)
    assert orders_op.arrival_rate == pytest.approx(64.0) and orders_over.arrival_rate == 100.0
    assert orders_op.predicted_p95_ms is None
    assert orders_op.predicted_because == "the probe measured no p95 of this service"


def test_the_judgement_needs_the_budget_met_at_the_operating_point_and_missed_above() -> None:
    few_m = Measured(8.0, 50.0, 64)
    op, over = verify_points([_row("queue", 100.0)], {"queue": 1.0}, {"queue": CURVE})
    met = judge(op, Measured(80.0, 60.0, 640))
    missed_above = judge(over, Measured(125.0, 140.0, 1000))
    assert met.as_planned is True and met.note == "p95 60 ms vs budget 100 ms: met"
    assert missed_above.as_planned is True and missed_above.note.endswith("over, as planned")
    assert verdict_line([met, missed_above], True, "").startswith(
        "The plan held: queue met the budget at the operating point and missed it at 1.25 × "
    )
    missed = judge(op, Measured(80.0, 120.0, 640))
    assert missed.as_planned is False
    line = verdict_line([missed, missed_above], True, "")
    assert line.startswith("The plan did not hold: queue at the operating point: p95 120 ms")
    # within the budget 25 % above the safe rate: the plan under-states the replica
    within = judge(over, Measured(125.0, 90.0, 1000))
    assert within.as_planned is False and "under-states the replica" in within.note
    # ... unless the plan said it was a lower bound
    [_, lower] = verify_points([_row("queue", 100.0, "measured-lower-bound")], {"queue": 1.0}, {})
    headroom = judge(lower, Measured(125.0, 90.0, 1000))
    assert headroom.as_planned is True and headroom.over_budget is False
    # the verdict says what was seen, service by service: met then missed, met at both
    # (a lower bound's headroom), one point only, none
    confirmed = dataclasses.replace(missed_above, point=dataclasses.replace(over, service="a"))
    alone = dataclasses.replace(headroom, point=dataclasses.replace(lower, service="c"))
    both = [met, headroom, confirmed, judge(dataclasses.replace(op, service="a"), met.measured)]
    unjudged = judge(dataclasses.replace(op, service="d"), few_m)
    line = verdict_line([*both, alone, unjudged], True, "")
    assert line == (
        "The plan held: a met the budget at the operating point and missed it at 1.25 × the "
        "safe rate; queue met it at both (sized from a lower bound: a replica holds more than "
        "planned); judged at one point only: c at 1.25 × the safe rate, on one replica "
        "(d not judged: too few requests)"
    )
    few = judge(op, few_m)
    assert few.as_planned is None and "64 requests of queue, under 200" in few.note
    assert verdict_line([few], True, "").startswith("Could not verify the plan: no plateau")
    assert verdict_line([met], False, "12 % of sends were late") == (
        "Could not verify the plan: the confirmation run is not to be trusted "
        "(12 % of sends were late)"
    )
    # verify.json's form of a point is strict JSON: a missing number is null with a reason
    row = point_json(judge(over, Measured(0.0, None, 0)))
    assert row["measured_p95_ms"] is None and row["measured_p95_ms_null_because"]
    assert row["predicted_p95_ms"] == 60.0 and str(row["predicted_from"]).endswith("interpolated")
    json.dumps(row, allow_nan=False)


def test_the_verdict_is_printed_first() -> None:
    op, over = verify_points([_row("queue", 100.0)], {"queue": 1.0}, {"queue": CURVE})
    judged = (judge(op, Measured(80.0, 60.0, 640)), judge(over, Measured(125.0, 140.0, 999)))
    line = verdict_line(judged, True, "")
    lines = VerifyOutcome(line, judged, True, Exit.OK, (Path("verify.json"),)).lines()
    assert lines[0] == line and lines[1].startswith("Tolerance: the plan held for a service")
    assert lines[2].split()[:3] == ["queue", "operating", "point"]
    assert lines[-1] == "Wrote verify.json"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verify-hold", "soon"], "--verify-hold 'soon' is not a length of time; write it"),
        (["--verify-hold", "1s"], "--verify-hold 1 s is not allowed; hold each confirmation "),
        (["--verify-hold", "20m"], "--verify-hold 1200 s is not allowed"),
        ([], "has no plan ("),
    ],
)
def test_bad_inputs_are_one_line_and_exit_3(
    make_run: MakeRun, args: list[str], message: str
) -> None:
    run_dir = make_run()
    result = run_cli("verify", str(run_dir / "capacity"), *args)
    assert result.returncode == Exit.USAGE, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert message in line


def test_a_closed_model_probe_is_calibrated_no_heavier_than_its_lightest_plateau(
    make_run: MakeRun,
) -> None:
    facts = read_run(make_run())  # capacity-probe at scale 0.005: 10 users at the lightest
    assert facts.levels is None and facts.think_time_s > 0
    assert calibration_rate(facts) == pytest.approx(10 / facts.think_time_s)
    with pytest.raises(ConfigError, match="whose users do not think"):
        calibration_rate(dataclasses.replace(facts, think_time_s=0.0))
    with pytest.raises(ConfigError, match="hold each confirmation plateau 2 to 600 s"):
        VerifyRequest(facts.path, hold_s=float("nan"))


def test_a_light_calibration_plateau_is_held_long_enough_to_count_fifty_arrivals() -> None:
    # 0.93 arrivals/s (a closed-model probe's 10 users thinking 10.75 s): an 8 s hold would
    # measure 6 arrivals; 68 s, less its 13.6 s warm-up, measures 50.6
    assert calibration_hold(0.93, 8.0) == 68.0
    assert isinstance(calibration_hold(0.93, 8.0), float)  # a stage duration, in seconds
    assert calibration_hold(0.93, 8.0) * 0.8 * 0.93 >= 50
    assert calibration_hold(100.0, 8.0) == 8.0  # a heavy rate keeps the verify hold
    assert calibration_hold(100.0, 2.0) == 5.0  # the warm-up is a fifth from 5 s on
    assert calibration_hold(0.01, 8.0) == 600.0  # never past the longest hold allowed


def _probe(levels: list[tuple[float, float, float]], per_arrival: float) -> ProbeRun:
    """An open-model run on the M/M/c description whose timeline holds exact counts:
    ``per_arrival`` requests of ``/work`` per arrival, 10 ms each, and a health check."""
    timeline = LatencyTimeline(1.0, origin=0.0)
    for rate, start, end in levels:
        n = round(rate * (end - start) * per_arrival)
        for i in range(n):
            t = start + (i + 0.5) * (end - start) / n
            timeline.record("GET /work", t, t, t + 0.010 + 0.040 * (i % 20 == 0))
        timeline.record("GET /health", start, start, start + 0.001)
    return ProbeRun(
        path=Path("probe"),
        record=RunRecord(measured_run(model="open", origin=0.0), None),
        history=pd.DataFrame(),
        slo_p95_ms=100.0,
        think_time_s=0.0,
        hold_s=10.0,
        timeline=timeline,
        services=ServiceMap(load_description(Path(__file__).parent / "mmc.target.yaml")),
        levels=tuple(LevelWindow(rate, start, end) for rate, start, end in levels),
    )


def test_requests_per_arrival_come_from_the_probes_lighter_plateaus() -> None:
    # the heavier plateau lost half its requests (an overloaded queue): it is not used
    light = _probe([(20.0, 1000.0, 1010.0), (40.0, 1010.0, 1020.0)], 2.0)
    assert probe_visits(light) == {"queue": pytest.approx(2.0)}
    # the p95 of a plateau is the service's own (the health checks are another group)
    [measured] = measure(
        dataclasses.replace(light, record=RunRecord(measured_run(origin=999.9 - LEAD_IN_S))),
        [verify_points([_row("queue", 40.0)], {"queue": 2.0}, {})[0]],
        hold_s=10.0,
    )
    assert measured.requests == 20 * 2 * 8  # the whole seconds 1002-1009, after 2 s warm-up
    assert measured.rps == pytest.approx(40.0) and measured.p95_ms == pytest.approx(10.0, abs=0.1)


def test_over_capacity_the_p95_from_the_actual_sends_decides_and_lateness_there_is_allowed() -> (
    None
):
    op, over = verify_points([_row("queue", 100.0)], {"queue": 1.0}, {"queue": CURVE})
    # the pool sent late above capacity: corrected 1.5 s, from the actual sends 400 ms
    above = judge(over, Measured(120.0, 1500.0, 900, 400.0))
    assert above.as_planned is True and above.note.startswith("uncorrected p95 400 ms")
    # corrected over budget only because of the generator's lateness: not "over" at all
    late = judge(over, Measured(120.0, 150.0, 900, 90.0))
    assert late.as_planned is False
    clean = judge(op, Measured(79.0, 60.0, 640, 59.5))
    assert late_only_above([clean, above])
    # an operating point sent late, or short of its rate, voids the run
    assert not late_only_above([judge(op, Measured(79.0, 90.0, 640, 60.0)), above])
    assert not late_only_above([judge(op, Measured(60.0, 60.0, 480, 60.0)), above])
    assert point_json(above)["measured_p95_uncorrected_ms"] == 400.0
