"""Locust's web UI: the form's traffic, scale and time scale are the run; corrected p95 shown.

Driven through Locust's own REST API (``POST /swarm``, ``GET /stats/requests``),
as a browser's form or a script would.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from stampede.core.ports import free_port
from stampede.core.rundir import RunDir
from tests.measure.stub_server import StubServer, serving
from tests.run.helpers import LOCUSTFILE

#: a real Locust with its web UI
pytestmark = pytest.mark.e2e

PROFILE = """\
name: from-the-form
description: browsing ramped to 40 arrivals/s over 4 s at scale 1; the form asks for 0.5
stages:
  - {duration: 4s, arrivals_per_s: 40, phase: steady}
mix: {browser: 1.0}
think_times:
  browser: {distribution: constant, value: 0s}
"""


def _state(client: httpx.Client) -> dict[str, Any]:
    return dict(client.get("/stats/requests").json())


def test_the_forms_traffic_is_the_run_and_the_corrected_tab_has_numbers(tmp_path: Path) -> None:
    profile, out, port = tmp_path / "form.yaml", tmp_path / "run", free_port()
    profile.write_text(PROFILE)
    with serving(StubServer()) as stub:
        command = [sys.executable, "-m", "locust", "-f", LOCUSTFILE, "--web-host", "127.0.0.1"]
        command += ["--web-port", str(port), "--host", stub.url.rstrip("/")]
        command += ["--stampede-out", str(out), "--progress-interval", "0"]
        child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                deadline = time.monotonic() + 60
                while True:  # Locust starting: its port is the only sign
                    try:
                        page = client.get("/")
                        break
                    except httpx.TransportError:
                        assert time.monotonic() < deadline, "the web UI never answered"
                        time.sleep(0.2)
                assert "are disabled" in page.text  # the fields' explanation, in the page
                form = {"traffic": str(profile), "scale": "0.5", "time_scale": "1"}
                started = client.post("/swarm", data=form).json()
                assert started["success"], started
                # the run directory is written when the test stops (Locust's state can read
                # "stopped" before the first spawn, so it is no sign of the end)
                while not (out / "run.json").exists():
                    assert time.monotonic() < deadline + 60, "the run never ended"
                    time.sleep(0.2)
                stats = _state(client)
        finally:
            child.send_signal(signal.SIGINT)
            _, err = child.communicate(timeout=60)
    record = RunDir(out).record().measured
    assert (record.profile, record.scale, record.model) == ("from-the-form", 0.5, "open")
    # the form's half: a ramp from 0 to 20 arrivals/s over 4 s, 40 arrivals, a pool of 40
    # users (80 and 80 at the profile's own scale)
    assert (record.open_model_pool, record.planned_duration_s) == (40, 4.0)
    assert record.generator.intended_arrivals == 40
    [tab] = stats["extended_stats"]
    rows = {row["name"]: row for row in tab["data"]}
    assert rows and all(r["corrected_p95_ms"] >= r["uncorrected_p95_ms"] for r in rows.values())
    assert sum(r["count"] for r in rows.values()) == RunDir(out).latency().count()
    assert "Traceback" not in err
