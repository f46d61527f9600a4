"""Locust users that are not StampedeUser, and StampedeHttpUser, against Bazaar.

A plain ``HttpUser``/``FastHttpUser`` runs under ``stampede run`` in a closed
model, measured from Locust's request event — from each request's send, so
uncorrected — and run.json, the report and the gate say so; an open model
refuses it in one line. `StampedeHttpUser` (a requests client) is measured
from intended starts like StampedeUser, also under plain ``locust -f``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stampede.core.recorder import LatencyRecorder
from tests.byo.bazaar import BazaarServer
from tests.cli import run_cli
from tests.run.helpers import outcome_totals, run_json, stampede

#: how long http_locustfile.py's quote client is busy before it sends (its QUOTE_BUSY_S)
QUOTE_BUSY_S = 0.05


def test_plain_users_in_an_open_model_are_refused_in_one_line(shop: Path) -> None:
    result = run_cli("run", "bazaar-open.yaml", "--locustfile", "plain_locustfile.py", cwd=shop)
    assert result.returncode == 3, result.stderr
    assert result.stderr.strip() == (
        "Error: plain_locustfile.py: Window is a plain Locust FastHttpUser, not a "
        "stampede.StampedeUser (an open-model profile's arrivals need StampedeUser classes); "
        "subclass StampedeUser (a FastHttpUser) or StampedeHttpUser (an HttpUser) instead: "
        "self.client works the same"
    )
    assert not (shop / "runs").exists()


@pytest.mark.e2e
def test_plain_locust_users_are_measured_uncorrected_and_said_so(
    shop: Path, store: BazaarServer
) -> None:
    out = shop / "run"
    result = stampede(
        "run", "bazaar-closed.yaml", "--locustfile", "plain_locustfile.py", "--host", store.url,
        "--time-scale", "0.4", "--out", str(out), "--no-gate", cwd=shop, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "uncorrected only: plain Locust users" in result.stderr
    record = run_json(out)
    assert record["uncorrected_users"] == ["Window", "Buyer"]
    assert record["validity"]["valid"] is True
    # Locust's requests are measured (never "0 requests"): every request name has histograms
    stats = (out / "locust_stats.csv").read_text().splitlines()
    aggregated = next(line for line in stats if ",Aggregated," in line).split(",")
    locust_count = int(aggregated[2])
    latency = json.loads((out / "latency.json").read_text())["groups"]
    assert {"GET /goods?page=[n]", "POST /basket/pay", "POST /auth/token"} <= set(latency)
    assert locust_count > 50
    # the outcomes the description names are counted from plain users' answers too
    assert outcome_totals(out).get("sold_out", 0) + store.ledger.orders > 0
    report = (out / "report.html").read_text()
    assert "all requests, uncorrected (plain Locust users; corrected unavailable)" in report
    assert "p50, p95 and p99 corrected are unavailable" in report
    assert "Window, Buyer are plain Locust users" in report
    gate = run_cli("gate", str(out), cwd=shop)
    assert "latency uncorrected (plain Locust users: Window, Buyer)" in gate.stdout
    assert "uncorrected, from each request's send" in gate.stdout


@pytest.mark.e2e
def test_stampede_http_users_under_plain_locust_are_measured_from_intended_starts(
    shop: Path, store: BazaarServer
) -> None:
    """``locust -f http_locustfile.py --headless --traffic …``: the file installs
    Stampede's hooks itself, as docs/own-store.md says, and gets a run directory."""
    out = shop / "run"
    result = subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", "http_locustfile.py", "--headless",
            "--traffic", "bazaar-closed.yaml", "--time-scale", "0.4", "--host", store.url,
            "--stampede-out", str(out),
        ],
        cwd=shop, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    record = run_json(out)
    assert record["uncorrected_users"] == [] and record["target_description"] == "bazaar"
    # each task's first request noted its intended start (the end of its think time)
    arrivals = json.loads((out / "arrivals.json").read_text())["rows"]
    assert sum(row[2] for row in arrivals) > 20
    # paid is the users' own outcome; every one is an order Bazaar took
    assert outcome_totals(out).get("paid", 0) == store.ledger.orders > 0
    report = run_cli("report", str(out), cwd=shop)
    assert report.returncode == 0, report.stderr
    assert "all requests, corrected" in (out / "report.html").read_text()
    # a call of another protocol, fired with request_context(): measured from the intended
    # start (its client's 50 ms wait included), uncorrected from its send
    latency = LatencyRecorder.from_dict(json.loads((out / "latency.json").read_text()))
    assert latency.count("corrected", "WS quote") > 10
    assert latency.percentiles([50], "corrected", "WS quote")[50] >= QUOTE_BUSY_S
    assert latency.percentiles([50], "uncorrected", "WS quote")[50] < QUOTE_BUSY_S / 2
