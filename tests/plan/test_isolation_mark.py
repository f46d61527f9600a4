"""A plan of a probe whose generator and embedded store shared CPU cores says so, by service."""

from __future__ import annotations

import json
from pathlib import Path

from stampede.app.plan_summary import summary_lines
from stampede.app.planning import PlanRequest, plan_run
from stampede.capacity import MEASURED_SERVICES
from tests.plan.conftest import MakeRun
from tests.synthetic import write_run_json

PINNED = {
    "pinned": True,
    "available_cores": [0, 1],
    "store_cores": [0],
    "generator_cores": [1],
    "note": None,
}


def _plan(run_dir: Path) -> tuple[dict[str, object], str, list[str]]:
    outcome = plan_run(PlanRequest(run_dir=run_dir, charts=False))
    document = json.loads((run_dir / "capacity" / "plan.json").read_text())
    summary = (run_dir / "capacity" / "summary.md").read_text()
    return document, summary, summary_lines(outcome)


def test_a_plan_of_an_embedded_run_without_isolation_is_marked(make_run: MakeRun) -> None:
    # the fixture's run.json is an embedded run that records no pinning: it shared the cores
    document, summary, printed = _plan(make_run())
    source = document["source"]
    assert isinstance(source, dict)
    assert tuple(source["shared_cpu_services"]) == MEASURED_SERVICES
    [mark] = [w for w in source["run_warnings"] if "shared CPU cores" in w]
    assert "the run records no CPU pinning" in mark
    assert f"throughput per replica of {', '.join(MEASURED_SERVICES)}" in mark
    assert mark in summary
    assert any("shared CPU cores" in line for line in printed)


def test_a_plan_of_a_run_on_one_core_names_why(make_run: MakeRun) -> None:
    one = {**PINNED, "pinned": False, "available_cores": [0], "store_cores": [0]}
    one |= {"generator_cores": [0], "note": "only 1 CPU core is available to Stampede"}
    document, _, _ = _plan(write_run_json(make_run(), {"isolation": one}))
    source = document["source"]
    assert isinstance(source, dict)
    assert tuple(source["shared_cpu_services"]) == MEASURED_SERVICES
    assert any("only 1 CPU core is available" in w for w in source["run_warnings"])


def test_a_plan_of_a_pinned_run_or_a_host_run_carries_no_mark(make_run: MakeRun) -> None:
    run_dir = write_run_json(make_run(), {"isolation": PINNED})
    document, summary, _ = _plan(run_dir)
    source = document["source"]
    assert isinstance(source, dict)
    assert source["shared_cpu_services"] == []
    assert "shared CPU cores" not in summary
    # a --host run: Stampede did not start the store, so it cannot say what shared
    (run_dir / "capacity" / "plan.json").unlink()
    write_run_json(run_dir, {"target": "remote", "isolation": None})
    document, _, _ = _plan(run_dir)
    assert document["source"]["shared_cpu_services"] == []  # type: ignore[index]
