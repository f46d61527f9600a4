"""Locust's CSV writer is stopped before Locust closes its files (no ValueError at exit),
and its files hold the final statistics, not those of its last tick.

Each check runs in a fresh interpreter: importing Locust monkey-patches the
standard library, which the test process must not inherit.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import gevent
import locust.stats
from locust.env import Environment
from locust.stats import PERCENTILES_TO_REPORT, StatsCSVFileWriter
from stampede.scenarios._greenlets import stop_csv_writer

locust.stats.CSV_STATS_INTERVAL_SEC = 0.01  # it wakes every 10 ms
environment = Environment()
environment.create_local_runner()
writer = StatsCSVFileWriter(environment, PERCENTILES_TO_REPORT, sys.argv[1], True)
greenlet = gevent.spawn(writer.stats_writer)
gevent.sleep(0.05)  # it has written its rows
if len(sys.argv) > 3:  # a request after its last tick, before the next (in 60 s)
    locust.stats.CSV_STATS_INTERVAL_SEC = 60
    gevent.sleep(0.05)
    environment.events.request.fire(
        request_type="GET", name="/late", response_time=250.0, response_length=0,
        exception=TimeoutError("timed out"), context={},
    )
if sys.argv[2] == "stop":
    stop_csv_writer(exit_code=0)  # as Stampede's quit listener does
    print("dead before close:", greenlet.dead)
writer.close_files()  # as Locust's shutdown() does
greenlet.join(timeout=2)  # several of its intervals
print("exception:", repr(greenlet.exception))
"""


def _run(tmp_path: Path, mode: str, *late: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), str(tmp_path / "x"), mode, *late],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "x_stats_history.csv").read_text().startswith("Timestamp")
    return done.stdout


def test_the_writer_left_running_writes_to_closed_files(tmp_path: Path) -> None:
    """What Locust does alone: the failure Stampede's listener guards against."""
    assert "exception: ValueError('I/O operation on closed file.')" in _run(tmp_path, "keep")


def test_stopped_on_quit_it_ends_at_its_sleep_before_the_files_close(tmp_path: Path) -> None:
    out = _run(tmp_path, "stop")
    assert "dead before close: True" in out and "exception: None" in out


def test_the_files_hold_the_requests_of_the_last_second(tmp_path: Path) -> None:
    """A request after the writer's last tick is in the stats and failures it leaves:
    the report reads them beside run.json, which counts every request."""
    _run(tmp_path, "stop", "late")
    stats = list(csv.DictReader((tmp_path / "x_stats.csv").open()))
    late = next(row for row in stats if row["Name"] == "/late")
    assert (late["Request Count"], late["Failure Count"]) == ("1", "1")
    (failure,) = csv.DictReader((tmp_path / "x_failures.csv").open())
    assert (failure["Name"], failure["Occurrences"]) == ("/late", "1")
    assert "timed out" in failure["Error"]
