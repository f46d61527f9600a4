"""Availability during the sale: seconds within the objectives and requests served, from
synthetic runs with and without a fault window (known answers)."""

from __future__ import annotations

from pathlib import Path

from stampede.profiles import load_profile
from stampede.reports import load_run, render_report
from stampede.reports._availability import availability, run_availability
from stampede.reports._model import GroupTimeline, Series, UsersSeries
from tests.synthetic import Traffic, write_run

# the synthetic sale opens at 5 s and the run ends at 25 s; nobody runs in its last second
SALE_SECONDS = 19


def test_a_clean_sale_is_fully_available(tmp_path: Path) -> None:
    found = run_availability(load_run(write_run(tmp_path / "run", Traffic(failures=0))))
    assert (found.from_s, found.to_s) == (5.0, 25.0)
    assert (found.seconds_judged, found.seconds_met) == (SALE_SECONDS, SALE_SECONDS)
    assert found.seconds_share == 1.0 and found.requests_share == 1.0


def test_a_failing_window_counts_its_seconds_and_requests(tmp_path: Path) -> None:
    data = load_run(write_run(tmp_path / "run", Traffic(failures=0, failing=(10, 14))))
    found = run_availability(data)
    assert (found.seconds_judged, found.seconds_met) == (SALE_SECONDS, SALE_SECONDS - 4)
    # 8 users at 7.5 requests per second, every request of the 4 seconds failed
    assert found.failed == 4 * 60 == data.failures
    assert found.requests_share == 1 - 240 / found.requests


def test_a_slow_window_misses_the_latency_objective(tmp_path: Path) -> None:
    slow = Traffic(failures=0, stall=(10, 14, 0.9))
    data = load_run(write_run(tmp_path / "run", slow))
    found = run_availability(data)
    assert found.requests_share == 1.0  # slow, not failed
    # completions of requests sent in [10, 14) 900 ms late land in the seconds 10 to 14
    assert 4 <= found.seconds_judged - found.seconds_met <= 5
    assert found.seconds_met >= SALE_SECONDS - 5


def test_one_failure_in_sixty_breaches_a_one_percent_second(tmp_path: Path) -> None:
    found = run_availability(load_run(write_run(tmp_path / "run", Traffic(failures=1))))
    assert found.seconds_met == SALE_SECONDS - 1 and found.failed == 1


def _timeline(p95: tuple[float, ...]) -> GroupTimeline:
    t = tuple(float(i) for i in range(len(p95)))
    return GroupTimeline("all", t, (10,) * len(p95), p95, p95, p95)


def test_a_second_with_users_but_no_answers_was_not_served() -> None:
    slos = load_profile("smoke").slos
    # seconds 0-5: 10 requests each except second 2 (nothing completed); users in 0-4 only
    requests = Series((0.0, 1.0, 3.0, 4.0, 5.0), (10.0, 10.0, 10.0, 10.0, 10.0))
    users = UsersSeries((0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5), (1,) * 7, (5, 5, 5, 5, 5, 0, 0))
    found = availability(0.0, 7.0, requests, Series(), {"all": _timeline((0.1,) * 6)}, slos, users)
    # second 2 is judged and missed; second 6 has neither users nor answers: not judged
    assert (found.seconds_judged, found.seconds_met) == (6, 5)
    assert found.requests == 50


def test_the_report_shows_availability(tmp_path: Path) -> None:
    html = render_report(
        load_run(write_run(tmp_path / "run", Traffic(failures=0, failing=(10, 14))))
    )
    assert "Availability during the sale" in html
    assert "78.9%" in html and "15 of 19 seconds" in html


def test_the_gate_summary_states_availability(tmp_path: Path) -> None:
    from stampede.reports import run_gate, summary_markdown

    data = load_run(write_run(tmp_path / "run", Traffic(failures=0, failing=(10, 14))))
    markdown = summary_markdown(run_gate(data, data.slos))
    assert "**Availability during the sale:** 78.9% of its seconds" in markdown
    assert "(15 of 19)" in markdown


def test_a_late_failure_counts_in_the_second_it_completed(tmp_path: Path) -> None:
    """Known answer of the documented seam (docs/reports.md): requests and latency count by
    intended second, failures by the second Locust's history counted them."""
    from stampede.reports._availability import _per_second

    # the requests meant for seconds 10 and 11 (60 each) fail after 4 s more
    late = Traffic(failures=0, failing=(10, 12), stall=(10, 12, 4.0))
    data = load_run(write_run(tmp_path / "run", late))
    requests, failures = _per_second(data.requests_per_s), _per_second(data.failures_per_s)
    assert [round(requests[s]) for s in range(9, 17)] == [60] * 8
    assert {s: round(n) for s, n in failures.items() if n} == {14: 60, 15: 60}
    found = run_availability(data)
    # seconds 10 and 11 miss their p95 objective, 14 and 15 their error rate: four, not two
    assert (found.seconds_judged, found.seconds_met) == (SALE_SECONDS, SALE_SECONDS - 4)
    assert found.failed == 120 and found.requests == 1080
