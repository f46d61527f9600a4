"""Paid orders in the plan are purchases the store completed, not successful order requests.

A flash-sale task marks a sold-out answer a success (the store worked), so Locust counts
it among the successes of ``POST /basket/pay``. The plan must not: a known-answer run
where each user pays once a second and 0.4 of those answers are a 410 sold out has 0.6
paid orders per user-second, and its derived mailer (one mail per successful payment)
as many mails, whatever Locust called a success.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.outcomes import OutcomeCounter
from tests.capacity.synthetic import T0
from tests.cli import run_cli
from tests.plan.exact_probe import SOLD_OUT_SHARE, plan, write_probe

USERS = ("--target-users", "10", "--baseline-users", "10", "--topology")


def _topology(tmp_path: Path) -> str:
    path = tmp_path / "topology.yaml"
    path.write_text("services:\n  accounts: {service_time_ms: 5}\n")
    return str(path)


def test_sold_out_answers_accepted_as_successes_are_not_paid_orders(tmp_path: Path) -> None:
    _, written = plan(write_probe(tmp_path / "probe"), *USERS, _topology(tmp_path))
    peak = written["demand"]["peak"]
    # at the lightest plateau's 10 users: N = 10 payments/s, K = 4 of them sold out
    n, k = 10 * 1, round(10 * SOLD_OUT_SHARE)
    assert peak["total_rps"] == pytest.approx(50.0, rel=1e-9)
    ratios = written["visit_ratios"]
    assert ratios["paid_orders_per_request"] == pytest.approx((n - k) / 50, rel=1e-9)
    assert ratios["derived_by_orders"]["mailer"] == pytest.approx((n - k) / 50, rel=1e-9)
    # the plan's orders are the business's: 10 users / a 300 s visit x 2.56 %, and the
    # mailer's one mail per paid order follows them, not the probe's N - K
    orders = 10 / 300 * 0.0256
    assert peak["paid_orders_per_s"] == pytest.approx(orders, rel=1e-9)
    assert peak["per_service"]["mailer"] == pytest.approx(orders, rel=1e-9)
    assert peak["per_service"]["till"] == pytest.approx(n, rel=1e-9)  # its load is every request


def test_a_run_without_answers_by_request_counts_every_success(tmp_path: Path) -> None:
    """Runs recorded before the answers were tallied plan as they did (every success)."""
    probe = write_probe(tmp_path / "probe", answers=False)
    _, written = plan(probe, *USERS, _topology(tmp_path))
    assert written["visit_ratios"]["paid_orders_per_request"] == pytest.approx(10 / 50, rel=1e-9)


def test_outcome_answers_survive_the_worker_report_and_the_file() -> None:
    worker = OutcomeCounter(1.0)
    worker.add_answer("POST /basket/pay", "sold_out", T0 + 0.2)
    worker.add_answer("POST /basket/pay", "sold_out", T0 + 1.9, 2)
    worker.add_answer("GET /goods/[sku]", "rate_limited", T0 + 1.1)
    master = OutcomeCounter(1.0)
    master.merge(OutcomeCounter.from_dict(worker.drain().to_dict()))
    assert not worker
    assert master.answers("POST /basket/pay", T0, T0 + 2) == 3
    assert master.answers("POST /basket/pay", T0 + 1, T0 + 2) == 2
    assert master.answers("POST /basket/pay", T0, T0 + 1) == 1
    assert master.answers("GET /goods/[sku]", T0, T0 + 2) == 1
    assert master.totals() == {}  # answers by request are no outcomes of their own


def test_a_malformed_outcomes_file_is_one_line(tmp_path: Path) -> None:
    probe = write_probe(tmp_path / "probe")
    (probe / "outcomes.json").write_text('{"format": "something else"}')
    done = run_cli("plan", str(probe), "--no-charts")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "outcomes.json is malformed" in done.stderr and "delete it to plan" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
