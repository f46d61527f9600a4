"""The glue between run directories and ``capacity``: exact window p95s, measured replicas."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pytest

from capacity import MEASURED_SERVICES, default_topology
from stampede.latency import LatencyRecorder, LatencyTimeline
from stampede.planning import TimelineLatency, measured_topology, read_run
from tests.plan.conftest import MakeRun


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
    run = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps({**run, "store_workers": 2}))
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
