"""Bring your own store: Bazaar, unlike the reference store, run, reported and gated end to end.

Bazaar (tests/byo/bazaar.py) has other paths, other status codes and another
login; its users (bazaar_locustfile.py) and description (bazaar.target.yaml)
are written as a newcomer following docs/own-store.md would write them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.byo.bazaar import OPS_KEY, BazaarServer
from tests.byo.shop import HERE, STOCK
from tests.cli import run_cli
from tests.run.helpers import outcome_totals, run_json, stampede


def _write(shop: Path, name: str, text: str) -> str:
    (shop / name).write_text(text)
    return name


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--locustfile", "missing.py"], "--locustfile missing.py: no such file"),
        (["--locustfile", "bazaar.target.yaml"], "not a .py file"),
        (["--target", "nope.yaml"], "nope.yaml: no such target description file"),
    ],
)
def test_a_missing_file_is_one_line(shop: Path, args: list[str], words: str) -> None:
    result = run_cli("run", "bazaar-closed.yaml", *args, cwd=shop)
    assert result.returncode == 3, result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (shop / "runs").exists()


@pytest.mark.parametrize(
    ("locustfile", "words"),
    [
        (
            "from stampede import StampedeUser\n\nclass Window(StampedeUser):\n    pass\n"
            "x = undefined_name\n",
            "does not import: NameError: name 'undefined_name' is not defined (line 5)",
        ),
        (
            "from stampede import StampedeUser\nclass Windows(StampedeUser):\n    pass\n"
            "class Buyer(StampedeUser):\n    pass\n",
            "the profile's mix names Window, which is not a user class of this locustfile; "
            "did you mean Windows? its user classes are: Buyer, Windows",
        ),
        ("import locust\n", "no Locust user classes in the locustfile"),
    ],
    ids=["does-not-import", "unknown-class", "no-users"],
)
def test_a_bad_locustfile_is_one_line_naming_the_file(
    shop: Path, locustfile: str, words: str
) -> None:
    name = _write(shop, "users.py", locustfile)
    result = run_cli("run", "bazaar-closed.yaml", "--locustfile", name, cwd=shop)
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(f"Error: {name}: "), result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_slo_on_a_group_the_target_lacks_is_one_line(shop: Path) -> None:
    profile = (shop / "bazaar-closed.yaml").read_text().replace("pay: {p95", "checkout: {p95")
    name = _write(shop, "wrong.yaml", profile)
    result = run_cli("run", name, "--locustfile", "bazaar_locustfile.py", cwd=shop)
    assert result.returncode == 3, result.stderr
    assert "wrong.yaml: slos.latency.checkout: checkout is not an endpoint group of the " in (
        result.stderr
    )
    assert "expected one of all, browse, login, basket, pay, other" in result.stderr


def _run_report_gate(shop: Path, store: BazaarServer, profile: str) -> Path:
    """Run ``profile`` against Bazaar, check its run, report and gate; the run directory."""
    out = shop / "run"
    result = stampede(
        "run", profile, "--locustfile", "bazaar_locustfile.py", "--host", store.url,
        "--admin-token", OPS_KEY, "--out", str(out), cwd=shop, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Measurements: valid" in result.stdout and "Store audit: clean" in result.stdout
    record = run_json(out)
    assert record["target_description"] == "bazaar"
    assert record["locustfile"] == "bazaar_locustfile.py" and len(record["locustfile_sha256"]) == 64
    assert record["target_file"] == "bazaar.target.yaml" and record["audit_ok"] is True
    assert (out / "target.yaml").read_text() == (HERE / "bazaar.target.yaml").read_text()
    # every request is in one of Bazaar's groups, measured from its intended start
    latency = json.loads((out / "latency.json").read_text())["groups"]
    assert {"GET /goods/[sku]", "GET /goods?page=[n]"} <= set(latency)
    totals = outcome_totals(out)
    assert totals.get("paid", 0) > 0
    # each paid answer the users counted is an order the store took, and no unit was oversold
    assert store.ledger.orders == totals["paid"]
    assert store.ledger.sold + store.ledger.stock == STOCK
    assert totals.get("limit_exceeded", 0) > 0  # a basket of 3 is over Bazaar's limit of 2
    report = (out / "report.html").read_text()
    assert "p95 latency, browse requests" in report and "matched no endpoint group" not in report
    sha = record["locustfile_sha256"]
    assert f"# locustfile bazaar_locustfile.py sha256 {sha}; target bazaar.target.yaml" in report
    gate = run_cli("gate", str(out), cwd=shop)
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert "latency.browse.p95" in gate.stdout and "audit clean" in gate.stdout
    return out


@pytest.mark.e2e
def test_a_store_of_your_own_runs_reports_and_gates_in_a_closed_model(
    shop: Path, store: BazaarServer
) -> None:
    _run_report_gate(shop, store, "bazaar-closed.yaml")


@pytest.mark.e2e
def test_a_store_of_your_own_is_planned_by_its_own_services(
    shop: Path, store: BazaarServer
) -> None:
    """An open-model probe of six holds → report → gate → ``stampede plan`` with Bazaar's
    topology: the plan sizes exactly Bazaar's services, each to a finite replica count."""
    out = _run_report_gate(shop, store, "bazaar-open.yaml")
    result = run_cli(
        "plan", str(out), "--topology", "bazaar.topology.yaml", "--target-users", "2000",
        "--no-charts", cwd=shop,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "belongs to no known service" not in result.stdout + result.stderr
    assert "Replicas (baseline→peak): storefront " in result.stdout
    plan = json.loads((out / "capacity" / "plan.json").read_text())
    sized = {row["service"]: row for row in plan["sizing"]}
    assert set(sized) == {"storefront", "accounts", "till", "mailer"}
    for name, row in sized.items():
        assert isinstance(row["peak_replicas"], int), name
        assert 1 <= row["baseline_replicas"] <= row["peak_replicas"] < 1000, (name, row)
    # the browsing and the till are measured from the run; the mailer from its paid calls
    assert plan["visit_ratios"]["per_service"]["storefront"] > 0.3
    assert plan["visit_ratios"]["per_service"]["till"] > 0.2
    assert plan["demand"]["peak"]["per_service"]["mailer"] > 0
    # a paid order is a payment the store took, not a sold-out answer Buyer accepted: over
    # the plateaus no more than the store's own orders (60 units of stock, ~hundreds of
    # sold-out answers after them)
    plateaus = pd.read_csv(out / "capacity" / "plateaus.csv")
    paid = plan["visit_ratios"]["paid_orders_per_request"] * plateaus["requests"].sum()
    assert paid <= store.ledger.orders + 0.5, (paid, store.ledger.orders)
    mailer = plan["visit_ratios"]["derived_per_request"]["mailer"]
    assert mailer == pytest.approx(plan["visit_ratios"]["paid_orders_per_request"])
    # shoppers log in in on_start, before the first hold: accounts is said to be unsized
    assert sized["accounts"]["method"] == "not measured"
    assert "none of its" in sized["accounts"]["not_sized_because"]
    assert "accounts 2→2 (not measured: held at its minimum)" in result.stdout
    assert plan["source"]["profile"] == "bazaar-open" and plan["source"]["valid"] is True


@pytest.mark.e2e
def test_the_bundled_scenarios_against_a_foreign_store_are_invalid(
    shop: Path, store: BazaarServer
) -> None:
    profile = _write(
        shop,
        "wrong-api.yaml",
        "name: wrong-api\ndescription: the bundled browser against Bazaar\n"
        "stages:\n  - {duration: 6s, users: 4, phase: hold}\n"
        "mix: {browser: 1.0}\nthink_times: {browser: {distribution: constant, value: 20ms}}\n"
        "slos: {latency: {all: {p95: 500ms}}}\n",
    )
    out = shop / "run"
    result = stampede("run", profile, "--host", store.url, "--out", str(out), cwd=shop)
    assert result.returncode == 2, result.stderr[-3000:]
    record = run_json(out)
    reasons = " ".join(record["validity"]["reasons"])
    assert "the target does not serve this scenario's API" in reasons
    assert "Store audit: not audited" in result.stdout and "audit clean" not in result.stdout
    gate = run_cli("gate", str(out), cwd=shop)
    assert gate.returncode == 2, gate.stdout
    assert "does not serve this scenario's API" in gate.stdout + gate.stderr
    assert "audit clean" not in gate.stdout
