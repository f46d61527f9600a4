"""Paid orders in the plan are purchases the store completed, not successful order requests.

A flash-sale task marks a sold-out answer a success (the store worked), so Locust counts
it among the successes of ``POST /basket/pay``. The plan must not: a known-answer run
where each user pays once a second and 0.4 of those answers are a 410 sold out has 0.6
paid orders per user-second, and its derived mailer (one mail per successful payment)
as many mails, whatever Locust called a success.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stampede.core.outcomes import OutcomeCounter
from stampede.core.protocol import OUTCOMES_FILE, TARGET_FILE
from stampede.core.records import RunRecord
from stampede.core.rundir import RunDir, write_json, write_text
from stampede.profiles import load_profile
from tests.capacity.synthetic import T0, exact_history
from tests.cli import run_cli
from tests.core.samples import measured_run, runner_facts

LEVELS = (10, 20, 30, 40, 50, 60)
SECONDS = 40
#: requests per user-second: four looks at the goods, one payment
PER_USER = (("GET", "/goods/[sku]", 4), ("POST", "/basket/pay", 1))
#: of each user's payment a second, this share was answered 410 sold out (a success)
SOLD_OUT_SHARE = 0.4
TARGET = """\
name: shop
groups:
  browse: ["GET /goods*"]
  pay: ["POST /basket/pay"]
services:
  storefront: [browse]
  till: [pay]
derived_services:
  mailer: {per_success_of: "POST /basket/pay", calls: 1}
orders: "POST /basket/pay"
outcomes:
  - {status: 410, name: sold_out}
"""


def _probe(path: Path, *, answers: bool) -> Path:
    """A probe run of six exact plateaus; ``answers``: its outcomes.json tallies the
    sold-out answers by request (a run recorded before they were tallied has none)."""
    rundir = RunDir(path)
    path.mkdir()
    rundir.write_profile(load_profile("capacity-probe").scaled(0.005, 0.5))
    rundir.write_record(RunRecord(measured_run(), runner_facts(store_workers=None)))
    write_text(rundir.file(TARGET_FILE), TARGET)
    exact_history(LEVELS, PER_USER, seconds=SECONDS).to_csv(
        rundir.file("locust_stats_history.csv"), index=False
    )
    outcomes = OutcomeCounter(1.0)
    second = T0  # the row at T0 + k counts the second [T0 + k - 1, T0 + k)
    for users in LEVELS:
        for _ in range(SECONDS):
            sold_out = round(users * SOLD_OUT_SHARE)
            outcomes.add("sold_out", second + 0.5, sold_out)
            outcomes.add("paid", second + 0.5, users - sold_out)
            if answers:
                outcomes.add_answer("POST /basket/pay", "sold_out", second + 0.5, sold_out)
            second += 1
    write_json(rundir.file(OUTCOMES_FILE), outcomes.to_dict())
    return path


def _plan(run_dir: Path, users: int) -> dict[str, Any]:
    done = run_cli(
        "plan", str(run_dir), "--target-users", str(users), "--baseline-users", str(users),
        "--no-charts",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    plan = json.loads((run_dir / "capacity" / "plan.json").read_text())
    assert isinstance(plan, dict)
    return plan


def test_sold_out_answers_accepted_as_successes_are_not_paid_orders(tmp_path: Path) -> None:
    plan = _plan(_probe(tmp_path / "probe", answers=True), users=10)
    peak = plan["demand"]["peak"]
    # at the lightest plateau's 10 users: N = 10 payments/s, K = 4 of them sold out
    n, k = 10 * 1, round(10 * SOLD_OUT_SHARE)
    assert peak["total_rps"] == pytest.approx(50.0, rel=1e-9)
    assert peak["paid_orders_per_s"] == pytest.approx(n - k, rel=1e-9)
    assert peak["per_service"]["mailer"] == pytest.approx(n - k, rel=1e-9)
    assert peak["per_service"]["till"] == pytest.approx(n, rel=1e-9)  # its load is every request
    ratios = plan["visit_ratios"]
    assert ratios["paid_orders_per_request"] == pytest.approx((1 - SOLD_OUT_SHARE) / 5, rel=1e-9)


def test_a_run_without_answers_by_request_counts_every_success(tmp_path: Path) -> None:
    """Runs recorded before the answers were tallied plan as they did (every success)."""
    peak = _plan(_probe(tmp_path / "probe", answers=False), users=10)["demand"]["peak"]
    assert peak["paid_orders_per_s"] == pytest.approx(10.0, rel=1e-9)


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
