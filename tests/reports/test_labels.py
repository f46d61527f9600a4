"""What the report's labels say matches what they count: arrivals are visits beside the
requests, the load chart's caption names fault bands only when there are faults, and the
environment names the run's own traffic model."""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.arrivals import ArrivalLedger
from stampede.core.rundir import RunDir, write_json
from stampede.reports import load_run
from stampede.reports._figures import capacity_caption
from stampede.reports._report import key_numbers, report_context
from tests.synthetic import ORIGIN, write_run

FAULT = {
    "spec": "kill-worker@8s",
    "kind": "kill-worker",
    "planned_s": 8.0,
    "start_s": 8.0,
    "end_s": 8.2,
    "detail": "synthetic",
    "recovery_s": None,
    "store_recovery_s": None,
}


def _visits(run: Path, per_second: dict[int, int]) -> None:
    """Replace the run's arrivals with ``per_second`` visits started in each second."""
    ledger = ArrivalLedger(1.0, 0.0, tolerance=0.05)
    for second, visits in per_second.items():
        for k in range(visits):
            at = ORIGIN + second + k / visits
            ledger.record_sent(at, at)
    write_json(RunDir(run).file("arrivals.json"), ledger.to_dict())


def test_peak_arrivals_counts_visits_beside_the_requests(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    # 3 visits a second, 7 in second 12: each visit sends many of the run's ~1,400 requests
    _visits(run, {s: 7 if s == 12 else 3 for s in range(25)})
    data = load_run(run)
    card = next(k for k in key_numbers(data, ()) if k.label == "Peak arrivals")
    assert card.value == "7 /s"
    assert card.note.startswith("shopper visits started per second")
    assert f"({data.requests:,} requests in all)" in card.note
    assert data.requests > 1000  # the requests are not the visits
    throughput = next(k for k in key_numbers(data, ()) if k.label == "Throughput")
    assert throughput.value.endswith("req/s") and not throughput.value.startswith("7 ")


def _load_caption(run: Path) -> str:
    charts = report_context(load_run(run), max_points=100)["charts"]
    return str(next(c.caption for c in charts if c.key == "load"))


def test_the_load_caption_names_fault_bands_only_when_there_are_faults(tmp_path: Path) -> None:
    clean = _load_caption(write_run(tmp_path / "clean"))
    assert "fault" not in clean.lower()
    assert "The red dashed line is the moment the sale opened." in clean
    faulty = _load_caption(write_run(tmp_path / "faulty", chaos=[FAULT]))
    assert "Brown bands and lines are injected faults." in faulty


@pytest.mark.parametrize(
    ("model", "words"), [("closed", "smoke (closed model)"), ("open", "smoke (open model)")]
)
def test_the_environment_names_the_runs_model(tmp_path: Path, model: str, words: str) -> None:
    data = load_run(write_run(tmp_path / "run", model=model))
    rows = dict(report_context(data, max_points=100)["environment"])
    assert rows["Profile"] == words


def test_capacity_charts_are_captioned_with_their_service_controller_and_strategies() -> None:
    caption = capacity_caption("supply-catalog-ecs")
    assert caption.startswith("Supply of catalog under AWS ECS (Application Auto Scaling): ")
    for strategy in ("static-peak keeps", "reactive-only lets", "scheduled-plus-reactive"):
        assert strategy in caption
    assert capacity_caption("supply-orders-hpa").startswith("Supply of orders under a Kubernetes")
    assert capacity_caption("savings").startswith("Savings: the cost of the sale by scaling")
