"""End to end: the capacity-probe profile against the embedded store, then ``stampede plan``.

One real run (2 store workers) at time scale 0.07: ten plateaus held 7 s
each, about 85 s. The fit is checked by its held-out error: fit the USL on
all plateaus but one, predict the one left out; every interior plateau is
held out in turn and the errors are printed.

The 15 % accuracy bar is asserted where the answer is known by construction:
``tests/plan/test_known_answer.py`` runs an M/M/c server through the same
``stampede run`` and ``stampede plan``. Here, on this 2-core machine shared by
the store, the generator and the test, single plateaus of the real store move
by ±10–25 % (held-out medians: 2 store workers below 15 % in earlier CI runs, 15.0 %
on 2026-12-02; 1 store worker 14.0 %, 15.3 % and 32.6 %), so this test bounds the median at
30 %: a fit that has gone wrong (a wrong concurrency, plateaus cut in the
wrong place) misses by far more.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stampede.app.plan_input import read_run
from stampede.app.planning import SETTLE_FACTOR, plateau_windows
from stampede.app.runner import RunRequest, execute
from stampede.capacity import MeasuredPlateau, detect_plateaus, fit_usl
from tests.run.helpers import RUN_CLI

#: two real capacity probes, then `stampede plan`
pytestmark = pytest.mark.e2e

TIME_SCALE = 0.07
CLI = [sys.executable, "-c", RUN_CLI]


STORE_WORKERS = 2


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"probe-w{STORE_WORKERS}") / "run"
    execute(
        RunRequest(
            profile="capacity-probe",
            time_scale=TIME_SCALE,
            out_dir=out,
            store_workers=STORE_WORKERS,
            report=False,
            seed=1,
        ),
        lambda line: None,
    )
    result = subprocess.run(
        # charts are drawn in tests/capacity and tests/reports; here they would cost 6 s a run
        [*CLI, "plan", str(out), "--no-charts"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stderr
    (out / "plan.out").write_text(result.stdout)
    return out


def held_out_errors(points: tuple[MeasuredPlateau, ...]) -> dict[int, float]:
    """Relative error of the USL's throughput at each interior plateau, fitted without it."""
    errors = {}
    for i in range(1, len(points) - 1):
        train = [p for j, p in enumerate(points) if j != i]
        fit = fit_usl([p.concurrency for p in train], [p.throughput for p in train])
        errors[points[i].users] = (
            float(fit.predict(points[i].concurrency)) / points[i].throughput - 1
        )
    return errors


def test_plan_files_exist_and_parse(planned: Path) -> None:
    out = planned / "capacity"
    plan = json.loads((out / "plan.json").read_text())
    assert plan["source"]["profile"] == "capacity-probe"
    assert plan["source"]["time_scale"] == TIME_SCALE
    assert "measurements " in (planned / "plan.out").read_text()
    assert "## Measured run" in (out / "summary.md").read_text()
    k8s = sorted((out / "k8s").glob("*.yaml"))
    aws = sorted((out / "aws").rglob("*.json"))
    assert k8s and aws and not (out / "charts").exists()
    for path in k8s:
        assert all(doc["kind"] for doc in yaml.safe_load_all(path.read_text()))
    for path in aws:
        assert json.loads(path.read_text())
    assert plan["usl"]["r_squared"] > 0.9
    assert plan["usl"]["lambda_"] > 0
    assert plan["source"]["plateau_p95"] == "exact (corrected)"


def test_the_shared_store_is_split_between_services(planned: Path) -> None:
    run = json.loads((planned / "run.json").read_text())
    plan = json.loads((planned / "capacity" / "plan.json").read_text())
    assert plan["source"]["store_workers"] == run["store_workers"] >= 1
    samples = json.loads((planned / "store-cpu.json").read_text())["samples"]
    assert len(samples) >= 0.9 * run["duration_s"]
    demands = plan["service_demands"]
    print(f"\n{planned}: CPU per request {demands}")
    sizing = {row["service"]: row for row in plan["sizing"]}
    shares = [sizing[s]["replica_share"] for s in ("users", "catalog", "orders", "inventory")]
    if all(share is not None for share in shares):
        # the plan relies on the split only when it is certain enough; then it must be right:
        # logging in hashes a password (scrypt), by far the dearest request
        assert demands["cpu_ms"]["users"] > max(demands["cpu_ms"]["catalog"], 1.0)
        assert sum(shares) == pytest.approx(1.0)
    else:  # 7 s plateaus may be too few seconds to split the CPU: then the plan says so
        assert all(share is None for share in shares)
        assert any("could not be split between its services" in w for w in plan["warnings"])


def test_fit_has_8_points_and_predicts_held_out_plateaus_roughly(planned: Path) -> None:
    facts = read_run(planned)
    warmup_s, min_duration_s = plateau_windows(facts.hold_s)
    points = detect_plateaus(
        facts.history,
        warmup_s=warmup_s,
        min_duration_s=min_duration_s,
        settle_factor=SETTLE_FACTOR,
    ).points
    plan = json.loads((planned / "capacity" / "plan.json").read_text())
    assert len(points) >= 8
    assert plan["usl"]["max_n"] == pytest.approx(max(p.concurrency for p in points))
    errors = held_out_errors(points)
    median = statistics.median(abs(e) for e in errors.values())
    print(
        f"\n{planned}: valid={facts.valid}; held-out error by users: "
        + ", ".join(f"{u}: {e:+.1%}" for u, e in errors.items())
        + f"; median |error| {median:.1%}"
    )
    assert median <= 0.30
