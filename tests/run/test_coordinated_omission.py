"""A target that freezes for 3 s under a constant arrival rate: the stall must show.

A closed-loop tool stops sending while the target stalls, so the stall never
reaches its percentiles. Stampede's open model keeps the schedule: requests
due during the freeze are measured from their intended time, and the ones
that could not go out on time are counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stampede.core.rundir import RunDir
from tests.measure.stub_server import StubServer, serving
from tests.run.helpers import run_json, stampede

#: real runs against a stub server that freezes
pytestmark = pytest.mark.e2e

PROFILE = """\
name: freeze
description: constant 100 arrivals/s of browsing for 8 s, for the stall test
stages:
  - {duration: 0.5s, arrivals_per_s: 100, phase: ramp}
  - {duration: 7.5s, arrivals_per_s: 100, phase: steady}
mix: {browser: 1.0}
think_times:
  browser: {distribution: constant, value: 0s}
slos:
  latency:
    all: {p95: 500ms}
"""


def test_a_three_second_freeze_shows_in_corrected_p99(tmp_path: Path) -> None:
    profile = tmp_path / "freeze.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    with serving(StubServer(freeze_at=250, freeze_seconds=3.0)) as stub:
        result = stampede(
            "run",
            str(profile),
            "--host",
            stub.url.rstrip("/"),
            "--out",
            str(out),
            "--no-report",
            "--no-gate",  # the stall breaches the p95 objective; the measurement is the point
            cwd=tmp_path,
        )
        assert stub.froze.is_set(), "the stub never froze"
    assert result.returncode in (0, 2), result.stderr[-3000:]
    # the console's header names the profile's model as it runs it
    assert ", open model (arrivals per second, whatever the target does)" in result.stderr
    latency = RunDir(out).latency()
    corrected = latency.summary("corrected")
    assert corrected.p99 >= 2.0, f"corrected p99 {corrected.p99:.3f} s hides the 3 s stall"
    arrivals = RunDir(out).arrivals()
    assert arrivals.missed >= 50, f"only {arrivals.missed} late arrivals counted"
    run = run_json(out)
    assert run["model"] == "open"
    # ~800 arrivals were intended; the freeze delays many past the lateness tolerance
    assert 700 <= run["generator"]["intended_arrivals"] <= 820
    assert run["generator"]["late"] == arrivals.missed
