"""Timeouts counted and shown as such, on a real run against a server that answers late.

Four readers ask a loopback server for items 1-40 with a client that gives up
after 0.25 s (``tests/run/timeouts_locustfile.py``); the server answers every
fourth item after 1 s (``tests/run/late_server.py``). run.json's timeouts by
request name, the report's failure table (one row for the request name, with a
sample URL) and its endpoint table ("N timed out", percentiles among them shown
as bounds at the 0.25 s timeout, not 10 s) must tell the same story, and the
verdict must not quote the bound as a measurement.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest

from tests.run.helpers import run_json, stampede
from tests.run.late_server import late_server

pytestmark = pytest.mark.e2e

LOCUSTFILE = Path(__file__).with_name("timeouts_locustfile.py")
CLIENT_TIMEOUT_S = 0.25  # the locustfile's (importing it here would import Locust)
assert f"CLIENT_TIMEOUT_S = {CLIENT_TIMEOUT_S}" in LOCUSTFILE.read_text()
NAME = "GET /items/[n]"
TARGET = """\
name: items
groups:
  items: ["GET /items*"]
services:
  shelf: [items]
health: /ping
"""
PROFILE = """\
name: reader
description: Four readers for 4 s against a server that answers every fourth item late.
stages:
  - {duration: 4s, users: 4, phase: read}
mix: {Reader: 1.0}
think_times:
  Reader: {distribution: constant, value: 20ms}
target: reader.target.yaml
slos:
  latency:
    items: {p95: 200ms}
"""


def _section(report: str, anchor: str) -> str:
    """The text of the report's table after ``id="anchor"``, tags taken out."""
    start = report.index(f'id="{anchor}"')
    table = report[start : report.index("</table>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", table)))


def test_timeouts_agree_across_run_json_the_failure_table_and_the_latency_table(
    tmp_path: Path,
) -> None:
    (tmp_path / "reader.yaml").write_text(PROFILE)
    (tmp_path / "reader.target.yaml").write_text(TARGET)
    out = tmp_path / "run"
    with late_server(late_every=4, late_s=1.0) as server:
        result = stampede(
            "run", "reader.yaml", "--locustfile", str(LOCUSTFILE), "--host", server.url,
            "--out", str(out), "--seed", "7", cwd=tmp_path, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]  # the p95 objective is missed
    record = run_json(out)
    timeouts = record["timeouts"]
    assert set(timeouts) == {NAME}
    timed_out = timeouts[NAME]
    assert 0 < timed_out <= server.late  # each a late item the server was asked for
    # Locust's files hold every request run.json counts (their last second too)
    stats = list(csv.DictReader((out / "locust_stats.csv").open()))
    total = next(row for row in stats if row["Name"] == "Aggregated")
    assert int(total["Request Count"]) == sum(record["statuses"].values())
    assert record["statuses"]["0"] == timed_out == int(total["Failure Count"])
    # Locust's failures: one row per item URL; the report: one row per request name
    failures = list(csv.DictReader((out / "locust_failures.csv").open()))
    assert sum(int(row["Occurrences"]) for row in failures) == timed_out
    report = (out / "report.html").read_text()
    table = _section(report, "failures")
    rows = re.findall(r"GET /items/\[n\] (.+?) (http://\S+) ([\d,]+)", table)
    assert len(rows) == 1, table
    error, sample_url, occurrences = rows[0]
    assert "timed out" in error and "<url>" in error
    assert int(occurrences.replace(",", "")) == timed_out
    item = int(sample_url.rsplit("/", 1)[1])
    assert sample_url.startswith(f"{server.url}/items/") and item % 4 == 0
    # the latency table: the same count, and p95/p99 as bounds at the run's 0.25 s timeout
    endpoints = _section(report, "endpoints")
    row = re.search(r"GET /items/\[n\] items ([\d,]+) ([\d,]+) \([\d.]+%\), ([\d,]+) timed out "
                    r"(\S+ ms) ≥ (\S+) ms ≥ (\S+) ms ≥ (\S+) ms", endpoints)  # fmt: skip
    assert row is not None, endpoints
    assert int(row[3].replace(",", "")) == int(row[2].replace(",", "")) == timed_out
    assert "≥" not in row[4]  # the p50 is measured: most items answer at once
    for bound in (row[5], row[6], row[7]):
        assert CLIENT_TIMEOUT_S * 1000 <= float(bound) < 1000  # the timeout, not 10 s
    # the verdict and the objective say the p95 is a bound among timeouts
    assert f"Not ready: items p95 ≥ {row[5]} ms > 200 ms ({timed_out} timed out)" in (
        result.stdout
    ), result.stdout
    assert f"was ≥ {row[5]} ms, over the 200 ms objective ({timed_out} timed out)" in report
