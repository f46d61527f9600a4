"""``stampede case-study`` end to end at a small time scale: both architectures' sales, probes
and plans, and a dashboard whose every row is measured or says why not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.reports.test_case_study import METRICS
from tests.run.helpers import stampede

pytestmark = pytest.mark.e2e


def test_case_study_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "study"
    result = stampede(
        "case-study", "--out", str(out), "--scale", "0.001", "--time-scale", "0.01",
        cwd=tmp_path, timeout=180,
    )  # fmt: skip
    doc = json.loads((out / "case-study.json").read_text())
    invalid = [n for run in doc["runs"].values() for n in run["invalid"]]
    # a run the shared machine could not drive on time is called invalid: exit 2
    assert result.returncode == (2 if invalid else 0), result.stderr[-3000:]
    assert f"Dashboard: {out / 'case-study.html'}" in result.stdout
    rows = {m["metric"]: m for m in doc["metrics"]}
    assert set(METRICS) <= set(rows)
    for row in rows.values():
        measured = row["status"] == "measured"
        assert measured == (row["before"] is not None and row["after"] is not None), row
        assert measured or row["note"], row
    # what a load test of both stores always measures
    for metric in ("API response time (p95)", "error rate", "checkout success"):
        assert rows[metric]["status"] == "measured", rows[metric]
    for arch in ("legacy", "modern"):
        run = json.loads((out / arch / "sale" / "run.json").read_text())
        assert f"--architecture={arch}" in run["command"]
        assert [f["kind"] for f in run["chaos"]] == ["payment-outage"]
        assert (out / arch / "sale" / "report.html").is_file()
        probe = json.loads((out / arch / "probe" / "run.json").read_text())
        # the sale shares the machine's cores; the probe the plan sizes from pins them apart
        assert run["isolation"]["pinned"] is False, run["isolation"]
        if len(os.sched_getaffinity(0)) >= 2:
            assert probe["isolation"]["pinned"] is True, probe["isolation"]
    html = (out / "case-study.html").read_text()
    assert "scale 0.001" in html and "time scale 0.01" in html
