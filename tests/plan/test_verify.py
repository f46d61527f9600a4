"""Predict, then verify, on the known-answer target: ``stampede plan RUN --verify``.

The M/M/c server of ``tests/mmc_server.py`` (4 slots, exponential service of
mean 20 ms, p95 budget 100 ms) is probed with open-model Poisson plateaus and
planned as in ``test_known_answer.py``; ``--verify`` then runs confirmation
plateaus on the same server (one replica) at the plan's operating point (the
safe rate × its target utilisation) and at 1.25 × the safe rate. The known
answer: the measured p95 is within the budget at the first and over it at the
second, the verdict says the plan held, and each measured p95 is near the exact
M/M/c p95 at the rate the server was given.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stampede.capacity import mmc_safe_rate
from stampede.capacity._queueing import response_time_percentile
from stampede.core.rundir import RunDir
from tests.mmc_server import start_mmc_server
from tests.plan.test_known_answer import HERE, _cli, _profile

pytestmark = pytest.mark.e2e

SERVERS, MEAN_MS, BUDGET_MS = 4, 20.0, 100.0


def test_the_plan_of_the_mmc_server_holds_on_one_replica(tmp_path: Path) -> None:
    safe = mmc_safe_rate(SERVERS, MEAN_MS / 1000, BUDGET_MS / 1000).safe_rate
    capacity = SERVERS * 1000 / MEAN_MS
    profile = _profile(tmp_path / "mmc-probe.yaml", capacity, BUDGET_MS)
    # a light lead-in while Locust spawns its pool (the arrivals due meanwhile go out in one
    # burst); the plan leaves it out of the curve for its few requests
    probe = yaml.safe_load(profile.read_text())
    lead_in = {"duration": "4s", "arrivals_per_s": 0.2 * capacity, "phase": "lead-in"}
    probe["stages"] = [lead_in, *probe["stages"]]
    profile.write_text(yaml.safe_dump(probe, sort_keys=False))
    out = tmp_path / "run"
    with start_mmc_server(SERVERS, MEAN_MS, seed=7) as url:
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
    verify = json.loads((out / "capacity" / "verify.json").read_text())
    assert verify["format"] == "stampede.verify/1" and verify["valid"] is True
    assert verify["replicas"] == 1 and verify["arrivals"] == "poisson"
    assert verify["verdict"].startswith("The plan held: queue met the budget")
    assert verify["verdict"] in plan.stdout.splitlines()
    confirm = RunDir(Path(verify["run_dir"])).record()
    assert confirm.runner is not None and confirm.measured.host == url
    operating, over = verify["points"]
    [row] = json.loads((out / "capacity" / "plan.json").read_text())["sizing"]
    assert operating["point"] == "operating point" and over["point"] == "1.25 × safe"
    assert operating["planned_rps"] == pytest.approx(
        row["safe_rps_per_replica"] * row["target_utilization"], rel=1e-3
    )
    assert over["planned_rps"] == pytest.approx(1.25 * row["safe_rps_per_replica"], rel=1e-3)
    lines = []
    for point in (operating, over):
        assert point["as_planned"] is True
        # 1.25 × safe is over c/S here (204 > 200 req/s): the server completes at most c/S
        given = min(point["planned_rps"], capacity)
        assert point["measured_rps"] == pytest.approx(given, rel=0.12)
        rate = point["measured_rps"]
        exact = (
            f"{1000 * response_time_percentile(0.95, SERVERS, rate, 1000 / MEAN_MS):.1f} ms"
            if rate < 0.97 * capacity
            else "none (the queue is unstable)"
        )
        lines.append(
            f"{point['point']}: planned {point['planned_rps']:.1f} req/s, measured "
            f"{rate:.1f} req/s; p95 predicted {point['predicted_p95_ms']} ms "
            f"({point['predicted_from']}), measured {point['measured_p95_ms']:.1f} ms, "
            f"exact M/M/c {exact}"
        )
    print(
        f"\nM/M/{SERVERS}, S {MEAN_MS:g} ms, budget {BUDGET_MS:g} ms, analytic safe {safe:.1f} "
        f"req/s, planned {row['safe_rps_per_replica']:.1f}\n" + "\n".join(lines)
    )
    assert operating["measured_p95_ms"] <= BUDGET_MS < over["measured_p95_ms"]
    summary = (out / "capacity" / "summary.md").read_text()
    assert "## Verify: predicted, then measured on one replica" in summary
    assert verify["verdict"] in summary
