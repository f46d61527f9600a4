"""Known answers: probe an M/M/c server with open-model Poisson plateaus, find where the
measured p95 crosses the budget the way the planner does, and compare with the exact
M/M/c answer (Erlang C, the sojourn-time p95) — within 15 %, for two (c, S) pairs.

The server sleeps its service times, so the generator's CPU on the same two cores
does not change them. The probe is tests/plan/open_probe.py, not ``stampede run``:
the seam that lets ``stampede run`` load any target is not on main yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stampede.capacity import mmc_safe_rate
from stampede.capacity._latency_curve import measured_crossing
from stampede.profiles import Schedule, load_profile
from tests.mmc_server import start_mmc_server
from tests.plan.open_probe import plateau_stages, probe
from tests.traffic.conftest import profile_data

pytestmark = pytest.mark.slow

#: plateaus as utilisations of c/S: below and above both pairs' safe rates
UTILIZATIONS = (0.45, 0.55, 0.62, 0.69, 0.76, 0.83, 0.9)


@pytest.mark.parametrize(
    ("servers", "mean_ms", "budget_ms", "hold_s"),
    [(4, 10.0, 50.0, 4.0), (2, 10.0, 50.0, 5.0)],
    ids=["c4-S10ms", "c2-S10ms"],
)
def test_the_safe_rate_measured_through_the_crossing_is_the_analytic_one(
    tmp_path: Path, servers: int, mean_ms: float, budget_ms: float, hold_s: float
) -> None:
    analytic = mmc_safe_rate(servers, mean_ms / 1000, budget_ms / 1000)
    capacity = servers / (mean_ms / 1000)
    data = profile_data(plateau_stages([u * capacity for u in UTILIZATIONS], hold_s))
    data["arrivals"] = "poisson"
    path = tmp_path / "known-answer.yaml"
    path.write_text(yaml.safe_dump(data))
    schedule = Schedule.from_profile(load_profile(path))
    with start_mmc_server(servers, mean_ms, seed=servers) as url:
        points = probe(url, "/work", schedule, seed=11, trim_s=1.0)
    crossing = measured_crossing(points, budget_ms)
    measured = crossing.throughput
    print(
        f"M/M/{servers}, S {mean_ms:g} ms, p95 budget {budget_ms:g} ms: analytic safe rate "
        f"{analytic.safe_rate:.1f} req/s; measured {measured} req/s; plateaus "
        + ", ".join(
            f"{x:.0f}/s p95 {p:.0f} ms"
            for x, p in zip(points.throughput, points.p95_ms, strict=True)
        )
    )
    assert measured is not None and measured > 0, points
    assert measured == pytest.approx(analytic.safe_rate, rel=0.15)
