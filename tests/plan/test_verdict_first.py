"""``stampede plan`` prints its verdict first, through the command line: a feasible plan says
what it sizes (tests/plan/test_command.py: an infeasible and an inconclusive one)."""

from __future__ import annotations

import re

import pytest

from tests.cli import run_cli
from tests.plan.conftest import MakeRun


def test_a_feasible_plan_says_what_it_sizes_first(make_run: MakeRun) -> None:
    run_dir = make_run()
    done = run_cli("plan", str(run_dir), "--target-users", "500", "--no-charts")
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert re.match(
        r"Plan( \(\d+ warnings? below\))?: [\d,]+ replicas at the peak \([\d,]+ at baseline\) "
        r"for 500 users within a 500 ms p95; [\d,]+ USD/month at baseline",
        first,
    ), first
    assert rest[0].endswith("measurements valid"), rest[0]


@pytest.mark.parametrize("users", ["120k", "0"])
def test_a_bad_target_is_one_line_and_exit_3(make_run: MakeRun, users: str) -> None:
    done = run_cli("plan", str(make_run()), "--target-users", users, "--no-charts")
    assert done.returncode == 3 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "--target-users" in done.stderr
