"""Predict, then verify, from a closed-model probe: the calibration run's known answer.

A closed-model probe has no arrival rate, so ``--verify`` first calibrates its
requests per arrival in a run of evenly spaced arrivals. The M/M/c server's
shopper makes exactly one request per arrival, so the calibration must find 1,
and the confirmation plateaus must then get the rates the plan asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stampede.core.rundir import RunDir
from tests.mmc_server import start_mmc_server
from tests.plan.test_known_answer import HERE, _cli

pytestmark = pytest.mark.e2e

THINK_S = 0.05


def _closed_profile(path: Path) -> Path:
    stages: list[dict[str, object]] = []
    for i, users in enumerate((2, 3, 4, 5, 6, 8)):
        phase = f"step-{i + 1:02d}"
        stages.append({"duration": "500ms", "users": users, "phase": phase})
        stages.append({"duration": "4s", "users": users, "phase": phase})
    profile = {
        "name": "mmc-closed-probe",
        "description": "six closed-model plateaus of 2 to 8 users thinking 50 ms",
        "stages": stages,
        "mix": {"Client": 1.0},
        "think_times": {"Client": {"distribution": "constant", "value": f"{THINK_S:g}s"}},
        "target": str(HERE / "mmc.target.yaml"),
        "slos": {"latency": {"all": {"p95": "100ms"}}},
    }
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return path


def test_a_closed_model_probe_is_calibrated_then_confirmed(tmp_path: Path) -> None:
    profile = _closed_profile(tmp_path / "closed.yaml")
    out = tmp_path / "run"
    with start_mmc_server(4, 20.0, seed=3) as url:
        run = _cli(
            *["run", str(profile), "--locustfile", str(HERE / "mmc_locustfile.py")],
            *["--host", url, "--out", str(out), "--no-report", "--seed", "5"],
        )
        assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr[-3000:]
        plan = _cli(
            *["plan", str(out), "--topology", str(HERE / "mmc.topology.yaml"), "--no-charts"],
            *["--verify", "--verify-hold", "8s"],
        )
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
    # 2 users / 50 ms think time = 40 arrivals/s: 8 s already measure 256 of them
    assert "calibrating requests per arrival at 40 arrivals/s" in plan.stderr
    assert "for 8 s" in plan.stderr
    calibration = RunDir(out / "capacity" / "verify-calibration").record()
    assert calibration.measured.validity.valid, calibration.measured.validity.reasons
    verify = json.loads((out / "capacity" / "verify.json").read_text())
    assert verify["valid"] is True and verify["verdict"].startswith("The plan held"), verify
    for point in verify["points"]:
        assert point["service"] == "queue"
        # the known answer: the M/M/c shopper sends one request per arrival
        assert point["requests_per_arrival"] == pytest.approx(1.0, rel=0.05)
    operating = verify["points"][0]
    assert operating["measured_rps"] == pytest.approx(operating["planned_rps"], rel=0.12)
