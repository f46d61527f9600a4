"""The glue between run directories and ``capacity``: exact window p95s, measured replicas."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path

import pytest

from stampede.app.planning import (
    PlanRequest,
    TimelineLatency,
    measured_topology,
    plan_run,
    read_run,
)
from stampede.capacity import MEASURED_SERVICES, default_topology, load_topology
from stampede.core.latency import LatencyRecorder, LatencyTimeline
from tests.plan.conftest import MakeRun
from tests.synthetic import write_run_json


def test_timeline_latency_is_the_exact_p95_of_the_window() -> None:
    rng = random.Random(2)
    timeline = LatencyTimeline(1.0, origin=0.0)
    window_all, window_cart = LatencyRecorder(), LatencyRecorder()
    for i in range(6000):
        done = 5000.0 + i * 0.01
        group = rng.choice(["GET /api/v1/products/[id]", "POST /api/v1/cart/items"])
        # cart requests are slower, so mixing them up would move the p95
        slow = 0.4 if group.startswith("POST") else 0.0
        sent = done - rng.uniform(0.005, 0.05) - slow
        intended = sent - rng.choice([0.0, 0.0, 0.0, 0.3])
        timeline.record(group, intended, sent, done)
        if 5010.0 <= done < 5040.0:
            window_all.record(group, intended, sent, done)
            if group.startswith("POST"):
                window_cart.record(group, intended, sent, done)
    latency = TimelineLatency(timeline)
    expected = window_all.percentiles([95.0])[95.0] * 1000
    assert latency.p95_ms(None, 5010, 5040) == pytest.approx(expected)
    cart = latency.p95_ms([("POST", "/api/v1/cart/items")], 5010, 5040)
    assert cart == pytest.approx(window_cart.percentiles([95.0])[95.0] * 1000)
    assert cart > latency.p95_ms([("GET", "/api/v1/products/[id]")], 5010, 5040) + 300
    uncorrected = TimelineLatency(timeline, "uncorrected").p95_ms(None, 5010, 5040)
    assert uncorrected == pytest.approx(window_all.percentiles([95.0], "uncorrected")[95.0] * 1000)
    assert uncorrected < expected
    assert math.isnan(latency.p95_ms([("GET", "/nothing")], 5010, 5040))
    assert math.isnan(latency.p95_ms(None, 9000, 9010))


def test_the_runs_store_workers_become_the_measured_replicas(make_run: MakeRun) -> None:
    run_dir = make_run()
    write_run_json(run_dir, {"store_workers": 2})
    facts = read_run(run_dir)
    assert facts.store_workers == 2
    topology = measured_topology(None, facts)
    for name in MEASURED_SERVICES:
        assert topology.service(name).measured_replicas == 2
    assert topology.service("payments").measured_replicas == 1
    # a topology that names its own measured replicas keeps them
    mine = default_topology()
    services = dict(mine.services)
    services["catalog"] = dataclasses.replace(services["catalog"], measured_replicas=3)
    kept = measured_topology(dataclasses.replace(mine, services=services), facts)
    assert kept.service("catalog").measured_replicas == 3
    assert kept.service("orders").measured_replicas == 2


def test_a_run_without_store_workers_keeps_the_topology(make_run: MakeRun) -> None:
    facts = read_run(make_run())
    assert facts.store_workers is None and facts.timeline is None
    assert measured_topology(None, facts) == default_topology()


def _with_stats(run_dir: Path, body_bytes: float) -> Path:
    (run_dir / "locust_stats.csv").write_text(
        "Type,Name,Request Count,Average Content Size\n"
        f"GET,/api/v1/products/[id],90,{body_bytes * 2}\n"
        f",Aggregated,180,{body_bytes}\n",
        encoding="utf-8",
    )
    return run_dir


def test_data_transfer_is_priced_at_the_measured_response_body(make_run: MakeRun) -> None:
    run_dir = _with_stats(make_run(), 400.0)
    outcome = plan_run(PlanRequest(run_dir, charts=False))
    assert outcome.facts.response_bytes == 400.0
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["source"]["response_bytes_measured"] == 400.0
    (run_dir / "locust_stats.csv").unlink()
    assumed = plan_run(PlanRequest(run_dir, charts=False))
    assert assumed.facts.response_bytes is None
    measured_line = outcome.plan.cost.monthly_lines["data_transfer"]
    assumed_line = assumed.plan.cost.monthly_lines["data_transfer"]
    assert measured_line == pytest.approx(assumed_line * 400.0 / 20_000.0)


def test_a_topology_that_sets_the_response_size_keeps_it(make_run: MakeRun, tmp_path: Path) -> None:
    run_dir = _with_stats(make_run(), 400.0)
    topology = tmp_path / "topology.yaml"
    topology.write_text("shared:\n  bytes_per_response: 50000\n", encoding="utf-8")
    facts = read_run(run_dir)
    kept = measured_topology(load_topology(topology), facts)
    assert kept.shared.bytes_per_response == 50_000
    assert measured_topology(None, facts).shared.bytes_per_response == 400.0
