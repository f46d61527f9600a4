"""Known answers end to end: an M/M/c server probed through the seam, then planned.

``stampede run PROFILE --locustfile tests/plan/mmc_locustfile.py --target
tests/plan/mmc.target.yaml --host URL`` drives the server of
``tests/mmc_server.py`` (c slots, exponential service of mean S, by sleeping,
so the generator's CPU on the same two cores does not change it) with
open-model Poisson plateaus below and above the safe rate; ``stampede plan``
then sizes its one service, and the plan's safe throughput per replica at the
p95 budget must be within 15 % of the exact M/M/c answer (Erlang C, the
sojourn time's p95), for two (c, S) pairs. The planner's own share of the
error, on exact points, is tested in ``test_known_answer_points.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stampede.capacity import mmc_safe_rate
from stampede.core.rundir import RunDir
from tests.mmc_server import start_mmc_server
from tests.run.helpers import RUN_CLI

#: two real `stampede run`s against a sleeping server, then `stampede plan`
pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
#: plateaus as utilisations of c/S: below and above both pairs' safe rates
UTILIZATIONS = (0.45, 0.55, 0.62, 0.69, 0.76, 0.83, 0.9)
HOLD_S = 4.0


def plateau_stages(rates: list[float], hold_s: float) -> list[dict[str, object]]:
    """Open-model stages: a step to each rate (0.1 s), then a hold at it."""
    stages: list[dict[str, object]] = []
    for i, rate in enumerate(rates):
        phase = f"step-{i + 1:02d}"
        rate = round(rate, 3)
        stages.append({"duration": "100ms", "arrivals_per_s": rate, "phase": phase})
        stages.append({"duration": f"{hold_s:g}s", "arrivals_per_s": rate, "phase": phase})
    return stages


def _profile(path: Path, capacity: float, budget_ms: float) -> Path:
    profile = {
        "name": "mmc-probe",
        "description": "open-model Poisson plateaus from 45 % to 90 % of c/S",
        "arrivals": "poisson",
        "stages": plateau_stages([u * capacity for u in UTILIZATIONS], HOLD_S),
        "mix": {"Client": 1.0},
        "think_times": {"Client": {"distribution": "constant", "value": "0s"}},
        "target": str(HERE / "mmc.target.yaml"),
        "slos": {"latency": {"all": {"p95": f"{budget_ms:g}ms"}}},
    }
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return path


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize(
    ("servers", "mean_ms", "budget_ms"),
    [(4, 20.0, 100.0), (8, 20.0, 100.0)],
    ids=["c4-S20ms", "c8-S20ms"],
)
def test_the_plans_safe_rate_per_replica_is_the_analytic_one(
    tmp_path: Path, servers: int, mean_ms: float, budget_ms: float
) -> None:
    analytic = mmc_safe_rate(servers, mean_ms / 1000, budget_ms / 1000).safe_rate
    profile = _profile(tmp_path / "mmc-probe.yaml", servers / (mean_ms / 1000), budget_ms)
    out = tmp_path / "run"
    with start_mmc_server(servers, mean_ms, seed=servers) as url:
        run = _cli(
            *["run", str(profile), "--locustfile", str(HERE / "mmc_locustfile.py")],
            *["--host", url, "--out", str(out), "--no-report", "--seed", "11"],
        )
    # 1: the upper plateaus miss the budget, as they must; 2 would be a run not to trust
    assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr[-3000:]
    record = RunDir(out).record().measured
    assert record.validity.valid, record.validity.reasons
    plan = _cli("plan", str(out), "--topology", str(HERE / "mmc.topology.yaml"), "--no-charts")
    assert plan.returncode == 0, plan.stdout[-2000:] + plan.stderr[-3000:]
    document = json.loads((out / "capacity" / "plan.json").read_text())
    [row] = [r for r in document["sizing"] if r["service"] == "queue"]
    print(
        f"\nM/M/{servers}, S {mean_ms:g} ms, p95 budget {budget_ms:g} ms: analytic safe rate "
        f"{analytic:.1f} req/s; planned {row['safe_rps_per_replica']:.1f} req/s per replica "
        f"({row['method']}, budget {row['budget_ms']:g} ms); "
        f"error {row['safe_rps_per_replica'] / analytic - 1:+.1%}"
    )
    assert row["budget_ms"] == pytest.approx(budget_ms)
    assert row["safe_rps_per_replica"] == pytest.approx(analytic, rel=0.15)
