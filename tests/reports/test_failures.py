"""Failures grouped by request name and cause with a sample URL; timeouts counted as such."""

from __future__ import annotations

import csv
from pathlib import Path

from stampede.reports import load_run, render_report
from stampede.reports._failures import grouped, is_timeout, timeouts_by_request
from stampede.reports._model import FailureRow
from tests.synthetic import write_run

NAME = "/api/v1/products/[id]"


def _retries(product: int) -> FailureRow:
    url = f"http://127.0.0.1:35481/api/v1/products/{product}"
    return FailureRow("GET", NAME, f"no answer: RetriesExceeded('{url}', 1)", 2)


def test_one_row_per_request_name_and_cause_with_a_sample_url() -> None:
    rows = [_retries(n) for n in range(300, 426)]  # 126 products, one cause
    rows.append(FailureRow("POST", "/api/v1/checkout", "HTTP 500 internal", 3))
    (first, second) = grouped(rows)
    assert (first.method, first.name, first.occurrences) == ("GET", NAME, 252)
    assert first.error == "no answer: RetriesExceeded('<url>', 1)"
    assert first.sample_url == "http://127.0.0.1:35481/api/v1/products/300"
    assert (second.name, second.occurrences, second.sample_url) == ("/api/v1/checkout", 3, "")


def test_gevents_timeouts_are_one_row_whatever_their_address() -> None:
    """geventhttpclient's timeout is gevent's Timeout, whose repr names its address."""
    rows = [
        FailureRow("GET", NAME, f"no answer: <Timeout at 0x7f3a{n:04x} seconds=10>", 1)
        for n in range(37)
    ]
    (row,) = grouped(rows)
    assert row.occurrences == 37 and row.error == "no answer: <Timeout seconds=10>"
    assert timeouts_by_request([row]) == {f"GET {NAME}": 37}


def test_timeouts_are_told_from_other_failures() -> None:
    assert is_timeout("no answer: ConnectionTimeout('timed out')")
    assert is_timeout("no answer: TimeoutError()")
    assert not is_timeout("HTTP 503 payment_unavailable")
    rows = [FailureRow("GET", NAME, "no answer: socket timeout", 37), _retries(1)]
    assert timeouts_by_request(rows) == {f"GET {NAME}": 37}


def test_a_percentile_among_timed_out_requests_is_shown_as_a_bound(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run")
    stats = list(csv.DictReader((run / "locust_stats.csv").open()))
    products = next(r for r in stats if r["Name"] == NAME)
    requests = int(products["Request Count"])
    timed_out = requests // 10 + 1  # more than the 5% above p95, fewer than the 50% above p50
    with (run / "locust_failures.csv").open("a", newline="") as out:
        csv.writer(out).writerow(["GET", NAME, "no answer: timed out after 10 s", timed_out])
    data = load_run(run)
    endpoint = next(e for e in data.endpoints if e.name == f"GET {NAME}")
    assert endpoint.timeouts == timed_out
    assert endpoint.timed_out_at(95) and endpoint.timed_out_at(99)
    assert not endpoint.timed_out_at(50)
    html = render_report(data)
    assert f"{timed_out} timed out" in html
    assert "≥ " in html


def test_an_objective_judged_among_timeouts_says_so(tmp_path: Path) -> None:
    from stampede.reports import evaluate_slos
    from stampede.reports._report import measurements

    run = write_run(tmp_path / "run")
    stats = list(csv.DictReader((run / "locust_stats.csv").open()))
    requests = int(next(r for r in stats if r["Name"] == "Aggregated")["Request Count"])
    timed_out = requests // 10
    with (run / "locust_failures.csv").open("a", newline="") as out:
        csv.writer(out).writerow(
            ["GET", NAME, "no answer: <Timeout at 0x7f00 seconds=10>", timed_out]
        )
    data = load_run(run)
    p95 = next(
        s for s in evaluate_slos(data.slos, measurements(data)) if s.key == "latency.all.p95"
    )
    assert "was ≥ " in p95.detail and f"({timed_out:,} timed out)" in p95.detail
