"""The case study's dashboard from synthetic runs: every row measured or marked, known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stampede.reports import load_run
from stampede.reports._availability import run_availability
from stampede.reports._case_study import Side, dashboard, users_at_slo
from stampede.reports._case_study_render import Conditions, write_case_study
from tests.synthetic import Traffic, write_run

#: the metrics issue 16 names, each a row of case-study.json
METRICS = (
    "page load time",
    "API response time (p95)",
    "availability during the sale",
    "concurrent users supported at the SLO",
    "mean time to recovery",
    "infrastructure cost per month",
    "conversion rate",
    "cart abandonment",
    "orders lost to slowness",
    "checkout success",
    "error rate",
    "mobile crash rate",
    "deployment frequency",
)
CONDITIONS = Conditions(0.002, 0.1, 0.1, "sqlite", "synthetic: 2 CPUs", "payment-outage@…", "now")


def _fault(recovery_s: float | None) -> dict[str, object]:
    return {
        "spec": "payment-outage@sale+5s:2s",
        "kind": "payment-outage",
        "planned_s": 10.0,
        "start_s": 10.0,
        "end_s": 12.0,
        "detail": "synthetic",
        "recovery_s": recovery_s,
        "store_recovery_s": None,
    }


def _sides(tmp_path: Path) -> tuple[Side, Side]:
    # legacy: fails through doors-open and the sale; modern: one failed checkout
    slow = write_run(
        tmp_path / "legacy",
        Traffic(failing=(5, 22), stall=(5, 22, 0.6)),
        chaos=[_fault(None)],
    )
    fast = write_run(tmp_path / "modern", chaos=[_fault(3.0)])
    legacy = Side("legacy", load_run(slow), load_run(slow), None, "too few plateaus")
    modern = Side("modern", load_run(fast), load_run(fast), None, "too few plateaus")
    return legacy, modern


def test_every_metric_is_a_row_measured_or_marked(tmp_path: Path) -> None:
    rows = {r.metric: r for r in dashboard(*_sides(tmp_path))}
    assert set(METRICS) <= set(rows)
    for row in rows.values():
        if row.status == "measured":
            assert row.before is not None and row.after is not None, row
            assert row.improvement != "—"
        else:
            assert row.note, row  # a reason, never a silent blank
    assert rows["page load time"].status == "measured"
    assert rows["mobile crash rate"].status == "not measured by a load test"
    assert rows["deployment frequency"].status == "not measured by a load test"
    cost = rows["infrastructure cost per month"]
    assert cost.status == "not measured" and "too few plateaus" in cost.note


def test_known_answers_from_the_runs(tmp_path: Path) -> None:
    legacy, modern = _sides(tmp_path)
    rows = {r.metric: r for r in dashboard(legacy, modern)}
    api = rows["API response time (p95)"]
    assert api.before == legacy.sale.distributions["all"].percentile(95) * 1000
    page = rows["page load time"]
    assert page.before == legacy.sale.page_loads["all"].percentile(95)
    assert page.after == modern.sale.page_loads["product"].percentile(95)  # its only page type
    # the stalled legacy run's product pages wait the stall twice (two waves of calls)
    assert page.before is not None and page.after is not None and page.before > 1.2
    assert api.before is not None and api.after is not None and api.before > 10 * api.after
    seconds = run_availability(legacy.sale)
    # only the second 23 of the legacy sale is clean: the stall carries failures into 22
    assert seconds.seconds_met == 1
    assert rows["availability during the sale"].before == pytest.approx(100 / 19)
    assert rows["availability during the sale"].after == pytest.approx(100 * 18 / 19)
    assert rows["error rate"].after == pytest.approx(
        100 * modern.sale.failures / modern.sale.requests
    )
    # items added that never reached a checkout, from the funnel's own counts
    funnel = modern.sale.outcome_totals
    added, checked_out = funnel["added_to_cart"], funnel["checkout_attempted"]
    assert rows["cart abandonment"].after == pytest.approx(100 * (added - checked_out) / added)
    # the failing run met its objectives only in the 4-user baseline and decay
    assert (users_at_slo(legacy.sale), users_at_slo(modern.sale)) == (4.0, 8.0)
    assert rows["concurrent users supported at the SLO"].improvement == "2× ↑"
    mttr = rows["mean time to recovery"]
    assert mttr.status == "not measured" and "not recovered by the end of the run" in mttr.note


def test_write_the_three_files(tmp_path: Path) -> None:
    legacy, modern = _sides(tmp_path)
    paths = write_case_study(tmp_path / "out", legacy, modern, CONDITIONS)
    doc = json.loads(paths[0].read_text())
    names = [m["metric"] for m in doc["metrics"]]
    assert set(METRICS) <= set(names)
    for m in doc["metrics"]:
        assert {"metric", "before", "after", "unit", "improvement"} <= set(m)
    assert doc["conditions"]["scale"] == 0.002
    markdown = paths[1].read_text()
    assert "| Metric | Before (legacy) | After (modern) | Improvement |" in markdown
    assert "| mobile crash rate | not measured by a load test |" in markdown
    # legacy never recovered, modern did in 3 s: the side that was measured shows its value
    assert "| mean time to recovery | not measured | 3.00 s | — |" in markdown
    html = paths[2].read_text()
    assert '<td class="num">not measured</td><td class="num">3.00 s</td>' in html
    assert "absolute numbers are a laptop&#39;s" in html and "synthetic: 2 CPUs" in html
    assert "<script" not in html and "http" not in html.split("<main>", 1)[1]


def test_an_invalid_run_is_named_on_the_page_and_in_the_json(tmp_path: Path) -> None:
    legacy, modern = _sides(tmp_path)
    late = write_run(
        tmp_path / "late", validity={"valid": False, "reasons": ["only 80% of arrivals on time"]}
    )
    modern = Side("modern", load_run(late), None, None, "no probe")
    paths = write_case_study(tmp_path / "out", legacy, modern, CONDITIONS)
    doc = json.loads(paths[0].read_text())
    assert doc["runs"]["modern"]["invalid"] == ["modern sale: only 80% of arrivals on time"]
    assert doc["runs"]["legacy"]["invalid"] == []
    assert "Not to be trusted" in paths[2].read_text()
    assert "- modern sale: only 80% of arrivals on time" in paths[1].read_text()


def test_a_p95_among_timeouts_is_a_lower_bound(tmp_path: Path) -> None:
    import dataclasses

    from stampede.reports._case_study_render import checkout_ratio, shown
    from stampede.reports._model import FailureRow

    legacy, modern = _sides(tmp_path)
    checkouts = legacy.sale.distributions["checkout"].total
    late = FailureRow("POST", "/api/v1/checkout", "CatchResponseError('timed out')", checkouts)
    sale = dataclasses.replace(legacy.sale, failure_rows=(late,))
    rows = {r.metric: r for r in dashboard(dataclasses.replace(legacy, sale=sale), modern)}
    row = rows["checkout response time (p95)"]
    assert row.at_least == ("before",) and "timed out" in row.note
    assert shown(row, 0).startswith("≥ ") and not shown(row, 1).startswith("≥")
    assert "legacy over modern: at least" in checkout_ratio(list(rows.values()))
    # every request's p95: the checkouts are not more than 5% of all requests plus timeouts
    everything = rows["API response time (p95)"]
    assert everything.at_least == (
        ("before",)
        if checkouts > 0.05 * (checkouts + legacy.sale.distributions["all"].total)
        else ()
    )


def test_the_patience_rows_come_from_the_abandonments(tmp_path: Path) -> None:
    import dataclasses

    from stampede.profiles import Patience

    legacy, modern = _sides(tmp_path)
    # 40 carts filled; 10 left at a slow cart page (no checkout), 5 of the 30 checkouts
    # given up past patience; 20 visits left at a slow page; 12 paid of 400 products viewed
    funnel = {
        "viewed_product": 400,
        "added_to_cart": 40,
        "checkout_attempted": 30,
        "order_paid": 12,
        "abandoned_slow_page": 20,
        "abandoned_slow_cart": 10,
        "abandoned_slow_checkout": 5,
    }
    slow = dataclasses.replace(legacy.sale, outcome_totals=funnel, patience=Patience())
    off = dataclasses.replace(modern.sale, patience=None)
    rows = {
        r.metric: r
        for r in dashboard(
            dataclasses.replace(legacy, sale=slow), dataclasses.replace(modern, sale=off)
        )
    }
    assert rows["cart abandonment"].before == pytest.approx(100 * (40 - (30 - 5)) / 40)
    assert rows["conversion rate"].before == pytest.approx(100 * 12 / 400)
    lost = rows["orders lost to slowness"]
    # 15 carts, plus 20 visits × 3 % conversion
    assert lost.before == pytest.approx(15 + 20 * 12 / 400)
    # patience off: nobody abandons, so nothing to count, not a zero
    assert lost.after is None and lost.status == "not measured", lost
    assert "patience is off in the modern sale's profile" in lost.note
    patient = dataclasses.replace(modern.sale, patience=Patience())
    both = dashboard(
        dataclasses.replace(legacy, sale=slow), dataclasses.replace(modern, sale=patient)
    )
    row = next(r for r in both if r.metric == "orders lost to slowness")
    assert row.after == 0.0 and row.improvement == "100% ↓"


def test_the_checkout_ratio_against_the_case_studys() -> None:
    from stampede.reports._case_study import CaseMetric
    from stampede.reports._case_study_render import checkout_ratio

    def row(before: float, after: float) -> list[CaseMetric]:
        metric = "checkout response time (p95)"
        return [CaseMetric(metric, before, after, "ms", "measured", "")]

    assert "legacy over modern: 29.7×, at or above the case study's 7.5×" in checkout_ratio(
        row(9010.0, 303.4)
    )
    assert "legacy over modern: 6.0×, below the case study's 7.5×" in checkout_ratio(
        row(1800.0, 300.0)
    )
