from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stampede.capacity import LoadPoint, cost_report, default_topology, load_prices
from stampede.capacity._cost import HOURS_PER_MONTH
from stampede.capacity._lcu import alb_lcus
from stampede.capacity._prices import REQUIRED_ROWS
from stampede.core.errors import ConfigError

PACKAGED = Path(__file__).parents[2] / "capacity" / "prices" / "aws-us-east-1.yaml"


def test_packaged_sheet_has_dated_sourced_rows() -> None:
    sheet = load_prices()
    assert sheet.region == "us-east-1" and sheet.currency == "USD"
    for name in REQUIRED_ROWS:
        row = sheet.rows[name]
        assert row.source.startswith("https://aws.amazon.com/")
        assert row.as_of.year >= 2024
    for instance in ("db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r7g.large"):
        assert sheet.aurora_instance_hour(instance) > 0
    assert sheet.elasticache_node_hour("cache.r6g.large") > 0
    # Graviton is cheaper than x86
    assert sheet.task_hour(1, 2, "arm") < sheet.task_hour(1, 2, "x86")


def test_task_hour_is_vcpu_plus_memory() -> None:
    sheet = load_prices()
    expected = 0.5 * sheet.price("fargate.x86.vcpu_hour") + 1.0 * sheet.price("fargate.x86.gb_hour")
    assert sheet.task_hour(0.5, 1.0) == pytest.approx(expected)


def _write_sheet(tmp_path: Path, mutate: object) -> Path:
    data = yaml.safe_load(PACKAGED.read_text())
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "prices.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda d: d["rows"].pop(0), r"prices\.yaml has no row 'fargate\.x86\.vcpu_hour'"),
        (lambda d: d["rows"][0].pop("source"), "lacks source"),
        (lambda d: d["rows"][0].update(as_of="last year"), "ISO date"),
        (lambda d: d["rows"][0].update(value=-1), "number >= 0"),
        (lambda d: d["rows"][0].update(source="aws.amazon.com"), "https URL"),
        (lambda d: d["rows"].append(dict(d["rows"][0])), "twice"),
    ],
)
def test_bad_sheets_name_the_row_and_file(tmp_path: Path, mutate: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_prices(_write_sheet(tmp_path, mutate))


def test_missing_instance_row_names_row_and_file() -> None:
    with pytest.raises(
        ConfigError, match=r"aws-us-east-1\.yaml has no row 'aurora\.postgresql\.db\.x9'"
    ):
        load_prices().aurora_instance_hour("db.x9")


def test_custom_sheet_is_used(tmp_path: Path) -> None:
    def cheaper(d: dict[str, list[dict[str, object]]]) -> None:
        d["rows"][0]["value"] = 0.01

    assert load_prices(_write_sheet(tmp_path, cheaper)).price("fargate.x86.vcpu_hour") == 0.01


def test_cost_report_by_hand() -> None:
    prices, topo = load_prices(), default_topology()
    task = prices.task_hour(0.5, 1.0)  # catalog's default size
    baseline = LoadPoint({"catalog": 4}, {"catalog": 100.0, "gateway": 100.0}, 1.0, 100.0)
    sale = LoadPoint({"catalog": 10}, {"catalog": 1000.0, "gateway": 1000.0}, 10.0, 1000.0)
    report = cost_report(
        baseline,
        sale,
        topo,
        prices,
        sale_hours=2.0,
        selling_hours=1.0,
        utilization={"catalog": 0.6},
    )
    assert report.monthly_lines["compute"] == pytest.approx(4 * task * HOURS_PER_MONTH)
    assert report.sale_lines["compute"] == pytest.approx(10 * task * 2.0)
    assert report.sale_lines["database"] == pytest.approx(2 * 0.26 * 2.0)
    assert report.sale_lines["data_transfer"] == pytest.approx(1000 * 20_000 / 1e9 * 7200 * 0.09)
    assert report.monthly_baseline == pytest.approx(sum(report.monthly_lines.values()))
    assert report.orders_in_sale == pytest.approx(36_000)
    assert report.cost_per_1000_orders == pytest.approx(report.sale_window / 36)
    # the bill's lines, labelled, biggest month first, each with its sale-window figure
    lines = report.lines()
    assert [line.name for line in lines] == sorted(
        report.monthly_lines, key=lambda name: -report.monthly_lines[name]
    )
    compute = next(line for line in lines if line.name == "compute")
    assert compute.label == "compute (Fargate tasks)"
    assert compute.sale_window == report.sale_lines["compute"]


def test_load_balancer_and_transfer_priced_from_all_requests_without_a_gateway() -> None:
    # a store with no service named gateway: its 1000 req/s still cross the ALB and the wire
    prices, topo = load_prices(), default_topology()
    point = LoadPoint({"catalog": 10}, {"catalog": 1000.0}, 10.0, 1000.0)
    report = cost_report(
        point, point, topo, prices, sale_hours=1.0, selling_hours=1.0, utilization={"catalog": 0.6}
    )
    gb = 1000 * topo.shared.bytes_per_response / 1e9 * 3600
    assert report.sale_lines["data_transfer"] == pytest.approx(gb * 0.09)
    lcus = alb_lcus(1000.0, topo.shared).billed
    assert lcus > 0
    assert report.sale_lines["load_balancer"] == pytest.approx(
        prices.price("alb.hour") + lcus * prices.price("alb.lcu_hour")
    )


def test_savings_waterfall_adds_up() -> None:
    prices, topo = load_prices(), default_topology()
    baseline = LoadPoint(
        {"catalog": 4, "payments": 2}, {"catalog": 100.0, "gateway": 100.0}, 1.0, 100.0
    )
    report = cost_report(
        baseline,
        baseline,
        topo,
        prices,
        sale_hours=1.0,
        selling_hours=1.0,
        utilization={"catalog": 0.3, "payments": 0.6},
    )
    steps = report.waterfall
    assert steps[0].kind == "start" and steps[-1].kind == "end"
    assert steps[-1].total == pytest.approx(steps[0].total + sum(s.amount for s in steps[1:-1]))
    arm = steps[1]
    x86, graviton = prices.task_hour(0.5, 1.0), prices.task_hour(0.5, 1.0, "arm")
    assert arm.label.startswith("ARM")
    assert arm.amount == pytest.approx(-6 * (x86 - graviton) * HOURS_PER_MONTH)
    assert all(s.amount <= 0 for s in steps[1:-1])
