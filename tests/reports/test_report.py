"""``report.html`` of a smoke run (synthetic, and real end to end): content, escaping,
capacity, a real browser."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from stampede.core.latency import LatencyRecorder
from stampede.reports import load_run, write_report
from tests.reports.browser import chromium_path, open_page
from tests.reports.conftest import stampede
from tests.synthetic import write_run_json

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<script>alert(1)</script>"


#: the synthetic run (tests/synthetic.py), and the session's real smoke run end to end
RUNS = ["synthetic", pytest.param("real", marks=pytest.mark.e2e)]


@pytest.fixture(scope="module", params=RUNS)
def any_run(request: pytest.FixtureRequest) -> Path:
    name = "smoke_run" if request.param == "synthetic" else "real_run"
    return Path(request.getfixturevalue(name))


@pytest.fixture(scope="module")
def report(any_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(any_run, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained_and_small(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert report.stat().st_size < 2 * 2**20
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "fetches from the network"
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert html.count('src="data:image/svg+xml;base64,') == 5
    assert "@media print" in html


def test_report_reads_top_down(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    order = [
        'id="verdict"',
        'id="key-numbers"',
        'id="slos"',
        'id="page-load"',
        'id="charts"',
        'id="drill-down"',
        'id="endpoints"',
        'id="environment"',
        'id="reproduce"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert re.search(r'class="label">(Ready|Not ready|Inconclusive)<', html)
    for words in (
        "Peak users",
        "Peak arrivals",
        "Throughput",
        "Latency p50 / p95 / p99",
        "Page load p50 / p95",
        "Error rate",
        "Orders paid",
        "Orders lost to slowness",
        "FLASH-001 sold out",
        "Data integrity",
        "p95 latency, all requests",
        "Error budget used",
        "GET /api/v1/products/[id]",
        "stampede run smoke --no-report --out",
    ):
        assert words in html, words
    assert 'id="capacity"' not in html


def test_the_run_loads_as_plain_data(any_run: Path) -> None:
    data = load_run(any_run)
    assert data.requests > 500 and data.distributions["all"].total > 500
    assert data.timelines["all"].t and data.users.running and data.arrivals.sent


def _merge_evil_endpoint(run: Path) -> None:
    latency = LatencyRecorder.from_dict(json.loads((run / "latency.json").read_text()))
    evil = LatencyRecorder(latency.precision)
    evil.record(f"GET /{EVIL}", 0.0, 0.0, 0.042)
    latency.merge(evil)
    (run / "latency.json").write_text(json.dumps(latency.to_dict()))
    with (run / "locust_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows.insert(0, {**rows[0], "Type": "GET", "Name": f"/{EVIL}", "Request Count": "1"})
    with (run / "locust_stats.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)
    with (run / "locust_failures.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["GET", f"/{EVIL}", f"HTTPError('{EVIL}')", 1])


def test_markup_in_endpoint_names_is_escaped(copy_run: Callable[..., Path]) -> None:
    run = copy_run("evil")
    _merge_evil_endpoint(run)
    html = write_report(run).read_text(encoding="utf-8")
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_capacity_section_appears_with_a_plan(copy_run: Callable[..., Path]) -> None:
    from stampede.capacity import (
        PlanConfig,
        ProbeFacts,
        SaleSimulation,
        SaleWindow,
        load_stats_history,
        make_plan,
        write_plan,
    )
    from tests.capacity.synthetic import Truth, synthetic_history
    from tests.capacity.test_service_demand import cpu_samples

    run = copy_run("planned")
    truth = Truth()
    history = run / "probe_stats_history.csv"
    synthetic_history(truth, seconds=40).to_csv(history, index=False)
    frame = load_stats_history(history)
    plan = make_plan(
        frame,
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(datetime(2025, 11, 28, 9), 900),
            run=ProbeFacts(think_time_s=truth.think_s, store_cpu=cpu_samples(frame, noise=0.0)),
            simulation=SaleSimulation(controllers=("hpa",)),
        ),
    )
    write_plan(plan, run / "capacity")
    path = write_report(run)
    html = path.read_text(encoding="utf-8")
    assert 'id="capacity"' in html and "Peak replicas" in html
    assert "Share of a measured store worker" in html
    assert "a regression of the worker's CPU" in html and "users 40.00 ms" in html
    assert "data:image/png;base64," in html
    assert path.stat().st_size < 2 * 2**20
    # every cost line with its month and sale-window figures, and the total of each
    transfer = plan.cost.monthly_lines["data_transfer"], plan.cost.sale_lines["data_transfer"]
    assert re.search(
        rf"<td>data transfer out</td><td class=\"num\">{transfer[0]:,.2f}</td>"
        rf"<td class=\"num\">{transfer[1]:,.2f}</td>",
        html,
    )
    assert f"<b>{plan.cost.monthly_baseline:,.2f}</b>" in html
    assert f"<b>{plan.cost.sale_window:,.2f}</b>" in html
    assert f"{plan.cost.cost_per_1000_orders:,.4f}" in html
    assert f"{plan.baseline_users:,.0f} users around the" in html


def test_report_command(copy_run: Callable[..., Path], tmp_path: Path) -> None:
    run = copy_run("cli")
    result = stampede("report", str(run))
    assert result.returncode == 0, result.stderr
    assert (run / "report.html").is_file()
    missing = stampede("report", str(tmp_path / "nope"))
    assert missing.returncode == 3
    assert missing.stderr.strip().count("\n") == 0 and "not a run directory" in missing.stderr


@pytest.mark.browser
def test_report_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("STAMPEDE_REQUIRE_SERVICES") == "1":
            pytest.fail("chromium is required (apt-get install -y chromium)")
        pytest.skip("chromium is not installed: apt-get update && apt-get install -y chromium")
    with open_page(report.as_uri(), tmp_path / "profile", executable) as page:
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        title = page.evaluate("document.title")
        shot = tmp_path / "report.png"
        page.screenshot(shot)
        load = page.load
    assert len(images) == 5
    assert all(complete and width > 0 for _, complete, width in images), images
    assert load.errors == []
    assert all(url.startswith(("file:", "data:")) for url in load.requests), load.requests
    assert "smoke" in title
    assert shot.stat().st_size > 50_000
    artifacts = ROOT / "runs" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artifacts / "report-smoke.png")


def test_the_report_lists_every_load_generator_process(copy_run: Callable[..., Path]) -> None:
    run = copy_run("fleet")
    workers = [
        {"id": "gen-a_1", "host": "gen-a", "pid": 41, "users": 4, "requests": 700, "lost": False},
        {"id": "gen-b_2", "host": "gen-b", "pid": 42, "users": 4, "requests": 655, "lost": True},
    ]
    write_run_json(run, {"workers": workers})
    html = write_report(run).read_text(encoding="utf-8")
    section = html[html.index('id="workers"') : html.index('id="reproduce"')]
    assert "<code>gen-a_1</code>" in section and "gen-b" in section and "700" in section
    assert section.count(">lost<") == 1
