"""``stampede scenario from-har``: a recording of a Bazaar shopper → users and a description.

The HAR (tests/byo/recording.py) holds what a browser saves: the API calls,
and the assets, preflight and beacon a load test must not replay. The files
written are checked as ``stampede run`` checks them, and a short run of them
against Bazaar is valid and takes orders with the session the login handed out.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stampede.app.har import fold_segment, request_name
from stampede.app.user_locustfile import check_users, inspect_locustfile
from stampede.core.target_description import load_description
from stampede.profiles import load_profile
from tests.byo.bazaar import bazaar
from tests.byo.recording import TOKEN, write_har
from tests.cli import run_cli
from tests.run.helpers import run_json, stampede

PROFILE = """name: recorded
description: the recorded journey, one user for 5 s (the recording logs in as one shopper)
stages:
  - {duration: 1s, users: 1, phase: ramp}
  - {duration: 4s, users: 1, phase: sale}
mix: {Checkout: 1.0}
think_times:
  Checkout: {distribution: constant, value: 50ms}
slos:
  latency:
    all: {p95: 500ms}
    basket: {p95: 400ms}
"""


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/goods/G-17", "/goods/[id]"),
        ("/api/v1/products/123/reviews?page=2&sort=new",
         "/api/v1/products/[id]/reviews?page=[page]&sort=[sort]"),
        ("/u/3fa85f64-5717-4562-b3fc-2c963f66afa6", "/u/[id]"),
        ("/c/shoes", "/c/shoes"),
        ("/", "/"),
    ],
)  # fmt: skip
def test_ids_and_query_values_are_folded(path: str, name: str) -> None:
    assert request_name(path) == name
    assert fold_segment("v2") == "v2" and fold_segment("9f86d081884c7d65") == "[id]"


def test_a_recording_becomes_users_and_a_description(tmp_path: Path) -> None:
    har = write_har(tmp_path / "checkout.har")
    result = run_cli("scenario", "from-har", str(har), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Users: checkout.py (class Checkout, 6 requests" in result.stdout
    code = (tmp_path / "checkout.py").read_text()
    # the assets, the preflight and the beacon are left out; the browser's headers too
    for left_out in ("app.js", "site.css", "webp", "woff2", "OPTIONS", "beacon", "Cookie",
                     "User-Agent", "sec-ch-ua", ":authority"):  # fmt: skip
        assert left_out not in code, left_out
    assert code.count("self.client.") == 6
    # the session token is the login's answer at run time, never the recorded one
    assert TOKEN not in code and 'found["access"] = _field(answer, "access")' in code
    assert 'headers={"X-Session": found["access"]}' in code
    description = load_description(tmp_path / "checkout.target.yaml")
    assert [g.name for g in description.groups] == ["goods", "auth", "basket"]
    assert description.service_names == ("bazaar",)
    assert description.health == "/goods?page=2"
    for name in ("GET /goods/[id]", "POST /auth/token", "POST /basket", "POST /basket/pay"):
        assert description.group_of(name) != "other", name
    # the checks of `stampede run --locustfile`: it imports, its class is a StampedeUser
    users = inspect_locustfile(tmp_path / "checkout.py")
    assert [(c.name, c.stampede) for c in users.classes] == [("Checkout", True)]
    (tmp_path / "recorded.yaml").write_text(PROFILE)
    assert check_users(load_profile(str(tmp_path / "recorded.yaml")), users) == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (None, "no such HAR file"),
        ("<html>", "not a HAR file: not JSON (Expecting value at line 1)"),
        ('{"log": {}}', "not a HAR file: it has no log.entries list"),
        ('{"log": {"entries": [{"request": {}}]}}', "log.entries[0] has no request.url"),
        (json.dumps({"log": {"entries": [{"request": {"method": "GET", "url":
         "https://x.example/app.js"}, "response": {"status": 200}}]}}),
         "records no request to replay: 1 entries, 1 of them static assets or preflights"),
    ],
    ids=["missing", "not-json", "no-entries", "no-url", "only-assets"],
)  # fmt: skip
def test_a_bad_har_is_one_line(tmp_path: Path, text: str | None, words: str) -> None:
    if text is not None:
        (tmp_path / "bad.har").write_text(text)
    result = run_cli("scenario", "from-har", "bad.har", cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.startswith("Error: bad.har: ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "bad.py").exists()


def test_files_that_exist_are_kept_unless_forced(tmp_path: Path) -> None:
    write_har(tmp_path / "checkout.har")
    (tmp_path / "checkout.target.yaml").write_text("mine\n")
    result = run_cli("scenario", "from-har", "checkout.har", cwd=tmp_path)
    assert result.returncode == 3 and "checkout.target.yaml: already exists" in result.stderr
    assert not (tmp_path / "checkout.py").exists()
    assert (tmp_path / "checkout.target.yaml").read_text() == "mine\n"
    forced = run_cli("scenario", "from-har", "checkout.har", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


@pytest.mark.e2e
def test_the_recorded_users_run_against_bazaar(tmp_path: Path) -> None:
    write_har(tmp_path / "checkout.har")
    assert run_cli("scenario", "from-har", "checkout.har", cwd=tmp_path).returncode == 0
    (tmp_path / "recorded.yaml").write_text(PROFILE)
    out = tmp_path / "run"
    with bazaar(stock=1000) as store:
        result = stampede(
            "run", "recorded.yaml", "--locustfile", "checkout.py",
            "--target", "checkout.target.yaml",  # as the command's "Next:" line says
            "--host", store.url, "--out", str(out), "--no-report", cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        orders = store.ledger.orders
    assert "Measurements: valid" in result.stdout
    record = run_json(out)
    assert record["locustfile"] == "checkout.py" and record["target_file"] == "checkout.target.yaml"
    latency = json.loads((out / "latency.json").read_text())["groups"]
    assert {"GET /goods/[id]", "POST /basket/pay"} <= set(latency)
    # every journey paid with the session its own login handed out, and none failed
    with (out / "locust_stats.csv").open() as handle:
        rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(handle)}
    pay = rows[("POST", "/basket/pay")]
    assert orders == int(pay["Request Count"]) > 5
    assert rows[("", "Aggregated")]["Failure Count"] == "0"
