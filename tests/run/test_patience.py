"""Shoppers with patience against the embedded store: a slowed store loses shoppers.

One run of every bundled behaviour with patience, whose database is slowed by 800 ms
a call for 3 s in the middle: a page view then takes 1.6 s or more (two waves of
calls, each waiting the latency), beyond most of these shoppers' patience (median
1 s), while the fast store's pages take milliseconds. The abandonments are the run's
own recorded outcomes, per second: none before the fault, many from it on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.outcomes import ABANDONED_SLOW_PAGE
from stampede.reports import load_run
from tests.run.helpers import outcome_totals, stampede

pytestmark = pytest.mark.e2e

PROFILE = """\
name: patience-smoke
description: every bundled behaviour with patience; the database slowed in the middle
stages:
  - {duration: 1s, users: 12, phase: baseline}
  - {duration: 7s, users: 12, phase: sale}
mix: {browser: 0.25, shopper: 0.25, flash_buyer: 0.25, mobile_app: 0.25}
think_times:
  browser: {min: 100ms, max: 300ms}
  shopper: {min: 100ms, max: 300ms}
  flash_buyer: {distribution: constant, value: 200ms}
  mobile_app: {min: 100ms, max: 300ms}
flash: {sku: FLASH-001, opens_at: 2s}
# shorter than the documented default (median 3 s), so that pages a few 100 ms slow
# are given up within a short run
patience: {page: {median: 1s, sigma: 0.3}, checkout: {median: 3s, sigma: 0.3}}
"""
FAULT = "db-latency@3s:800ms:3s"


def test_a_slowed_store_loses_shoppers_a_fast_one_keeps(tmp_path: Path) -> None:
    profile = tmp_path / "patience-smoke.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    done = stampede(
        "run", str(profile), "--out", str(out), "--no-gate", "--no-report", "--seed", "7",
        f"--chaos={FAULT}", cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 2), done.stderr[-3000:]
    data = load_run(out)
    fault = data.faults[0]
    assert fault.start_s is not None and fault.end_s is not None, fault
    series = data.outcomes.get(ABANDONED_SLOW_PAGE)
    assert series is not None, outcome_totals(out)
    # per-second counts: a second that ends before the fault began is the fast store's
    seconds = list(zip(series.t, series.values, strict=True))
    fast = sum(n for t, n in seconds if t + 1 <= fault.start_s)
    slow = sum(n for t, n in seconds if t + 1 > fault.start_s)
    pages = data.page_loads["all"].total
    # the fast store's pages (milliseconds) are within everyone's patience
    assert fast == 0, (fast, slow, pages)
    assert slow >= 5, (fast, slow, pages, outcome_totals(out))
    # the behaviours' patience raised nothing (a task's exception is Locust's, not a failure)
    exceptions = (out / "locust_exceptions.csv").read_text().splitlines()
    assert exceptions[1:] == [], exceptions
