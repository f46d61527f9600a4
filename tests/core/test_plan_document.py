"""plan.json as one typed document: written from a plan, read back equal, strict JSON."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest

from stampede.capacity import (
    CapacityPlan,
    PlanConfig,
    ProbeFacts,
    SaleSimulation,
    SaleWindow,
    load_stats_history,
    make_plan,
    plan_document,
    write_plan,
)
from stampede.core.errors import ConfigError
from stampede.core.plan_document import PlanDocument, PlanSource
from stampede.core.rundir import RunDir
from stampede.core.strict_json import strict_json
from tests.capacity.synthetic import Truth, synthetic_history
from tests.capacity.test_service_demand import cpu_samples

SOURCE = PlanSource(
    run_dir="runs/probe",
    profile="capacity-probe",
    valid=False,
    invalid_because="12 % of sends were late",
    scale=0.005,
    time_scale=0.5,
    profile_think_time_s=0.25,
    plateau_hold_s=25.0,
    store_workers=2,
    response_bytes_measured=400.0,
    plateau_p95="exact (corrected)",
    run_warnings=("the run is marked invalid",),
)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> CapacityPlan:
    """A plan whose services shared the store's CPU: some have no share, one an infinite p95."""
    truth = Truth()
    history = tmp_path_factory.mktemp("probe") / "history.csv"
    synthetic_history(truth, seconds=40).to_csv(history, index=False)
    frame = load_stats_history(history)
    return make_plan(
        frame,
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(datetime(2025, 11, 28, 9), 900),
            run=ProbeFacts(think_time_s=truth.think_s, store_cpu=cpu_samples(frame, noise=0.0)),
            simulation=SaleSimulation(controllers=("hpa",)),
        ),
    )


def _strict(text: str) -> object:
    def refuse(constant: str) -> float:
        raise AssertionError(f"plan.json holds {constant}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("source", [SOURCE, None])
def test_the_document_survives_the_file(plan: CapacityPlan, source: PlanSource | None) -> None:
    document = plan_document(plan, source)
    again = PlanDocument.from_json(_strict(document.dumps()), "plan.json")
    assert again == document
    assert again.source == source


def test_the_typed_parts_are_the_plans(plan: CapacityPlan) -> None:
    document = plan_document(plan, SOURCE)
    assert document.peak_replicas == sum(z.replicas for z in plan.sizing.values())
    assert document.baseline_replicas == sum(plan.baseline_replicas.values())
    assert [row.service for row in document.sizing] == list(plan.sizing)
    assert document.cost.monthly_baseline == plan.cost.monthly_baseline
    assert [line.label for line in document.cost.lines] == [x.label for x in plan.cost.lines()]
    assert document.inputs.sale_start == "2025-11-28T09:00:00"
    assert document.service_demands is not None
    assert document.service_demands.cpu_ms == dict(plan.service_demands.cpu_ms)  # type: ignore[union-attr]
    shares = {row.service: row.replica_share for row in document.sizing}
    assert shares["payments"] is None and shares["users"] is not None  # not split: no NaN
    # a saturated queue has no p95: None in the document, never an infinity
    saturated = [s for s, z in plan.sizing.items() if math.isinf(z.mmc_p95_ms)]
    assert saturated
    assert all(row.mmc_p95_ms is None for row in document.sizing if row.service in saturated)


def test_the_file_keeps_its_sections_and_is_strict_json(plan: CapacityPlan, tmp_path: Path) -> None:
    write_plan(plan, tmp_path / "capacity", charts=False, source=SOURCE)
    text = (tmp_path / "capacity" / "plan.json").read_text()
    data = _strict(text)
    assert isinstance(data, dict)
    assert list(data) == [
        "source", "inputs", "usl", "service_demands", "demand", "visit_ratios", "sizing",
        "database", "redis", "outbox", "generator", "lead_times", "simulations", "cost",
        "feasibility", "warnings",
    ]  # fmt: skip
    assert data["source"]["store_workers"] == 2 and data["usl"]["sigma"] == plan.usl.sigma
    saturated = [row for row in data["sizing"] if row["mmc_p95_ms"] is None]
    assert saturated and all(
        "queue saturates" in row["mmc_p95_ms_null_because"] for row in saturated
    )
    assert "inf" not in text and "NaN" not in text and "Infinity" not in text
    assert RunDir(tmp_path).plan() == plan_document(plan, SOURCE)
    assert RunDir(tmp_path / "nowhere").plan() is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"drain_time_s": math.inf}, {"drain_time_s": None, "drain_time_s_null_because": ...}),
        ({"x": float("nan")}, {"x": None, "x_null_because": ...}),
        ({"x": 1.5, "n": 3}, {"x": 1.5, "n": 3}),
        ({"x": math.inf, "x_null_because": "mine"}, {"x": None, "x_null_because": "mine"}),
        ([math.inf, 2.0], [None, 2.0]),
    ],
)
def test_strict_json_writes_null_and_says_why(value: object, expected: object) -> None:
    out = strict_json(value)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    if isinstance(expected, dict):
        assert isinstance(out, dict) and set(out) == set(expected)
        for key, want in expected.items():
            if want is ...:
                assert isinstance(out[key], str) and len(str(out[key])) > 10
            else:
                assert out[key] == want
    else:
        assert out == expected


def test_a_plan_written_with_infinities_reads_them_as_not_a_number(plan: CapacityPlan) -> None:
    text = plan_document(plan).dumps().replace('"mmc_p95_ms": null', '"mmc_p95_ms": "inf"')
    rows = PlanDocument.from_json(json.loads(text), "plan.json").sizing
    assert any(row.mmc_p95_ms is None for row in rows)


def test_a_plan_written_before_the_file_was_strict_reads(plan: CapacityPlan) -> None:
    text = plan_document(plan).dumps().replace('"replica_share": null', '"replica_share": NaN')
    assert "NaN" in text
    rows = PlanDocument.from_json(json.loads(text), "plan.json").sizing
    assert {row.service: row.replica_share for row in rows}["payments"] is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.pop("cost"), "plan.json: cost is missing; re-run `stampede plan`"),
        (lambda d: d.pop("usl"), "plan.json: usl is missing"),
        (lambda d: d["sizing"][1].update(peak_replicas="3"), "sizing[1].peak_replicas is '3'"),
        (lambda d: d["cost"]["lines"][0].pop("label"), "cost.lines[0].label is missing"),
        (lambda d: d["inputs"].update(target_users=None), "inputs.target_users is null"),
        (lambda d: d.update(source={"run_dir": "x"}), "source.profile is missing"),
    ],
)
def test_a_malformed_plan_is_one_line_naming_the_key(
    plan: CapacityPlan, change: object, words: str
) -> None:
    data = json.loads(plan_document(plan, SOURCE).dumps())
    change(data)  # type: ignore[operator]
    with pytest.raises(ConfigError) as caught:
        PlanDocument.from_json(data, "plan.json")
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_an_unreadable_plan_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "capacity" / "plan.json"
    path.parent.mkdir()
    path.write_text("{")
    with pytest.raises(ConfigError, match=r"plan\.json cannot be read: .*re-run `stampede plan`"):
        RunDir(tmp_path).plan()
