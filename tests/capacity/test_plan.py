"""End to end: a synthetic capacity-probe CSV from known USL parameters to written files."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from stampede import capacity
from stampede.capacity import (
    CapacityPlan,
    PlanConfig,
    PlateauDetection,
    ProbeFacts,
    SaleSimulation,
    SaleWindow,
    detect_plateaus,
    fit_usl,
    load_stats_history,
    make_plan,
    write_plan,
)
from stampede.core.errors import ConfigError
from tests.capacity.synthetic import Truth, synthetic_history

SALE = datetime(2025, 11, 28, 9, 0)


@pytest.fixture(scope="module")
def plan(history_csv: Path, truth: Truth) -> CapacityPlan:
    return make_plan(
        load_stats_history(history_csv),
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(SALE, 900),
            run=ProbeFacts(think_time_s=truth.think_s),
            simulation=SaleSimulation(controllers=("hpa",)),
        ),
    )


def test_fit_recovers_the_generating_parameters(plan: CapacityPlan, truth: Truth) -> None:
    assert len(plan.plateaus.points) == 9
    assert plan.usl.sigma == pytest.approx(truth.sigma, abs=0.005)
    assert plan.usl.kappa == pytest.approx(truth.kappa, rel=0.1)
    assert plan.usl.lambda_ == pytest.approx(truth.lambda_, rel=0.05)
    assert plan.usl.r_squared > 0.99


@pytest.mark.parametrize("held_out", [2, 5, 7])
def test_held_out_plateau_is_predicted_within_15_percent(history_csv: Path, held_out: int) -> None:
    points = detect_plateaus(load_stats_history(history_csv)).points
    train = [p for i, p in enumerate(points) if i != held_out]
    fit = fit_usl([p.concurrency for p in train], [p.throughput for p in train])
    test = points[held_out]
    assert fit.predict(test.concurrency) == pytest.approx(test.throughput, rel=0.15)


def test_plan_sizes_every_service(plan: CapacityPlan) -> None:
    assert set(plan.sizing) == set(capacity.SERVICES)
    peak = plan.peak_demand
    assert peak.per_service["gateway"] == pytest.approx(peak.total_rps)
    assert peak.per_service["payments"] == pytest.approx(2 * peak.paid_orders_per_s)
    for name, size in plan.sizing.items():
        per_replica = size.capacity.safe_rps_per_replica
        util = plan.topology.service(name).target_utilization
        assert size.replicas >= capacity.replicas_for(size.demand_rps, per_replica, util)
        assert plan.baseline_replicas[name] <= size.replicas
    assert plan.sizing["catalog"].capacity.method in {"usl", "measured"}
    assert plan.sizing["payments"].capacity.method == "queueing"
    assert plan.generator.workers >= 1


def test_plan_simulations_rank_the_strategies(plan: CapacityPlan) -> None:
    static, reactive, scheduled = plan.simulations["catalog/hpa"]
    assert static.requests_late == 0 == scheduled.requests_late
    assert reactive.requests_late > 0
    assert static.cost > scheduled.cost


def test_plan_costs(plan: CapacityPlan) -> None:
    assert plan.cost.monthly_baseline > 0 and plan.cost.sale_window > 0
    assert plan.cost.cost_per_1000_orders == pytest.approx(
        plan.cost.sale_window / (plan.cost.orders_in_sale / 1000)
    )


def test_write_plan_writes_parseable_files(plan: CapacityPlan, tmp_path: Path) -> None:
    written = write_plan(plan, tmp_path, charts=False)
    assert all(p.exists() for p in written)
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["usl"]["sigma"] == pytest.approx(plan.usl.sigma)
    assert data["inputs"]["sale_start"] == "2025-11-28T09:00:00"
    # one autoscaler per Deployment: KEDA by default, never an HPA beside it
    assert sorted(p.name for p in (tmp_path / "k8s").iterdir()) == sorted(
        f"keda-{s}.yaml" for s in plan.sizing
    )
    text = (tmp_path / "k8s" / "keda-catalog.yaml").read_text()
    keda = yaml.safe_load(text)
    assert keda["spec"]["triggers"][0]["metadata"]["desiredReplicas"] == str(
        plan.sizing["catalog"].replicas
    )
    # the cron has no year: the file says when it fires again and when to remove it
    assert "# Apply this one and no HorizontalPodAutoscaler" in text
    assert "would fire again on 2026-11-28" in text and "remove this ScaledObject" in text
    assert keda["metadata"]["annotations"]["stampede.dev/remove-after"].startswith("2025-11-28T")
    aws = json.loads((tmp_path / "aws" / "catalog" / "register-scalable-target.json").read_text())
    assert aws["ResourceId"] == "service/stampede/catalog"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("# Capacity plan for 1,000 users")
    assert "| service |" in summary
    assert (tmp_path / "sizing.csv").read_text().startswith("service,")


def test_write_plan_with_the_hpa_writes_no_scaled_object(
    plan: CapacityPlan, tmp_path: Path
) -> None:
    write_plan(plan, tmp_path, charts=False, autoscaler="hpa")
    names = sorted(p.name for p in (tmp_path / "k8s").iterdir())
    assert names == sorted(f"hpa-{s}.yaml" for s in plan.sizing)
    text = (tmp_path / "k8s" / "hpa-catalog.yaml").read_text()
    assert text.startswith("# HorizontalPodAutoscaler for Deployment stampede/catalog")
    assert "no KEDA ScaledObject" in text
    hpa = yaml.safe_load(text)
    assert hpa["spec"]["maxReplicas"] >= plan.sizing["catalog"].replicas


def test_write_plan_draws_charts(plan: CapacityPlan, tmp_path: Path) -> None:
    written = write_plan(plan, tmp_path)
    pngs = [p for p in written if p.suffix == ".png"]
    assert len(pngs) == len(plan.simulations) + 1
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


def test_plan_without_sale_start_warns() -> None:
    history = synthetic_history(Truth(), seconds=30)
    plan = make_plan(
        history,
        PlanConfig(
            target_users=500,
            slo_p95_ms=500,
            sale=SaleWindow(duration_s=300),
            simulation=SaleSimulation(controllers=("ecs",)),
            plateaus=PlateauDetection(warmup_s=5),
        ),
    )
    assert any("placeholder" in w for w in plan.warnings)
    assert set(plan.simulations) == {f"{s}/ecs" for s in capacity.SERVICES}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"target_users": 0}, "target_users"), ({"slo_p95_ms": 10}, "cannot meet its SLO share")],
)
def test_make_plan_rejects_bad_inputs(
    history_csv: Path, kwargs: dict[str, float], match: str
) -> None:
    args: dict[str, object] = {"target_users": 100, "slo_p95_ms": 500}
    args.update(kwargs)
    history = load_stats_history(history_csv)
    with pytest.raises(ConfigError, match=match):
        config = PlanConfig(**args, simulation=SaleSimulation(controllers=()))  # type: ignore[arg-type]
        make_plan(history, config)


def test_a_sale_needs_a_duration() -> None:
    with pytest.raises(ConfigError, match="duration_s is 0"):
        SaleWindow(duration_s=0)


def test_run_without_enough_plateaus_asks_for_the_probe() -> None:
    with pytest.raises(ConfigError, match="capacity-probe"):
        make_plan(
            synthetic_history(Truth(), (10, 50), seconds=40),
            PlanConfig(target_users=100, slo_p95_ms=500),
        )


def test_a_shared_process_is_split_between_services_by_cpu(history_csv: Path) -> None:
    from tests.capacity.test_service_demand import TRUE_CPU_MS, cpu_samples

    history = load_stats_history(history_csv)
    config = PlanConfig(
        target_users=1000,
        slo_p95_ms=500,
        sale=SaleWindow(SALE),
        simulation=SaleSimulation(controllers=()),
    )
    shared = make_plan(history, config)
    run = ProbeFacts(store_cpu=cpu_samples(history, noise=0.0))
    split = make_plan(history, dataclasses.replace(config, run=run))
    assert shared.service_demands is None
    assert split.service_demands is not None
    assert split.service_demands.cpu_ms == pytest.approx(TRUE_CPU_MS, rel=1e-6)
    measured = ("users", "catalog", "orders", "inventory")
    shares = {s: split.sizing[s].capacity.replica_share for s in measured}
    assert sum(shares.values()) == pytest.approx(1.0)  # type: ignore[arg-type]
    for s in measured:
        before = shared.sizing[s].capacity.safe_rps_per_replica
        after = split.sizing[s].capacity.safe_rps_per_replica
        share = shares[s]
        assert before is not None and after is not None and share is not None
        assert after == pytest.approx(before / max(share, 0.05))
    # sized apart, the services need fewer replicas in all than each sized as the whole
    total = sum(split.sizing[s].replicas for s in measured)
    assert total < sum(shared.sizing[s].replicas for s in measured)


def test_a_cpu_split_too_vague_to_trust_is_not_used(history_csv: Path) -> None:
    from tests.capacity.test_service_demand import cpu_samples

    history = load_stats_history(history_csv)
    plan = make_plan(
        history,
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(SALE),
            run=ProbeFacts(store_cpu=cpu_samples(history, noise=1.0)),  # a core of noise a second
            simulation=SaleSimulation(controllers=()),
        ),
    )
    assert plan.service_demands is not None
    assert all(z.capacity.replica_share is None for z in plan.sizing.values())
    assert any("could not be split between its services" in w for w in plan.warnings)
