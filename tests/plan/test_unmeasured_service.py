"""A service the probe's plateaus never reached is said to be unsized, never sized from zero.

Bazaar's shoppers log in once, in ``on_start``, before the first hold: the plan has
none of its accounts service's requests inside a plateau, so it knows neither its
demand at the target nor its latency under load. The plan holds it at its
``min_replicas`` and says why, in the printed summary, summary.md and plan.json.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plan.exact_probe import plan, write_probe


@pytest.mark.parametrize(
    ("logins", "why"),
    [
        (12, "none of its 12 requests came inside the probe's plateaus"),
        (0, "no user called it in the run"),
    ],
)
def test_a_service_no_plateau_measured_is_held_at_its_minimum_and_said_so(
    tmp_path: Path, logins: int, why: str
) -> None:
    topology = tmp_path / "topology.yaml"
    topology.write_text("services:\n  accounts: {min_replicas: 3}\n")  # no service time
    probe = write_probe(tmp_path / "probe", logins=logins)
    done, written = plan(probe, "--target-users", "2000", "--topology", str(topology))
    row = next(r for r in written["sizing"] if r["service"] == "accounts")
    assert row["method"] == "not measured"
    assert row["peak_replicas"] == row["baseline_replicas"] == 3
    assert why in row["not_sized_because"]
    assert "its demand at 2,000 users is unknown" in row["not_sized_because"]
    assert any(why in w for w in written["warnings"])
    assert "accounts 3→3 (not measured: held at its minimum)" in done.stdout
    summary = (probe / "capacity" / "summary.md").read_text()
    assert "| accounts | not measured | 400 | not measured |" in summary
    assert f"- **not sized**: accounts was not measured enough to size: {why}" in summary
    # the services the plateaus did measure are sized as before
    sized = {r["service"]: r for r in written["sizing"]}
    assert sized["storefront"]["not_sized_because"] is None
    assert sized["storefront"]["demand_rps"] == pytest.approx(2000 * 4, rel=1e-9)
