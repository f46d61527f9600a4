"""The plan's outbox drains at the rate the run's queue consumers measured (queue.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stampede.app.plan_input import read_run
from stampede.app.planning import PlanRequest, measured_topology, plan_run
from stampede.capacity import load_topology
from stampede.core.queue_samples import QueueRecord, QueueSample, write_queue
from tests.plan.conftest import MakeRun

QUEUE = "stampede.run.notifications"


def _backed_up() -> QueueRecord:
    """Known answer: 10 consumed in the second from depth 30, 4 in the second from depth 4,
    the seconds without a counter skipped: (10 + 4) / 2 s = 7 messages/s."""
    samples = (
        QueueSample(100.0, 0, 0.0, 0.0, 0.0),
        QueueSample(101.0, 30, 30.0, 0.0, 0.0),
        QueueSample(102.0, 20, 30.0, 10.0, 1.5),
        QueueSample(103.0, None, None, None, None),
        QueueSample(104.0, 4, 30.0, 26.0, 0.4),
        QueueSample(105.0, 0, 30.0, 30.0, 0.0),
    )
    return QueueRecord(QUEUE, 1.0, samples)


def test_the_outbox_drains_at_the_measured_consumer_rate(make_run: MakeRun) -> None:
    run_dir = make_run()
    write_queue(run_dir, _backed_up())
    outcome = plan_run(PlanRequest(run_dir, charts=False))
    outbox = outcome.plan.outbox
    assert outbox.drain_per_s == 7.0
    # the backlog is what the sale adds beyond 7 events/s, for the whole sale
    sale_s = PlanRequest(run_dir).sale_duration_s
    assert outbox.backlog_events == pytest.approx(max(0.0, outbox.events_per_s - 7.0) * sale_s)
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["outbox"]["drain_per_s"] == 7.0
    said = f"measured: the consumers of queue {QUEUE} drained 7.00 messages/s"
    assert plan["source"]["outbox_drain"].startswith(said)
    assert said in (run_dir / "capacity" / "summary.md").read_text()


def test_without_a_measured_rate_the_plan_says_it_used_the_stated_one(
    make_run: MakeRun,
) -> None:
    run_dir = make_run()
    facts = read_run(run_dir)
    assert facts.queue is None
    assert measured_topology(None, facts).shared.outbox_drain_per_s == 200.0
    outcome = plan_run(PlanRequest(run_dir, charts=False))
    assert outcome.plan.outbox.drain_per_s == 200.0
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["source"]["outbox_drain"] == (
        "stated (shared.outbox_drain_per_s): the run had no queue (stampede run --queue)"
    )
    idle = QueueRecord(QUEUE, 1.0, (QueueSample(1.0, 0, 5.0, 5.0, 0.0),) * 3)
    write_queue(run_dir, idle)
    plan_run(PlanRequest(run_dir, charts=False))
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert plan["outbox"]["drain_per_s"] == 200.0
    assert f"queue {QUEUE} never backed up in the run" in plan["source"]["outbox_drain"]


def test_a_topology_that_states_its_drain_rate_keeps_it(make_run: MakeRun, tmp_path: Path) -> None:
    run_dir = make_run()
    write_queue(run_dir, _backed_up())
    topology = tmp_path / "topology.yaml"
    topology.write_text("shared:\n  outbox_drain_per_s: 900\n", encoding="utf-8")
    outcome = plan_run(PlanRequest(run_dir, charts=False, topology=topology))
    assert outcome.plan.outbox.drain_per_s == 900.0
    assert (
        measured_topology(load_topology(topology), read_run(run_dir)).shared.outbox_drain_per_s
        == 900
    )
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert (
        "the topology's own shared.outbox_drain_per_s, not the 7.00 messages/s"
        in (plan["source"]["outbox_drain"])
    )
