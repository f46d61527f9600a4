"""Every fault kind in one short run on the production shape: PostgreSQL, Redis, RabbitMQ and
two store workers; afterwards the audit is clean and each fault has its recovery time.

The broker faults stop and start a RabbitMQ node: Stampede starts a private one for them
(never the machine's shared broker), so this run has no ``--queue``; its order events go
through that node all the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stampede.reports import load_run
from stampede.reports._report import run_recoveries
from tests.chaos.flash_profile import flash_profile
from tests.run.helpers import outcome_totals, run_json, stampede
from tests.services import require_rabbitmq
from tests.store.backends import fresh_database, require_backends

pytestmark = [pytest.mark.e2e, pytest.mark.services]

PROFILE = flash_profile(
    "chaos-production",
    "a short flash sale broken in every way the production shape can break",
    users=10,
    sale="45s",
)
#: one of each kind, apart from each other so every recovery is its own; the broker takes
#: seconds to stop and boot, so the outage ends about 7 s after it starts, and the sale
#: goes on long enough after it for a healthy 5 s window
CHAOS = [
    "db-latency@sale:300ms:3s",
    "payment-outage@sale+4s:4s",
    "kill-worker@sale+9s",
    "redis-restart@sale+13s",
    "db-restart@sale+17s",
    "broker-restart@sale+21s",
    "broker-outage@sale+28s:4s",
]
KINDS = {spec.split("@")[0] for spec in CHAOS}


def _run(tmp_path: Path, database_url: str) -> Path:
    profile = tmp_path / "chaos-production.yaml"
    profile.write_text(PROFILE)
    out = tmp_path / "run"
    store = ["--store-arg=--backend=postgres", f"--store-arg=--database-url={database_url}"]
    result = stampede(
        "run",
        str(profile),
        "--out",
        str(out),
        "--store-workers",
        "2",
        "--no-gate",
        *store,
        *(f"--chaos={spec}" for spec in CHAOS),
        cwd=tmp_path,
        timeout=180,
    )
    # 0: valid; 2 would say the generator could not keep the schedule, not a store failure
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Store audit: clean" in result.stdout, result.stdout
    return out


def test_every_fault_kind_on_postgres_redis_and_rabbitmq(tmp_path: Path) -> None:
    require_backends()
    require_rabbitmq()
    with fresh_database() as database_url:
        out = _run(tmp_path, database_url)

    run = run_json(out)
    assert run["audit_ok"] is True and run["complete"] is True
    checks = {c["name"]: c for c in json.loads((out / "audit.json").read_text())["checks"]}
    assert all(c["ok"] for c in checks.values()), checks
    totals = outcome_totals(out)
    paid = totals.get("order_paid", 0)
    assert paid > 20, totals  # the sale sold through the faults
    # exactly one notification per each order the store holds paid, after the broker came back
    # twice; a shopper whose checkout answer a fault cut off may not have seen its order paid
    # (the store charged it once all the same), so the store holds at least what shoppers saw
    # and at most what they attempted
    detail = checks["one_notification_per_paid_order"]["detail"]
    held = re.fullmatch(r"each of (\d+) paid orders has exactly one notification", detail)
    assert held is not None, detail
    store_paid = int(held[1])
    assert paid <= store_paid <= totals["checkout_attempted"], (detail, totals)

    chaos = json.loads((out / "chaos.json").read_text())["faults"]
    assert run["chaos"] == chaos
    faults = {f["kind"]: f for f in chaos}
    assert faults.keys() == KINDS
    for fault in chaos:
        assert not fault["detail"].startswith(("failed", "not injected")), fault
        assert fault["start_s"] == pytest.approx(fault["planned_s"], abs=1.0), fault
        assert fault["recovery_s"] is not None and 0 <= fault["recovery_s"] < 30, fault
    assert "pg_terminate_backend on" in faults["db-restart"]["detail"]
    assert "restarted empty as pid" in faults["redis-restart"]["detail"]
    # measured on the store's side: pooled Redis connections serve within a second of Redis
    for kind, within in (("redis-restart", 1.0), ("broker-restart", 5.0)):
        assert faults[kind]["store_recovery_s"] is not None, faults[kind]
        assert faults[kind]["store_recovery_s"] < within, faults[kind]
    outage = faults["broker-outage"]
    assert outage["end_s"] - outage["start_s"] >= 4.0, outage

    # recovered within the objectives; a broker fault counts from when the broker was back
    found = {r.fault.kind: r for r in run_recoveries(load_run(out))}
    assert found.keys() == KINDS
    for kind in ("broker-restart", "broker-outage"):
        assert found[kind].from_s == faults[kind]["end_s"], found[kind]
    assert all(r.recovered_at_s is not None for r in found.values()), found

    queue = json.loads((out / "queue.json").read_text())["samples"]
    assert any(s["depth"] is None for s in queue), "the broker was down for some seconds"
    assert all(s["lag_s"] is None for s in queue if s["depth"] is None), queue
    assert max(s["consumed"] or 0 for s in queue) >= store_paid

    report = (out / "report.html").read_text()
    for spec in CHAOS:
        assert spec in report
    assert 'id="chart-queue"' in report  # the queue's depth and lag, charted
