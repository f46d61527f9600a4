"""Shoppers with patience against the embedded store: a slowed store loses shoppers.

The same profile and seed run twice: once against the fast store, once with its
database slowed by 800 ms a call for the whole run. A page view then takes 1.6 s or
more (two waves of calls, each waiting the latency), beyond most of these shoppers'
patience (median 1 s, sigma 0.3: P(patience < 1.6 s) ≈ 94 %), while the fast store's
pages take milliseconds. Then the slowed run once more with two Locust worker
processes (a shorter patience, a smaller latency, more page views): the master counts
the abandonments of both workers, so nearly every page view (all slow) is an
abandonment, not the half of them that one worker's would be.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.outcomes import ABANDONED_SLOW_PAGE, ABANDONMENTS
from stampede.reports import load_run
from tests.run.helpers import outcome_totals, run_json, stampede

pytestmark = pytest.mark.e2e

PROFILE = """\
name: patience-smoke
description: {description}
stages:
  - {{duration: 1s, users: 12, phase: baseline}}
  - {{duration: 5s, users: 12, phase: sale}}
mix: {{{mix}}}
think_times:
{think_times}
flash: {{sku: FLASH-001, opens_at: 2s}}
# shorter than the documented default (median 3 s), so that pages a few 100 ms slow
# are given up within a short run
patience: {{page: {{median: {page}, sigma: 0.3}}, checkout: {{median: 3s, sigma: 0.3}}}}
"""
THINK = {
    "browser": "{min: 100ms, max: 300ms}",
    "shopper": "{min: 100ms, max: 300ms}",
    "flash_buyer": "{distribution: constant, value: 200ms}",
    "mobile_app": "{min: 100ms, max: 300ms}",
}
EVERY_BEHAVIOUR = tuple(THINK)
#: behaviours whose every patience check is a page view (a page load the run records)
PAGES_ONLY = ("browser", "shopper")
SLOWED = "--chaos=db-latency@0s:800ms:10s"  # longer than the run: slowed throughout


def _run(
    tmp_path: Path, name: str, behaviours: tuple[str, ...], *extra: str, page: str = "1s"
) -> Path:
    profile = tmp_path / f"{name}.yaml"
    mix = ", ".join(f"{b}: {1 / len(behaviours):g}" for b in behaviours)
    think_times = "\n".join(f"  {b}: {THINK[b]}" for b in behaviours)
    profile.write_text(
        PROFILE.format(description=name, mix=mix, think_times=think_times, page=page)
    )
    out = tmp_path / name
    done = stampede(
        "run", str(profile), "--out", str(out), "--no-gate", "--no-report", "--seed", "7",
        *extra, cwd=tmp_path, timeout=90,
    )  # fmt: skip
    assert done.returncode in (0, 2), done.stderr[-3000:]
    # the behaviours' patience raised nothing (a task's exception is Locust's, not a failure)
    exceptions = (out / "locust_exceptions.csv").read_text().splitlines()
    assert exceptions[1:] == [], exceptions
    return out


def _abandoned(out: Path) -> int:
    totals = outcome_totals(out)
    return sum(totals.get(name, 0) for name in ABANDONMENTS)


def test_a_slowed_store_loses_shoppers_a_fast_one_keeps(tmp_path: Path) -> None:
    fast = _run(tmp_path, "fast", EVERY_BEHAVIOUR)
    slow = _run(tmp_path, "slow", EVERY_BEHAVIOUR, SLOWED)
    fault = load_run(slow).faults[0]
    assert fault.start_s is not None, fault
    pages = (load_run(fast).page_loads["all"].total, load_run(slow).page_loads["all"].total)
    # the fast store's pages (milliseconds) are within everyone's patience
    assert _abandoned(fast) == 0, (outcome_totals(fast), pages)
    assert outcome_totals(slow).get(ABANDONED_SLOW_PAGE, 0) >= 5, (outcome_totals(slow), pages)


def test_two_workers_abandonments_are_all_counted(tmp_path: Path) -> None:
    # 150 ms a database call: product and category pages of 300 ms (two waves of calls),
    # many of them in the run, beyond these shoppers' patience (median 150 ms, sigma 0.3:
    # P(patience < 0.3 s) ≈ 99 %); the home page (no database call) and the cart page
    # (one wave, a cart abandonment) are left out of the count
    slowed = "--chaos=db-latency@0s:150ms:10s"
    out = _run(tmp_path, "workers", PAGES_ONLY, slowed, "--processes", "2", page="150ms")
    run = run_json(out)
    assert run["generator"]["processes"] == 2
    assert len([w for w in run["workers"] if w["requests"] > 0]) == 2, run["workers"]
    totals = outcome_totals(out)
    pages = load_run(out).page_loads
    views = sum(pages[kind].total for kind in ("product", "category") if kind in pages)
    given_up = totals.get(ABANDONED_SLOW_PAGE, 0)
    # every page view was slow: ~99 % are abandoned; one worker's outcomes alone are ~half
    assert views >= 20 and given_up >= 0.75 * views, (given_up, views, totals)
